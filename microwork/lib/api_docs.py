"""The API's interactive documentation, from files the platform ships.

django-ninja's own page takes Swagger UI from a CDN unless ninja is an installed app, and even
then starts it with an inline script; this page takes the same Swagger UI files from this site
and starts them with a static script that reads its settings from data- attributes, so it
works without internet and under the site's Content-Security-Policy (no inline script).
"""

import json
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI


class LocalSwagger(Swagger):
    template = "api/docs.html"
    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        # Swagger UI otherwise sends the document to validator.swagger.io for a badge.
        "validatorUrl": None,
    }

    def render_page(self, request: HttpRequest, api: "NinjaAPI", **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "api": api,
            "swagger_settings": json.dumps(settings),
            "add_csrf": _session_auth(api),
        }
        return render(request, self.template, context)


def _session_auth(api: "NinjaAPI") -> bool:
    """Whether "Try it out" from a logged-in browser needs the CSRF token (session auth)."""
    auth = api.auth if isinstance(api.auth, list | tuple) else [api.auth]
    return any(getattr(a, "csrf", False) for a in auth)
