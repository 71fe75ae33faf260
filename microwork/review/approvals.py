"""Approving every pending answer of a project: at once when there are few, as a background
job when there are many, which reports its progress (lib/progress.py) to the review page
while the requester waits: how many answers are approved of how many, and the time left.

Each answer is approved in its own transaction (services.submissions_approve), so a job that
stops half-way keeps what it did and running it again approves only what is still pending."""

from pathlib import Path

from django.conf import settings
from django.db import transaction

from microwork.accounts.models import User
from microwork.lib.progress import JobProgress, ProgressView, read_progress
from microwork.lib.registry import loaded
from microwork.projects.models import Project
from microwork.review import services
from microwork.work.models import Submission

# Approving one answer pays the worker and posts its ledger entries: a few milliseconds
# each, so this many stay well inside one request; beyond, the job takes them.
APPROVE_AT_ONCE = 200
APPROVE_PHASES = (("count", 1.0), ("approve", 20.0))
APPROVE_ALL_JOB = "microwork.review.tasks.approve_all_task"


def approve_progress_path(project: Project) -> Path:
    return Path(settings.MEDIA_ROOT) / "progress" / f"approve-{project.pk}.json"


def approve_all_progress(project: Project) -> ProgressView | None:
    """The running approval of all pending answers; None when none is queued or running."""
    return read_progress(approve_progress_path(project))


def approve_all_start(*, project: Project, actor: User) -> int | None:
    """Approve every pending answer: at once when there are at most APPROVE_AT_ONCE (returns
    how many), else in a background job whose progress the review page shows (returns None;
    a second ask while one runs queues nothing more)."""
    pending = Submission.objects.filter(project=project, status=Submission.Status.PENDING)
    if pending.count() <= APPROVE_AT_ONCE:
        return services.submissions_approve(project=project, actor=actor)
    path = approve_progress_path(project)
    if path.exists():
        return None
    JobProgress(path, APPROVE_PHASES).announce()
    job = loaded(APPROVE_ALL_JOB)
    transaction.on_commit(lambda: job.enqueue(project_id=project.pk, actor_id=actor.pk))
    return None


def approve_all_run(*, project_id: int, actor_id: int) -> int:
    """The background job's body: count what is pending, then approve it answer by answer,
    reporting each phase with its counts."""
    project = Project.objects.get(pk=project_id)
    actor = User.objects.get(pk=actor_id)
    tracker = JobProgress(approve_progress_path(project), APPROVE_PHASES)
    try:
        tracker.start("count", 1)
        total = Submission.objects.filter(project=project, status=Submission.Status.PENDING).count()
        tracker.finish("count")
        tracker.start("approve", total)
        done = services.submissions_approve(
            project=project, actor=actor, on_progress=lambda n: tracker.advance("approve", n)
        )
        tracker.finish("approve")
        return done
    finally:
        tracker.remove()


def approve_all_recover(*, project_id: int, actor_id: int, reason: str, retry: bool) -> None:
    """The recovery hook of the job (JOB_RECOVERY): a job that will not run again leaves no
    progress behind, so the page stops showing it and the requester may ask again."""
    if not retry:
        project = Project.objects.filter(pk=project_id).first()
        if project is not None:
            approve_progress_path(project).unlink(missing_ok=True)
