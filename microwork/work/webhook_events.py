"""What a requester's webhooks hear from the submit: the answer, and when it is the one that
completes its task (and the task the last one of its project), those too; and the same
completion events when a re-estimate closes a task without a new answer. A submit hook, last
in SUBMISSION_HOOKS: by then aggregation may have closed the task early (dynamic overlap) and
every hook that may refuse the answer has run. The events are stored in the submit's
transaction and sent after it commits (microwork/webhooks/services/events.py), so a refused
answer sends nothing and the worker never waits on a receiver."""

from typing import Any

from microwork.projects.models import Project, Task
from microwork.webhooks.events import ANSWER_SUBMITTED, PROJECT_COMPLETED, TASK_COMPLETED
from microwork.webhooks.selectors import events_wanted
from microwork.webhooks.services.events import webhook_event_emit
from microwork.work.models import Submission


def _task_complete(task: Task, overlap: int) -> bool:
    return task.done or task.answers_count >= overlap


def submission_webhooks(*, submission: Submission) -> None:
    project = submission.project
    organisation = project.organisation
    wanted = events_wanted(organisation=organisation)
    if not wanted:
        # Most organisations have no webhooks: the submit pays one small query for them.
        return
    task = Task.objects.only("id", "external_id", "is_gold", "answers_count", "done").get(
        pk=submission.task_id
    )
    common: dict[str, Any] = {
        "project_id": project.pk,
        "task_id": task.pk,
        "external_id": task.external_id,
    }
    if ANSWER_SUBMITTED in wanted:
        webhook_event_emit(
            organisation=organisation,
            event=ANSWER_SUBMITTED,
            key=f"{ANSWER_SUBMITTED}:{submission.pk}",
            project=project,
            payload={
                **common,
                "submission_id": submission.pk,
                "worker": submission.worker.username,
                "answer": submission.answer,
                "active_seconds": round(submission.active_ms / 1000, 1),
                "submitted_at": submission.submitted_at,
            },
        )
    # Controls are the requester's own checks, not work they wait for.
    if task.is_gold or not _task_complete(task, project.overlap):
        return
    # Keyed by the completing answer: a task reopened (a rejected answer) and completed
    # again is a new event, a retried submit is not.
    task_completion_webhooks(project=project, task=task, cause=f"{submission.pk}", wanted=wanted)


def task_completion_webhooks(
    *, project: Project, task: Task, cause: str, wanted: set[str] | None = None
) -> None:
    """`task` has all its answers (or was closed early, confident enough): tell the
    requester, and that the project is complete when it was its last open task. `cause` names
    what completed it, so a retry of the same cause sends nothing twice. Called by the submit
    hook above and by the re-estimate that closes confident tasks without a new answer
    (microwork/aggregation/services/overlap.py)."""
    organisation = project.organisation
    if wanted is None:
        wanted = events_wanted(organisation=organisation)
    if TASK_COMPLETED in wanted:
        webhook_event_emit(
            organisation=organisation,
            event=TASK_COMPLETED,
            key=f"{TASK_COMPLETED}:{cause}",
            project=project,
            payload={
                "project_id": project.pk,
                "task_id": task.pk,
                "external_id": task.external_id,
                "answers_count": task.answers_count,
            },
        )
    if PROJECT_COMPLETED not in wanted:
        return
    open_tasks = (
        Task.objects.filter(project_id=project.pk, is_gold=False, done=False)
        .filter(answers_count__lt=project.overlap)
        .exists()
    )
    if not open_tasks:
        webhook_event_emit(
            organisation=organisation,
            event=PROJECT_COMPLETED,
            key=f"{PROJECT_COMPLETED}:{cause}",
            project=project,
            payload={
                "project_id": project.pk,
                "tasks": Task.objects.filter(project_id=project.pk, is_gold=False).count(),
            },
        )
