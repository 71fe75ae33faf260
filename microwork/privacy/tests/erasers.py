"""A stand-in eraser: records each call and names the worker's submitted tasks of the project
as erased, the way the file eraser names the tasks whose files it deleted."""

from typing import Any

from microwork.work.models import Submission

CALLS: list[dict[str, Any]] = []


def record(*, project: Any, worker: Any, reason: str) -> list[int]:
    CALLS.append({"project": project.pk, "worker": worker.pk, "reason": reason})
    if any(c["project"] == project.pk and c["worker"] == worker.pk for c in CALLS[:-1]):
        return []  # idempotent: what went the first time is not there any more
    return list(
        Submission.objects.filter(project=project, worker=worker).values_list("task_id", flat=True)
    )
