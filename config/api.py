"""The one NinjaAPI. Each app contributes a Router; errors are JSON with a stable code."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from microwork.aggregation.api import router as aggregation_router
from microwork.lib.api import API_AUTH
from microwork.lib.api_docs import LocalSwagger
from microwork.lib.errors import ApplicationError
from microwork.lib.limits import InputLimitExceeded, LimitedJSONParser
from microwork.projects.api import router as projects_router
from microwork.work.api import router as work_router

api = NinjaAPI(
    title="microwork API",
    version="1",
    description=(
        "Requesters create projects, upload tasks and download results; workers fetch and "
        "submit tasks. Authenticate with `Authorization: Bearer <token>` (make one on your "
        "account page). Errors are `{code, message, field?}`."
    ),
    auth=API_AUTH,
    urls_namespace="api",
    # Bounded nesting and numbers for every JSON body (microwork/lib/limits.py).
    parser=LimitedJSONParser(),
    docs=LocalSwagger(),
)


@api.exception_handler(ApplicationError)
def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    loc = [
        str(part)
        for part in first.get("loc", [])
        if part not in ("body", "query", "path", "payload")
    ]
    field = ".".join(loc) or None
    body = {
        "code": "invalid",
        "message": f"{field}: {first.get('msg', 'invalid')}"
        if field
        else first.get("msg", "invalid"),
        "field": field,
        "details": [
            {"field": ".".join(str(p) for p in e.get("loc", [])), "reason": e.get("msg")}
            for e in exc.errors
        ],
    }
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {
            "code": "unauthenticated",
            "message": _("Send a valid token: Authorization: Bearer <token>."),
        },
        status=401,
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, InputLimitExceeded):
        # The body parser's refusal reaches us wrapped in "Cannot parse request body"; the
        # sender needs to know which limit it crossed.
        return api.create_response(
            request,
            {"code": "too_large", "message": str(exc.__cause__), "field": "body"},
            status=400,
        )
    return api.create_response(
        request, {"code": "http_error", "message": str(exc)}, status=exc.status_code
    )


api.add_router("/", projects_router)
api.add_router("/", work_router)
api.add_router("/", aggregation_router)
api.add_router("/", "microwork.quality.api.router")
api.add_router("/", "microwork.ledger.api.router")
api.add_router("/", "microwork.payments.api.router")
