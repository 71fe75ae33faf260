"""The logged-in user of a request, typed as the project's own User."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from microwork.accounts.models import User


def request_user(request: HttpRequest) -> User:
    """`request.user` behind a log-in check: a page under `login_required` or an API endpoint
    (every one needs API_AUTH). Django types the attribute `User | AnonymousUser`; checking it
    here once lets every service keep asking for a `User`."""
    user = request.user
    if not isinstance(user, User):
        # Only a view that lost its log-in check gets here: refuse rather than hand a service
        # an anonymous user.
        raise PermissionDenied
    return user
