from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from microwork.inbox import selectors, services
from microwork.lib.auth import request_user


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    lines = selectors.inbox_lines(user=request_user(request))
    return render(request, "inbox/inbox.html", {"lines": lines})


@login_required
@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    services.inbox_mark_read(user=request_user(request))
    back = request.POST.get("next", "")
    # Back to the page the button was on (the work page shows unread lines too), never away.
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("inbox:inbox")
