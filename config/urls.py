from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from config.api import api
from microwork.accounts.views import favicon, home, operator_home
from microwork.mturk.views import endpoint as mturk_endpoint
from microwork.projects.media import serve_media

urlpatterns = [
    path("", home, name="home"),
    path("operator/", operator_home, name="operator"),
    path("favicon.ico", favicon, name="favicon"),
    path("accounts/", include("microwork.accounts.urls")),
    path("projects/", include("microwork.projects.urls")),
    path("projects/", include("microwork.aggregation.urls")),
    path("work/", include("microwork.work.urls")),
    path("quality/", include("microwork.quality.urls")),
    path("inbox/", include("microwork.inbox.urls")),
    path("wellbeing/", include("microwork.wellbeing.urls")),
    path("money/", include("microwork.ledger.urls")),
    path("money/", include("microwork.payments.urls")),
    path("", include("microwork.review.urls")),
    path("privacy/", include("microwork.privacy.urls")),
    path("live/", include("microwork.live.urls")),
    path("voice/", include("microwork.voice.urls")),
    path("webhooks/", include("microwork.webhooks.urls")),
    path("api/", api.urls),
    # Mechanical Turk's requester API (docs/mturk.md): the endpoint with and without the slash,
    # since boto3 posts to the address it is given plus "/".
    path("mturk", mturk_endpoint, name="mturk_endpoint"),
    path("mturk/", include("microwork.mturk.urls")),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    # Task media and uploads, only through the signed, personal addresses pages and API
    # responses make (microwork/projects/media.py); never serve MEDIA_ROOT directly.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media, name="media"),
]
