"""The MTurk side of "may this worker work on this project?" (work's ELIGIBILITY_CHECKS): a
HIT past its expiry takes no new worker, and a requester's block keeps the worker from every
project of the organisation while its decision is in force (a reversed decision, after an
appeal, lifts it)."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from microwork.mturk.models import Hit, WorkerBlock
from microwork.projects.models import Project
from microwork.quality.models import Decision


def check(*, project: Any, worker: Any, now: datetime) -> str | None:
    return many(projects=[project], worker=worker, now=now)[project.pk]


def many(*, projects: Sequence[Any], worker: Any, now: datetime) -> dict[int, str | None]:
    # One statement for both questions: every claim asks it.
    rows = (
        Project.objects.filter(pk__in=[p.pk for p in projects])
        .annotate(
            hit_expired=Exists(Hit.objects.filter(project=OuterRef("pk"), expires_at__lte=now)),
            block_decision=Subquery(
                WorkerBlock.objects.filter(
                    organisation=OuterRef("organisation_id"),
                    worker=worker,
                    lifted_at__isnull=True,
                    decision__status=Decision.Status.ACTIVE,
                ).values("decision_id")[:1]
            ),
        )
        .values_list("pk", "hit_expired", "block_decision")
    )
    out: dict[int, str | None] = {p.pk: None for p in projects}
    for pk, expired, decision_id in rows:
        if decision_id is not None:
            out[pk] = _(
                "This requester blocked you from their work. See why and appeal: %(url)s"
            ) % {"url": reverse("quality:decision", args=[decision_id])}
        elif expired:
            out[pk] = _("This HIT has expired.")
    return out


check.many = many  # type: ignore[attr-defined]
