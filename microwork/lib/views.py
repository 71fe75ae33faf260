"""What every app's pages share: the one place a service's errors become what a browser is
shown. `page` for pages (NotFound a 404, Forbidden a 403), `action` for the views a form posts
to (a refused write goes back to its page with the reason as a message)."""

import re
from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

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


Labels = Mapping[str, Any] | Callable[[HttpRequest], Mapping[str, Any]]
View = Callable[..., HttpResponseBase]


def action(view: View | None = None, *, labels: Labels | None = None) -> Any:
    """Log-in required; a refused write goes back to the page it came from (the form's safe
    `next`, else the Referer) with the reason as a message and what was typed kept for it
    (`typed_values`). `labels` are the page's names of its inputs (or a function of the
    request giving them), so the reason names an input in words rather than as the API
    does. What the access helpers hide or refuse renders refused.html with the reason, as a
    404 or 403: there is no page of theirs to go back to."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            try:
                return view(request, *args, **kwargs)
            except ApplicationError as exc:
                if exc.status in (403, 404):
                    return render(
                        request, "refused.html", {"message": exc.message}, status=exc.status
                    )
                names = labels(request) if callable(labels) else labels
                messages.error(request, in_words(exc.message, names or {}))
                keep_typed(request, exc.field)
                back = safe_next_url(request.POST.get("next")) or safe_referer_path(
                    request, default="/"
                )
                return HttpResponseRedirect(back)

        return wrapped

    return decorate(view) if view is not None else decorate


def in_words(message: str, labels: Mapping[str, Any]) -> str:
    """A service's message with each input it names the way the API does (`daily_cap`,
    `amount must be…`) named as the page labels it instead (“Daily limit”), so a person reads
    words. A plain word is a name only where it starts the message in lower case (a sentence
    starts with a capital): "reward" inside a sentence is the word."""
    names = sorted((n for n, label in labels.items() if label), key=len, reverse=True)
    if not names:
        return message
    alternatives = "|".join(
        re.escape(n) if "_" in n else rf"(?<=^){re.escape(n)}(?= )" for n in names
    )
    pattern = re.compile(rf"(?<![\w.])({alternatives})(?!\w)")
    return pattern.sub(lambda m: _("“%(label)s”") % {"label": labels[m.group(1)]}, message)


def form_labels(form: Any) -> dict[str, Any]:
    return {name: field.label for name, field in form.fields.items()}


def form_error(form: Any, exc: ApplicationError) -> None:
    """Show a service's error on the form: beside its field when the form has one, else above,
    naming the inputs by their labels."""
    form.add_error(
        exc.field if exc.field in form.fields else None, in_words(exc.message, form_labels(form))
    )


def form_status(form: Any) -> int:
    """A refused form comes back as a 400, with what was typed and why."""
    return 400 if form is not None and form.is_bound and form.errors else 200


# What a refused form keeps for its page to show again: bounded, never a password.
TYPED_KEY = "typed_values"
TYPED_MAX_FIELDS = 60
TYPED_MAX_CHARS = 4000


def typed_now(request: HttpRequest, field: str | None) -> dict[str, Any]:
    """What this refused form sent, in the shape `typed_values` gives, for a page re-rendered
    in the same response: {"values": …, "field": …}."""
    if request.method != "POST":
        return {"values": {}, "field": ""}
    values = {
        key: value[:TYPED_MAX_CHARS]
        for key, value in list(request.POST.items())[:TYPED_MAX_FIELDS]
        if key != "csrfmiddlewaretoken" and "password" not in key
    }
    return {"values": values, "field": field or ""}


def keep_typed(request: HttpRequest, field: str | None) -> None:
    """Keep what a refused form sent, for the page it goes back to (`typed_values`), so the
    requester corrects the one field named instead of typing everything again."""
    if not hasattr(request, "session") or request.method != "POST":
        return
    request.session[TYPED_KEY] = typed_now(request, field)


def typed_values(request: HttpRequest) -> dict[str, Any]:
    """What the last refused form on this session sent (once): {"values": …, "field": …}."""
    if not hasattr(request, "session"):
        return {"values": {}, "field": ""}
    return request.session.pop(TYPED_KEY, None) or {"values": {}, "field": ""}
