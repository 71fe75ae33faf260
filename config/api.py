"""The one NinjaAPI. Each app contributes a Router; errors are JSON with a stable code."""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from microwork.accounts.api_auth import API_AUTH
from microwork.aggregation.api import router as aggregation_router
from microwork.lib.api_docs import LocalSwagger
from microwork.lib.api_errors import generic_error, server_error_response
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
    return api.create_response(request, generic_error(401), status=401)


@api.exception_handler(Throttled)
def throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = api.create_response(request, generic_error(429), status=429)
    if exc.wait:
        response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, InputLimitExceeded):
        # The body parser's refusal reaches us wrapped in "Cannot parse request body"; the
        # sender needs to know which limit it crossed.
        return api.create_response(
            request,
            {
                "code": exc.__cause__.code,
                "message": str(exc.__cause__),
                "field": exc.__cause__.field,
            },
            status=400,
        )
    # Ninja's own refusals (a body it cannot parse, a missing role): their English text is
    # not for people, so the body says it in the request's language.
    return api.create_response(request, generic_error(exc.status_code), status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, generic_error(404), status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, generic_error(403), status=403)


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(request, generic_error(413), status=413)


@api.exception_handler(SuspiciousOperation)
def bad_request(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    return api.create_response(request, generic_error(400), status=400)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    return server_error_response(request, exc)


api.add_router("/", projects_router)
api.add_router("/", "microwork.projects.api_progress.router")
api.add_router("/", work_router)
api.add_router("/", "microwork.work.api_files.router")
api.add_router("/", aggregation_router)
api.add_router("/", "microwork.quality.api.router")
api.add_router("/", "microwork.ledger.api.router")
api.add_router("/", "microwork.payments.api.router")
api.add_router("/", "microwork.review.api.router")
api.add_router("/", "microwork.privacy.api.router")
api.add_router("/", "microwork.live.api.router")
api.add_router("/", "microwork.webhooks.api.router")
