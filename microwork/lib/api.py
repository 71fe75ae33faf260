"""Pieces every app's API router shares: token auth and the caller's identity."""

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from microwork.accounts.models import ApiToken, Organisation, User
from microwork.accounts.selectors import api_token_by_key
from microwork.lib.auth import request_user
from microwork.lib.errors import Forbidden


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        found = api_token_by_key(key=token)
        if found is not None:
            request.user = found.user
        return found


# Browser pages (htmx) call the same endpoints with the session cookie, CSRF-checked.
API_AUTH = [TokenAuth(), SessionAuth()]


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
