"""The MTurk side of "may this worker work on this project?" (work's ELIGIBILITY_CHECKS): a
HIT past its expiry takes no new worker, and a requester's block keeps the worker from every
project of the organisation while its decision is in force (a reversed decision, after an
appeal, lifts it)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from microwork.mturk.models import Hit, WorkerBlock
from microwork.quality.models import Decision


def check(*, project: Any, worker: Any, now: datetime) -> str | None:
    return many(projects=[project], worker=worker, now=now)[project.pk]


def many(*, projects: Sequence[Any], worker: Any, now: datetime) -> dict[int, str | None]:
    out: dict[int, str | None] = {p.pk: None for p in projects}
    expired = set(
        Hit.objects.filter(project__in=[p.pk for p in projects], expires_at__lte=now).values_list(
            "project_id", flat=True
        )
    )
    blocks = {
        b.organisation_id: b
        for b in WorkerBlock.objects.filter(
            organisation_id__in={p.organisation_id for p in projects},
            worker=worker,
            lifted_at__isnull=True,
            decision__status=Decision.Status.ACTIVE,
        )
    }
    for project in projects:
        block = blocks.get(project.organisation_id)
        if block is not None:
            out[project.pk] = _(
                "This requester blocked you from their work. See why and appeal: %(url)s"
            ) % {"url": reverse("quality:decision", args=[block.decision_id])}
        elif project.pk in expired:
            out[project.pk] = _("This HIT has expired.")
    return out


check.many = many  # type: ignore[attr-defined]
