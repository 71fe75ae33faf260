"""The API's one error shape, `{code, message, field?, details?}`, wherever an error comes from.

Handlers raise `ApplicationError`; config/api.py maps that and ninja's own errors here. What
never reaches a ninja handler — an unknown path under /api/, a method the path does not take,
Django refusing the request before any view — is rewritten by `ApiErrorMiddleware`, so a
client switches on `code` and never has to parse an HTML page. Imports no app."""

import logging
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Schema

log = logging.getLogger("django.request")

API_PREFIX = "/api/"


class ErrorOut(Schema):
    """Every error the API answers. `code` is stable (switch on it); `message` is for people,
    in their language; `field` names the input at fault when there is one; `details` lists
    each problem when there are several."""

    code: str
    message: str
    field: str | None = None
    details: Any = None


# What every authenticated operation can answer besides its success: a refused input (400),
# no or a bad token (401), someone else's object or a missing role (403), an unknown id (404),
# a state that forbids it (409), an input of the wrong shape (422), too many requests (429).
STANDARD_ERRORS = (400, 401, 403, 404, 409, 422, 429)


def responses(ok: Any, *extra: int) -> dict[int, Any]:
    """The `response=` mapping of an operation: its success schema (a schema means 200; a
    mapping gives its own statuses) and `ErrorOut` for the standard errors and any `extra`.
    One helper, so no endpoint documents its errors by hand or forgets one."""
    mapping: dict[int, Any] = dict(ok) if isinstance(ok, dict) else {200: ok}
    for status in (*STANDARD_ERRORS, *extra):
        mapping.setdefault(status, ErrorOut)
    return mapping


def error_body(code: str, message: str, **more: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    body.update({k: v for k, v in more.items() if v is not None})
    return body


def _generic_errors() -> dict[int, tuple[str, str]]:
    # Built per call so the messages follow the request's language.
    return {
        400: ("bad_request", _("The request could not be understood.")),
        401: ("unauthenticated", _("Send a valid token: Authorization: Bearer <token>.")),
        403: ("forbidden", _("You may not do this.")),
        404: ("not_found", _("There is nothing at this address.")),
        405: ("method_not_allowed", _("This address does not take this method.")),
        413: ("too_large", _("The request is too large.")),
        429: ("throttled", _("Too many requests: wait a moment and try again.")),
        500: ("server_error", _("Something went wrong on our side; it has been logged.")),
    }


def generic_error(status: int) -> dict[str, Any]:
    """The body for a status with no more specific error."""
    code, message = _generic_errors().get(
        status,
        ("server_error", _generic_errors()[500][1])
        if status >= 500
        else ("bad_request", _generic_errors()[400][1]),
    )
    return error_body(code, message)


def server_error_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    """A 500 that tells the client nothing of the code. The traceback goes to the log, as
    Django's own handler would write it (so mail to the admins and error trackers still see
    it), never into the response — not even with DEBUG on."""
    log.error(
        "Internal Server Error: %s",
        request.path,
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": request},
    )
    return JsonResponse(generic_error(500), status=500)


def _is_json(response: HttpResponseBase) -> bool:
    return (response.get("Content-Type") or "").startswith("application/json")


class ApiErrorMiddleware:
    """Under /api/, any error response that is not already JSON becomes `{code, message}`
    with the same status and headers (Allow on a 405, Retry-After on a 429), and an exception
    no handler caught becomes a JSON 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            not request.path_info.startswith(API_PREFIX)
            or response.status_code < 400
            or _is_json(response)
        ):
            return response
        shaped = JsonResponse(generic_error(response.status_code), status=response.status_code)
        for header in ("Allow", "Retry-After", "WWW-Authenticate", "Vary"):
            if response.has_header(header):
                shaped[header] = response[header]
        return shaped

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not request.path_info.startswith(API_PREFIX):
            return None
        # Django turns these into 4xx responses itself, which __call__ then shapes.
        if isinstance(exc, Http404 | PermissionDenied | SuspiciousOperation):
            return None
        return server_error_response(request, exc)
