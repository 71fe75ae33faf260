"""Answering a task: the stored answer (once per assignment, whatever the retries) and the
draft kept while the worker is still on it."""

import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.lib.errors import ApplicationError, Conflict
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project, Task
from microwork.work import scheduler
from microwork.work.hooks import submission_hooks_run
from microwork.work.models import Assignment, Submission
from microwork.work.services.claiming import check_owner, record_event
from microwork.work.services.files import answer_files_attach, answer_files_check

# A draft is a half-picked answer, not a document: a few hundred bytes is plenty and keeps a
# phone's retries cheap.
# Enough for a long transcript, a few hundred boxes or a full form; a draft is one JSON
# value kept on the lease, so it stays far below a request body's limit.
DRAFT_MAX_BYTES = 64 * 1024

Status = Assignment.Status


def clean_active_ms(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ApplicationError(
            _("active_ms must be a whole number of milliseconds, 0 or more."),
            code="invalid_active_ms",
            field="active_ms",
        )
    return value


def elapsed_ms(assignment: Assignment, now: datetime) -> int:
    start = assignment.first_leased_at or assignment.leased_at
    return max(0, int((now - start).total_seconds() * 1000))


def _gold_correct(interface, project: Project, task: Task, answer: Any) -> bool | None:
    if not task.is_gold:
        return None
    try:
        expected = interface.check_answer(project.config, task.data, task.gold_answer)
    except ApplicationError:
        # A gold answer the interface no longer accepts (the labels changed) judges nobody.
        return None
    return bool(interface.answer_matches(project.config, task.data, answer, expected))


@transaction.atomic
def submission_create(
    *,
    assignment: Assignment,
    worker: User,
    answer: Any,
    active_ms: int = 0,
    now: datetime | None = None,
) -> Submission:
    """Store a worker's answer. The assignment is the idempotency key: a repeat (a retry over
    a bad connection, a double tap) returns the first submission and counts nothing again.
    A paused or completed project still takes answers within their lease; an archived one
    takes none (`_check_project_takes_answer`)."""
    now = now or timezone.now()
    check_owner(assignment, worker)
    active_ms = clean_active_ms(active_ms)
    locked = (
        # The organisation too: the earning hook books against its escrow.
        Assignment.objects.select_related("project__organisation")
        .select_for_update(of=("self",))
        .get(pk=assignment.pk)
    )
    if locked.status == Status.SUBMITTED:
        return Submission.objects.get(assignment_id=locked.pk)
    if locked.status in (Status.SKIPPED, Status.RETURNED):
        raise Conflict(
            _("You skipped or returned this task, so it can no longer be answered."),
            code=f"assignment_{locked.status}",
        )
    project = locked.project
    lease_valid = locked.status == Status.LEASED and locked.expires_at > now
    _check_project_takes_answer(project, lease_valid)
    task = Task.objects.select_for_update().get(pk=locked.task_id)
    interface = get_interface(project.interface)
    clean = interface.check_answer(project.config, task.data, answer)
    files = answer_files_check(
        assignment=locked, interface=interface, config=project.config, answer=clean
    )
    if not scheduler.has_free_slot(
        task_id=task.pk,
        overlap=project.overlap,
        now=now,
        exclude_assignment=locked.pk,
        ignore_done=lease_valid,
    ):
        if lease_valid:
            raise Conflict(_("This task already has all the answers it needs."), code="task_full")
        raise Conflict(
            _("This task was given to someone else after your time ran out."), code="lease_lost"
        )
    elapsed = elapsed_ms(locked, now)
    submission = Submission.objects.create(
        assignment=locked,
        project=project,
        task=task,
        worker=worker,
        answer=clean,
        active_ms=min(max(locked.active_ms, active_ms), elapsed),
        elapsed_ms=elapsed,
        submitted_at=now,
        gold_correct=_gold_correct(interface, project, task, clean),
    )
    answer_files_attach(submission=submission, files=files)
    Task.objects.filter(pk=task.pk).update(answers_count=F("answers_count") + 1)
    old = locked.status
    locked.status = Status.SUBMITTED
    locked.ended_at = now
    locked.active_ms = submission.active_ms
    locked.save(update_fields=["status", "ended_at", "active_ms"])
    record_event(
        locked, old, Status.SUBMITTED, "submitted" if lease_valid else "submitted_late", now
    )
    submission_hooks_run(submission=submission)
    return submission


def _check_project_takes_answer(project: Project, lease_valid: bool) -> None:
    """The rule for answers when the requester has stopped the project (its status is read
    with the locked assignment): a worker who took a task before a pause or completion
    finished it in good faith, so the answer is accepted and paid while the lease runs. Only
    a live project takes late answers. An archived project takes none: its results are final
    and its money settled."""
    if project.status == Project.Status.LIVE:
        return
    if project.status == Project.Status.ARCHIVED:
        raise Conflict(
            _("The requester has archived this project, so it takes no more answers."),
            code="project_archived",
        )
    if not lease_valid:
        raise Conflict(
            _(
                "The requester stopped this project and your time for this task ran out, so "
                "the answer can no longer be accepted."
            ),
            code="project_stopped",
        )


@transaction.atomic
def assignment_save_draft(
    *,
    assignment: Assignment,
    worker: User,
    draft: Any,
    active_ms: int | None = None,
    now: datetime | None = None,
) -> Assignment:
    """Keep the half-done answer and the visible time so far, for any device to continue.

    `active_ms` is the total the page has counted, not an increment, so a retried save cannot
    add the same seconds twice; the larger total wins."""
    now = now or timezone.now()
    check_owner(assignment, worker)
    size = len(json.dumps(draft, separators=(",", ":")).encode())
    if size > DRAFT_MAX_BYTES:
        raise ApplicationError(
            _("The draft is %(size)d bytes; at most %(max)d are kept.")
            % {"size": size, "max": DRAFT_MAX_BYTES},
            code="draft_too_large",
            field="draft",
        )
    if active_ms is not None:
        active_ms = clean_active_ms(active_ms)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.status != Status.LEASED:
        raise Conflict(
            _("This task is no longer open, so its draft cannot change."), code="not_open"
        )
    locked.draft = draft
    locked.draft_saved_at = now
    if active_ms is not None:
        locked.active_ms = max(locked.active_ms, min(active_ms, elapsed_ms(locked, now)))
    locked.save(update_fields=["draft", "draft_saved_at", "active_ms"])
    return locked
