"""The MTurk side of "may this worker work on this project?" (work's ELIGIBILITY_CHECKS): a
HIT past its expiry takes no new worker. A requester's block (CreateWorkerBlock) is quality's
own block decision, refused by quality's check."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from microwork.mturk.models import Hit
from microwork.projects.models import Project


def check(*, project: Any, worker: Any, now: datetime) -> str | None:
    return many(projects=[project], worker=worker, now=now)[project.pk]


def many(*, projects: Sequence[Any], worker: Any, now: datetime) -> dict[int, str | None]:
    # One statement for every project asked about: every claim asks it.
    rows = (
        Project.objects.filter(pk__in=[p.pk for p in projects])
        .annotate(
            hit_expired=Exists(Hit.objects.filter(project=OuterRef("pk"), expires_at__lte=now)),
        )
        .values_list("pk", "hit_expired")
    )
    out: dict[int, str | None] = {p.pk: None for p in projects}
    for pk, expired in rows:
        if expired:
            out[pk] = _("This HIT has expired.")
    return out


check.many = many  # type: ignore[attr-defined]
