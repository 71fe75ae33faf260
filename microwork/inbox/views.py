from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts.auth import request_user
from microwork.inbox import selectors, services
from microwork.inbox.mail import mail_topics_wanted
from microwork.inbox.models import MailChoice
from microwork.lib.redirects import safe_next_url
from microwork.lib.views import page


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


@page
def mail_settings(request: HttpRequest) -> HttpResponse:
    """Which inbox topics also come by e-mail; each switched on or off by its owner."""
    user = request_user(request)
    if request.method == "POST":
        services.mail_choice_save(
            user=user, topics=[t for t in MailChoice.TOPICS if request.POST.get(t) == "on"]
        )
        messages.success(request, _("Your e-mail choices are saved."))
        return redirect("inbox:mail")
    wanted = mail_topics_wanted(user=user)
    fields = {field.name: field.verbose_name for field in MailChoice._meta.fields}
    topics = [(topic, fields[topic], topic in wanted) for topic in MailChoice.TOPICS]
    return render(request, "inbox/mail.html", {"topics": topics})
