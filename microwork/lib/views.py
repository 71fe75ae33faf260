"""What every app's pages share: the one place a service's NotFound and Forbidden become
HTTP responses for a browser."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase

from microwork.lib.errors import ApplicationError, Forbidden, NotFound


def page(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Log-in required; what the access helpers hide (another organisation's project, someone
    else's payout) is a 404, what they refuse (a worker on a requester page) is a 403."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except NotFound:
            raise Http404 from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None

    return wrapped


def form_error(form: Any, exc: ApplicationError) -> None:
    """Show a service's error on the form: beside its field when the form has one, else above."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
