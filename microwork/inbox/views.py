from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from microwork.accounts.auth import request_user
from microwork.inbox import selectors, services
from microwork.lib.redirects import safe_next_url


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    lines = selectors.inbox_lines(user=request_user(request))
    return render(request, "inbox/inbox.html", {"lines": lines})


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    services.inbox_mark_read(user=request_user(request))
    # Back to the page the button was on (the work page shows unread lines too), never away.
    back = safe_next_url(request.POST.get("next"))
    if back:
        return redirect(back)
    return redirect("inbox:inbox")
