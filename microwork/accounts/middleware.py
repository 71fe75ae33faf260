from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

from microwork.accounts.terms import terms_to_accept


class UserLanguageMiddleware:
    """A logged-in person sees pages in the language of their profile, whatever the device says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class TermsGateMiddleware:
    """A logged-in person is sent to the terms page before any other page while a version of
    the terms they have not accepted is in force (accounts/terms.py, docs/terms.md).

    Left through: the API (a script holding a token cannot read and accept terms; the token's
    owner accepts at their next visit to the site, and the terms say that scripts keep
    working), operators (staff: the platform's own people), form posts (an answer typed under
    the terms accepted before is never lost: the page after it asks), and the pages a person
    who does not accept still needs — the terms themselves, log-out, the language switch, their
    data and account deletion, static and media files."""

    EXEMPT_PREFIXES = (
        "/accounts/terms/",
        "/accounts/logout/",
        "/api/",
        "/admin/",
        "/i18n/",
        "/privacy/",
        "/voice/feedback/summary/",
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        redirect_to = self._gate(request)
        if redirect_to is not None:
            return HttpResponseRedirect(redirect_to)
        return self.get_response(request)

    def _gate(self, request) -> str | None:
        if not settings.TERMS_GATE or request.method not in ("GET", "HEAD"):
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_staff:
            return None
        path = request.path
        files = ("/" + settings.STATIC_URL.lstrip("/"), "/" + settings.MEDIA_URL.lstrip("/"))
        if path.startswith((*self.EXEMPT_PREFIXES, *files)):
            return None
        if terms_to_accept(user=user) is None:
            return None
        return f"{reverse('accounts:terms_review')}?{urlencode({'next': request.get_full_path()})}"
