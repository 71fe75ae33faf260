"""The requester's review list: a project's answers with their task, filtered by worker,
label, agreement with the task's label and status. Worker and status filter in the database;
label and agreement need the kind's own reading of each answer, so they are applied while
reading, over at most SCAN_LIMIT answers (the page says when it stopped there)."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from microwork.aggregation.selectors import with_task_labels
from microwork.projects.interfaces import TaskInterface, get_interface
from microwork.projects.models import Project
from microwork.work.models import Submission

PAGE_ROWS = 50
SCAN_LIMIT = 5000
AGREEMENTS = ("agrees", "disagrees", "unknown")
STATUSES = tuple(Submission.Status.values)


@dataclass(frozen=True)
class ReviewFilters:
    worker: str = ""
    label: str = ""
    agreement: str = ""
    status: str = Submission.Status.PENDING

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> "ReviewFilters":
        status = str(query.get("status", Submission.Status.PENDING))
        agreement = str(query.get("agreement", ""))
        return cls(
            worker=str(query.get("worker", ""))[:150],
            label=str(query.get("label", ""))[:500],
            agreement=agreement if agreement in AGREEMENTS else "",
            status=status if status in STATUSES or status == "all" else "pending",
        )


@dataclass
class ReviewRow:
    submission: Submission
    agrees: bool | None
    label_text: str


def label_choices(interface: TaskInterface, config: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(value, words) for the label filter: the kind's closed list of answers, if it has one."""
    values = interface.label_values(config) or []
    numeric = interface.answer_schema_for(config).get("type") == "integer"
    choices = []
    for value in values:
        try:
            shaped = int(value) if numeric else interface.label_value(value)
            words = interface.answer_text(config, shaped)
        except (TypeError, ValueError, KeyError):
            words = value
        choices.append((value, words or value))
    return choices


def _has_label(interface: TaskInterface, answer: Any, label: str) -> bool:
    if isinstance(answer, list):
        return label in (str(a) for a in answer)
    return interface.answer_label(answer) == label


def _agrees(interface: TaskInterface, config: Any, answer: Any, label: str | None) -> bool | None:
    if label is None:
        return None
    try:
        return interface.label_agrees(config, answer, label)
    except (TypeError, ValueError, KeyError):
        return None


def review_rows(
    *, project: Project, filters: ReviewFilters, page: int = 1
) -> tuple[list[ReviewRow], bool, bool]:
    """One page of rows, whether there is a next page, and whether the scan stopped early."""
    interface = get_interface(project.interface)
    qs = Submission.objects.filter(project=project)
    if filters.status != "all":
        qs = qs.filter(status=filters.status)
    if filters.worker:
        qs = qs.filter(worker__username=filters.worker)
    qs = with_task_labels(qs.select_related("worker", "task")).order_by("submitted_at", "pk")
    start = (page - 1) * PAGE_ROWS
    wanted = start + PAGE_ROWS + 1
    found: list[ReviewRow] = []
    scanned = 0
    for sub in qs[:SCAN_LIMIT].iterator(chunk_size=500):
        scanned += 1
        if filters.label and not _has_label(interface, sub.answer, filters.label):
            continue
        task_label: str | None = getattr(sub, "task_label", None)  # annotated by the query
        agrees = _agrees(interface, project.config, sub.answer, task_label)
        if filters.agreement == "agrees" and agrees is not True:
            continue
        if filters.agreement == "disagrees" and agrees is not False:
            continue
        if filters.agreement == "unknown" and agrees is not None:
            continue
        label_text = ""
        if task_label is not None:
            value = interface.label_value(task_label)
            if value is not None:
                try:
                    label_text = interface.answer_text(project.config, value, sub.task.data)
                except (TypeError, ValueError, KeyError):
                    label_text = ""
        found.append(ReviewRow(sub, agrees, label_text))
        if len(found) >= wanted:
            break
    truncated = scanned >= SCAN_LIMIT and len(found) < wanted
    return found[start : start + PAGE_ROWS], len(found) > start + PAGE_ROWS, truncated


def review_workers(*, project: Project) -> list[str]:
    return list(
        Submission.objects.filter(project=project)
        .values_list("worker__username", flat=True)
        .distinct()
        .order_by("worker__username")
    )
