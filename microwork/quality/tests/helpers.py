"""Small builders for quality tests: a live single-choice project with gold tasks, and
answers stored the way the work engine stores them (assignment, submission, then hooks)."""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from microwork.accounts.models import Organisation, User
from microwork.projects.models import Batch, Project, Task
from microwork.quality.services.enforcement import submission_recorded
from microwork.work.models import Assignment, Submission

LABELS = [{"value": "cat", "text": "Cat"}, {"value": "dog", "text": "Dog"}]


def make_project(*, owner: User, status: str = Project.Status.LIVE, **extra: Any) -> Project:
    organisation = Organisation.objects.filter(memberships__user=owner).first()
    values = {
        "name": "Cats or dogs",
        "description": "Say which animal is in the picture.",
        "interface": "single_choice",
        "config": {"question": "Which animal?", "labels": LABELS},
        "reward": Decimal("0.02"),
        "estimated_seconds": 6,
        "overlap": 3,
        "status": status,
        **extra,
    }
    return Project.objects.create(organisation=organisation, created_by=owner, **values)


def make_batch(project: Project) -> Batch:
    return Batch.objects.create(
        project=project,
        uploaded_by=project.created_by,
        filename="t.csv",
        file_format="csv",
        status=Batch.Status.DONE,
    )


def make_tasks(
    project: Project, n: int, *, gold: bool = False, batch: Batch | None = None
) -> list[Task]:
    batch = batch or make_batch(project)
    start = Task.objects.filter(project=project).count()
    return [
        Task.objects.create(
            project=project,
            batch=batch,
            row_number=start + i,
            data={"text": f"picture {start + i}"},
            is_gold=gold,
            gold_answer="cat" if gold else None,
            gold_explanation="Whiskers and pointed ears: a cat." if gold else "",
        )
        for i in range(n)
    ]


def fund(project: Project, operator: User, amount: str = "50") -> None:
    """Money on the requester's account, so the work engine's earning hook can pay answers."""
    from microwork.ledger.services.deposits import deposit_record

    deposit_record(
        organisation=project.organisation,
        amount=amount,
        currency=project.currency,
        reference=f"wire-{project.pk}-{amount}",
        actor=operator,
    )


def submit(*, task: Task, worker: User, label: str, active_ms: int = 6000) -> Submission:
    """An answer through the work engine itself: lease, submit, every registered hook."""
    from microwork.work.services.submitting import submission_create

    now = timezone.now()
    assignment = Assignment.objects.create(
        project=task.project,
        task=task,
        worker=worker,
        leased_at=now - timedelta(seconds=60),
        expires_at=now + timedelta(minutes=10),
    )
    return submission_create(
        assignment=assignment, worker=worker, answer=label, active_ms=active_ms
    )


def answer(
    *,
    task: Task,
    worker: User,
    label: str,
    active_ms: int = 6000,
    at: datetime | None = None,
    run_hooks: bool = True,
) -> Submission:
    """An answer stored as the engine stores it, then the quality hook (no money involved)."""
    at = at or timezone.now()
    assignment = Assignment.objects.create(
        project=task.project,
        task=task,
        worker=worker,
        status=Assignment.Status.SUBMITTED,
        leased_at=at - timedelta(milliseconds=active_ms),
        expires_at=at + timedelta(minutes=10),
        ended_at=at,
    )
    submission = Submission.objects.create(
        assignment=assignment,
        project=task.project,
        task=task,
        worker=worker,
        answer=label,
        active_ms=active_ms,
        elapsed_ms=active_ms,
        submitted_at=at,
        gold_correct=(label == task.gold_answer) if task.is_gold else None,
    )
    if run_hooks:
        submission_recorded(submission=submission)
    return submission


def label_set(*, task: Task, label: str, confidence: str, answers: int, method: str = "ds") -> None:
    """The task's aggregated label, written where aggregation keeps it, so a test chooses
    the label quality compares answers with (whatever the answers so far would make)."""
    from microwork.aggregation.models import TaskAggregate

    TaskAggregate.objects.update_or_create(
        task=task,
        defaults={
            "project": task.project,
            "label": label,
            "confidence": Decimal(confidence),
            "answers_count": answers,
            "method": method,
            "updated_at": timezone.now(),
        },
    )


def answer_gold_series(
    *, project: Project, worker: User, correct: int, wrong: int
) -> list[Submission]:
    """Answer `correct + wrong` fresh control tasks now, spreading the wrong ones evenly."""
    tasks = make_tasks(project, correct + wrong, gold=True)
    total = correct + wrong
    wrong_left = wrong
    made = []
    for i, task in enumerate(tasks):
        # Spread mistakes through the series rather than bunching them at the end.
        due = round((i + 1) * wrong / total) if total else 0
        is_wrong = wrong_left > 0 and (wrong - wrong_left) < due
        if is_wrong:
            wrong_left -= 1
        made.append(answer(task=task, worker=worker, label="dog" if is_wrong else "cat"))
    return made


def release(*, project: Project, worker: User, now: datetime | None = None) -> None:
    """Release the worker's feedback on every answer so far, as a release with the smallest
    block and no delay would: for tests of what a release then shows."""
    from django.test import override_settings

    from microwork.quality.feedback import feedback_release_create

    with override_settings(CONTROL_FEEDBACK_DELAY=0, CONTROL_FEEDBACK_MIN_ANSWERS=1):
        feedback_release_create(project=project, worker=worker, now=now or timezone.now())


def pending_answers(*, owner: User, worker: User, operator: User, n: int = 10) -> list[Submission]:
    """A funded project of `owner`'s with `n` answers of `worker`'s waiting for review."""
    project = make_project(owner=owner)
    fund(project, operator)
    return [submit(task=t, worker=worker, label="cat") for t in make_tasks(project, n)]
