"""What a requester gets back: every answer of every task, the majority label and how far the
answers agree.

Rules (docs/projects.md):
- Answers counted: pending and approved submissions. Rejected ones are listed, not counted.
- Majority label: the answer given most often, compared with the interface's `answer_key`.
- Ties go to the answer that comes first in the project's label order (for multiple choice,
  compared label by label, so {a} beats {a, b} beats {b}); this keeps the result stable from
  one download to the next.
- Agreement: the share of counted answers equal to the majority label, 0–1 (None without answers).
- Label, confidence, method: the project's aggregation method (docs/aggregation.md, "In the
  platform"), stored per task by the last full re-estimate or by the answer that came since.
"""

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet

from microwork.aggregation.selectors import aggregates_for_tasks
from microwork.projects.interfaces import TaskInterface, get_interface
from microwork.projects.models import Project, Task
from microwork.work.models import Submission

COUNTED = (Submission.Status.PENDING, Submission.Status.APPROVED)
CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class AnswerRow:
    submission_id: int
    worker: str
    answer: Any
    label: str
    # The answer in words (a choice's shown text, "3 boxes: 2 car, 1 person").
    text: str
    active_seconds: Decimal
    submitted_at: datetime
    status: str

    @property
    def counted(self) -> bool:
        return self.status in COUNTED


@dataclass(frozen=True, slots=True)
class TaskResult:
    task: Task
    answers: list[AnswerRow]
    majority: Any
    majority_label: str | None
    agreement: Decimal | None
    label: str | None = None
    confidence: Decimal | None = None
    method: str | None = None
    # Closed early by dynamic overlap: confident enough before reaching the answers per task.
    stopped_early: bool = False
    # The numbers the stopping rule compared (answers, confidence, target), to explain it.
    stop_details: dict[str, Any] | None = None
    # The label in the answer's own shape (a transcript, a list of boxes), in words, and, for
    # kinds with a consensus, its parts with their confidence.
    value: Any = None
    label_text: str = ""
    parts: list[dict[str, Any]] = field(default_factory=list)
    # The majority answer in words ("3 boxes: car, car, person"), not its stored JSON.
    majority_text: str = ""

    @property
    def answers_count(self) -> int:
        return sum(1 for a in self.answers if a.counted)


def _order_key(interface: TaskInterface, values: list[str], key: Any) -> tuple[Any, ...]:
    position = {v: i for i, v in enumerate(values)}
    parts = key if isinstance(key, tuple) else (key,)
    # Unknown values (an open-ended interface) sort after known ones, then by their text.
    return tuple((position.get(str(p), len(position)), str(p)) for p in parts)


def majority_vote(
    *, interface: TaskInterface, config: dict[str, Any], answers: Sequence[Any]
) -> tuple[Any, Decimal | None]:
    """The majority answer and the share of answers equal to it (ties: label order)."""
    if not answers:
        return None, None
    values = interface.label_values(config) or []
    keys = [interface.answer_key(a) for a in answers]
    counts = Counter(keys)
    first_answer: dict[Any, Any] = {}
    for key, answer in zip(keys, answers, strict=True):
        first_answer.setdefault(key, answer)
    best = min(counts, key=lambda k: (-counts[k], _order_key(interface, values, k)))
    share = (Decimal(counts[best]) / Decimal(len(answers))).quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )
    return first_answer[best], share


def _answer_rows(
    interface: TaskInterface, config: dict[str, Any], tasks: list[Task]
) -> dict[int, list[AnswerRow]]:
    task_ids = [t.pk for t in tasks]
    data = {t.pk: t.data for t in tasks}
    rows: dict[int, list[AnswerRow]] = {tid: [] for tid in task_ids}
    submissions = (
        Submission.objects.filter(task_id__in=task_ids)
        .select_related("worker")
        .only("id", "task_id", "answer", "active_ms", "submitted_at", "status", "worker__username")
        .order_by("task_id", "submitted_at", "id")
    )
    for s in submissions:
        rows[s.task_id].append(
            AnswerRow(
                submission_id=s.pk,
                worker=s.worker.username,
                answer=s.answer,
                label=interface.answer_label(s.answer),
                text=interface.answer_text(config, s.answer, data[s.task_id]),
                active_seconds=(Decimal(s.active_ms) / 1000).quantize(Decimal("0.1")),
                submitted_at=s.submitted_at,
                status=s.status,
            )
        )
    return rows


def task_results(*, project: Project, tasks: Sequence[Task]) -> list[TaskResult]:
    """Results for the given tasks of one project (a page, or a chunk of an export)."""
    interface = get_interface(project.interface)
    answers = _answer_rows(interface, project.config, list(tasks))
    aggregates = aggregates_for_tasks(task_ids=[t.pk for t in tasks])
    out = []
    for task in tasks:
        rows = answers[task.pk]
        majority, agreement = majority_vote(
            interface=interface,
            config=project.config,
            answers=[a.answer for a in rows if a.counted],
        )
        aggregate = aggregates.get(task.pk)
        label = aggregate.label if aggregate else None
        value = _label_value(interface, project.config, label, rows)
        out.append(
            TaskResult(
                task=task,
                answers=rows,
                majority=majority,
                majority_label=None if majority is None else interface.answer_label(majority),
                agreement=agreement,
                label=label,
                value=value,
                label_text=(
                    "" if value is None else interface.answer_text(project.config, value, task.data)
                ),
                parts=list(aggregate.parts) if aggregate else [],
                majority_text=(
                    ""
                    if majority is None
                    else interface.answer_text(project.config, majority, task.data)
                ),
                confidence=aggregate.confidence if aggregate else None,
                method=aggregate.method or None if aggregate else None,
                stopped_early=bool(aggregate and aggregate.stop_rule and task.done),
                stop_details=aggregate.stop_details if aggregate and aggregate.stop_rule else None,
            )
        )
    return out


def _label_value(
    interface: TaskInterface, config: dict[str, Any], label: str | None, rows: list[AnswerRow]
) -> Any:
    """The label in the answer's own shape: a consensus decodes; a class is the first answer
    that has it (a class is an answer's `answer_label`, which may not decode on its own)."""
    if label is None:
        return None
    if interface.consensus_for(config) is not None:
        return interface.label_value(label)
    return next((a.answer for a in rows if a.label == label), interface.label_value(label))


def tasks_for_results(*, project: Project) -> QuerySet[Task]:
    return Task.objects.filter(project=project).order_by("id")


def iter_task_results(*, project: Project) -> Iterator[TaskResult]:
    """Every task's result, read in chunks by id so an export of 100,000 tasks stays small."""
    last_id = 0
    while True:
        chunk = list(tasks_for_results(project=project).filter(id__gt=last_id)[:CHUNK])
        if not chunk:
            return
        yield from task_results(project=project, tasks=chunk)
        last_id = chunk[-1].pk


def results_summary(*, project: Project) -> dict[str, Any]:
    tasks = Task.objects.filter(project=project)
    counted = Submission.objects.filter(project=project, status__in=COUNTED)
    return {
        "tasks": tasks.count(),
        "gold": tasks.filter(is_gold=True).count(),
        "answers": counted.count(),
        "answered_tasks": counted.values("task_id").distinct().count(),
    }
