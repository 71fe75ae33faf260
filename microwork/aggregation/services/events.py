"""The append-only log of aggregation: runs changing status and settings changing, with who
did it and the values involved."""

from datetime import datetime
from typing import Any

from microwork.accounts.models import User
from microwork.aggregation.models import AggregationEvent, AggregationRun
from microwork.projects.models import Project


def aggregation_event_record(
    *,
    project: Project,
    kind: str,
    at: datetime,
    run: AggregationRun | None = None,
    actor: User | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    AggregationEvent.objects.create(
        project=project, run=run, kind=kind, actor=actor, details=details or {}, at=at
    )
