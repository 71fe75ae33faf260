"""The worker's data as a streamed download (the page and the API share it)."""

from django.http import StreamingHttpResponse
from django.utils import timezone

from microwork.accounts.models import User
from microwork.privacy.exports import worker_data_json


def worker_data_response(user: User) -> StreamingHttpResponse:
    now = timezone.now()
    response = StreamingHttpResponse(
        worker_data_json(worker=user, now=now), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="microwork-data-{user.pk}-{now:%Y%m%d}.json"'
    )
    response["Cache-Control"] = "no-store"
    return response
