"""The terms pages: the version in force (public, a summary on one screen and the full text),
and the page a logged-in person is sent to when a version they have not accepted is in force,
with what changed since the one they accepted."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts.auth import request_user
from microwork.accounts.models import TermsVersion
from microwork.accounts.terms import (
    terms_accept,
    terms_changes_since,
    terms_current,
    terms_last_accepted,
    terms_to_accept,
)
from microwork.lib.errors import ApplicationError
from microwork.lib.redirects import safe_next_url
from microwork.lib.text import render_markdown
from microwork.lib.views import action, page


def _words(version: TermsVersion) -> dict[str, str]:
    words = version.in_language(get_language() or "en")
    return {
        "summary_html": render_markdown(words["summary"]),
        "text_html": render_markdown(words["text"]),
    }


def terms(request: HttpRequest) -> HttpResponse:
    """Public: anyone may read the terms in force before signing up."""
    current = terms_current()
    context = {"version": current, **(_words(current) if current else {})}
    return render(request, "accounts/terms.html", context)


@page
def terms_review(request: HttpRequest) -> HttpResponse:
    """Where the site sends a logged-in person until they accept the version in force."""
    user = request_user(request)
    version = terms_to_accept(user=user)
    next_url = safe_next_url(request.GET.get("next")) or "/"
    if version is None:
        return redirect(next_url)
    accepted = terms_last_accepted(user=user)
    notes, lines = terms_changes_since(
        accepted=accepted, current=version, language=get_language() or "en"
    )
    context = {
        "version": version,
        "accepted": accepted,
        "notes": notes,
        "lines": lines,
        "next": next_url,
        **_words(version),
    }
    return render(request, "accounts/terms_review.html", context)


@action
@require_POST
def terms_accept_view(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    try:
        number = int(request.POST.get("version", ""))
    except ValueError:
        number = 0
    version = TermsVersion.objects.filter(number=number).first()
    if version is None:
        raise ApplicationError(
            _("Version: that version of the terms does not exist."), field="version"
        )
    terms_accept(user=user, version=version)
    messages.success(
        request, _("Thank you: you accepted version %(n)d of the terms.") % {"n": version.number}
    )
    return redirect(safe_next_url(request.POST.get("next")) or "/")
