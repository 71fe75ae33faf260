"""What every app's pages share: the one place a service's errors become what a browser is
shown. `page` for pages (NotFound a 404, Forbidden a 403), `action` for the views a form posts
to (a refused write goes back to its page with the reason as a message)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render

from microwork.lib.errors import ApplicationError, Forbidden, NotFound
from microwork.lib.redirects import safe_next_url, safe_referer_path


def page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Log-in required; what the access helpers hide (another organisation's project, someone
    else's payout) is a 404, what they refuse (a worker on a requester page) is a 403, each
    keeping the helper's message."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None

    return wrapped


def action(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Log-in required; a refused write goes back to the page it came from (the form's safe
    `next`, else the Referer) with the reason as a message. What the access helpers hide or
    refuse renders refused.html with the reason, as a 404 or 403: there is no page of theirs
    to go back to."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as exc:
            if exc.status in (403, 404):
                return render(request, "refused.html", {"message": exc.message}, status=exc.status)
            messages.error(request, exc.message)
            keep_typed(request, exc.field)
            back = safe_next_url(request.POST.get("next")) or safe_referer_path(
                request, default="/"
            )
            return HttpResponseRedirect(back)

    return wrapped


def form_error(form: Any, exc: ApplicationError) -> None:
    """Show a service's error on the form: beside its field when the form has one, else above."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# What a refused form keeps for its page to show again: bounded, never a password.
TYPED_KEY = "typed_values"
TYPED_MAX_FIELDS = 60
TYPED_MAX_CHARS = 4000


def keep_typed(request: HttpRequest, field: str | None) -> None:
    """Keep what a refused form sent, for the page it goes back to (`typed_values`), so the
    requester corrects the one field named instead of typing everything again."""
    if not hasattr(request, "session") or request.method != "POST":
        return
    values = {
        key: value[:TYPED_MAX_CHARS]
        for key, value in list(request.POST.items())[:TYPED_MAX_FIELDS]
        if key != "csrfmiddlewaretoken" and "password" not in key
    }
    request.session[TYPED_KEY] = {"values": values, "field": field or ""}


def typed_values(request: HttpRequest) -> dict[str, Any]:
    """What the last refused form on this session sent (once): {"values": …, "field": …}."""
    if not hasattr(request, "session"):
        return {"values": {}, "field": ""}
    return request.session.pop(TYPED_KEY, None) or {"values": {}, "field": ""}
