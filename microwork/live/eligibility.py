"""Work's eligibility check for live projects: their tasks are offered to available workers
one at a time, never claimed from the work page (which would bypass the offer's order and
the requester's deadline)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from microwork.live.models import LiveSetup


def _reason() -> str:
    return _(
        "This project's tasks are answered live: mark yourself available on the Live page "
        "and they are offered to you one at a time."
    )


def _many(*, projects: Sequence[Any], worker: Any, now: datetime) -> dict[int, str | None]:
    live = set(
        LiveSetup.objects.filter(project_id__in=[p.pk for p in projects]).values_list(
            "project_id", flat=True
        )
    )
    return {p.pk: (_reason() if p.pk in live else None) for p in projects}


def check(*, project: Any, worker: Any, now: datetime) -> str | None:
    return _many(projects=[project], worker=worker, now=now)[project.pk]


check.many = _many  # type: ignore[attr-defined]
