"""Pieces every app's API router shares: token auth and the caller's identity. They live with
accounts because they read its tokens, users and organisations; every app above may use them."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from microwork.accounts.auth import request_user
from microwork.accounts.models import ApiToken, Organisation, User
from microwork.accounts.selectors import api_token_by_key
from microwork.lib.errors import Forbidden


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_by_key(key=token)
        if found is not None:
            request.user = found.user
        return found


class CsrfSessionAuth(SessionAuth):
    """Browser pages (htmx) call the same endpoints with the session cookie, CSRF-checked.

    Ninja checks CSRF before it knows whether there is a session at all, so a call with no
    credentials would be told "CSRF failed" (403) instead of "log in" (401). Here the check
    runs only for a logged-in session, and fails in the API's error shape."""

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = request.user
        if not isinstance(user, User):
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise Forbidden(
                _("The CSRF check failed: reload the page and try again."), code="csrf_failed"
            )
        return user


API_AUTH = [TokenAuth(), CsrfSessionAuth()]


@dataclass(frozen=True)
class Caller:
    user: User
    organisation: Organisation | None
    # The bearer token of the call; None for a browser session.
    token: ApiToken | None = None


def caller(request: HttpRequest) -> Caller:
    auth = request.auth  # type: ignore[attr-defined]
    if isinstance(auth, ApiToken):
        return Caller(user=auth.user, organisation=auth.organisation, token=auth)
    user = request_user(request)
    organisation = Organisation.objects.filter(memberships__user=user).order_by("id").first()
    return Caller(user=user, organisation=organisation)


def requester_scope(request: HttpRequest) -> Organisation | None:
    """The organisation whose objects a requester call may reach, for the access helpers.

    A token reaches only the organisation it was made for, even when its user belongs to
    several; a token made without one is a worker's and is refused here. A browser session
    (None) reaches every organisation its user belongs to, as the pages do."""
    who = caller(request)
    if who.token is None:
        return None
    if who.organisation is None:
        raise Forbidden(_("This endpoint needs a requester token (one made by an organisation)."))
    return who.organisation


def requester_organisation(request: HttpRequest) -> Organisation:
    org = caller(request).organisation
    if org is None:
        raise Forbidden(_("This endpoint needs a requester token (one made by an organisation)."))
    return org
