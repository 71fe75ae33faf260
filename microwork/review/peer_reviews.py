"""Peer review: for a kind whose answers are reviewed rather than aggregated, each answer goes
to `review_overlap` other workers, who accept or reject it with a reason (the `answer_review`
kind). When they are all in, the answer is approved (at least `review_threshold` of them
accept) or rejected with their reasons, through the same approval and rejection as a
requester's, so the worker reads why and can appeal as always.

The review tasks live in a companion project of the same organisation (`Project.review_of`),
made on the first answer to check, paid from the same funds at `review_reward`: reviewers find
it, claim it, are paid and measured like on any project. Each answer gets one review task with
`review_overlap` answers, so no reviewer checks the same answer twice, and the task's
`excluded_worker` keeps it from the answer's author. Reviewers never see who answered, and the
worker never sees who reviewed (docs/decisions/0006-peer-review.md)."""

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.lib.errors import Conflict
from microwork.payments.models import SubmissionReview
from microwork.payments.services import earnings as payments_earnings
from microwork.projects.interfaces import get_interface
from microwork.projects.interfaces.review import ACCEPT
from microwork.projects.models import Project, Task
from microwork.projects.services.project_checks import MAX_INSTRUCTIONS
from microwork.projects.services.projects import (
    project_create,
    project_set_status,
    project_update,
)
from microwork.projects.services.tasks import task_add
from microwork.review import services as review_services
from microwork.review.models import PeerReview, PeerReviewRequest
from microwork.work.models import Submission

R = PeerReviewRequest.Status
P = Project.Status
REVIEW_KIND = "answer_review"
MAX_CHECKED_TEXT = 20_000


def submission_peer_review(*, submission: Submission) -> None:
    """The submit's `review` hook (work.hooks.SUBMISSION_HOOKS), in its transaction: an
    answer to a project with peer review on gets its review task; a reviewer's answer in a
    review project is recorded, and the last one decides."""
    project = submission.project
    if project.review_of_id is not None:
        _verdict_record(submission)
    elif project.review_overlap and get_interface(project.interface).reviewed_for(project.config):
        _request_create(submission)


# --- sending an answer to reviewers ----------------------------------------------------------


def _request_create(submission: Submission) -> PeerReviewRequest | None:
    existing = PeerReviewRequest.objects.filter(submission=submission).first()
    if existing is not None:
        return existing
    task = submission.task
    if task.is_gold:
        # A control answer is judged against its known answer, not by other workers.
        return None
    project = submission.project
    companion = _review_project(project)
    if companion is None:
        return None
    review_task = task_add(
        project=companion,
        actor=project.created_by,
        data=_review_data(project, submission),
        external_id=f"answer-{submission.pk}",
        excluded_worker=submission.worker,
    )
    request = PeerReviewRequest.objects.create(
        submission=submission,
        project=project,
        task=review_task,
        reviewers=project.review_overlap,
        threshold=project.review_threshold,
        created_at=timezone.now(),
    )
    if companion.status == P.DRAFT:
        # Made just now: it goes live with its first task (a project needs one to go live).
        project_set_status(project=companion, actor=project.created_by, status=P.LIVE)
    return request


def _review_data(project: Project, submission: Submission) -> dict[str, Any]:
    """The review task: the original task and the answer, shown with the original kind's own
    view. Nothing says who answered, and a control's expected answer is never copied."""
    interface = get_interface(project.interface)
    return {
        "checked_answer": interface.answer_text(
            project.config, submission.answer, submission.task.data
        )[:MAX_CHECKED_TEXT]
        or "—",
        "source": {
            "interface": project.interface,
            "config": project.config,
            "data": submission.task.data,
            "answer": submission.answer,
        },
    }


def _review_project(project: Project) -> Project | None:
    """The project's companion review project, made on the first answer to check and kept in
    step with the reviewed project's review settings. None when the requester has completed
    or archived it: answers then wait for the requester's own verdict."""
    companion = Project.objects.filter(review_of=project).first()
    if companion is None:
        # Two first answers at once would make two companions: the project row decides.
        Project.objects.select_for_update().filter(pk=project.pk).first()
        companion = Project.objects.filter(review_of=project).first()
    if companion is None:
        return _review_project_create(project)
    if companion.status in (P.COMPLETED, P.ARCHIVED):
        return None
    changes: dict[str, Any] = {}
    if companion.reward != project.review_reward:
        changes["reward"] = project.review_reward
    if companion.overlap != project.review_overlap:
        changes["overlap"] = project.review_overlap
    if changes:
        try:
            with transaction.atomic():
                companion = project_update(
                    project=companion, actor=project.created_by, changes=changes
                )
        except Conflict:
            # Reviewers were told a price: once reviews are in it only rises.
            pass
    return companion


def _review_project_create(project: Project) -> Project:
    # Only the requester's own instructions are stored: the platform's guidance for reviewers
    # is written by the review task's page, in each reviewer's language.
    instructions = project.instructions
    companion = project_create(
        organisation=project.organisation,
        actor=project.created_by,
        name=(_("Review: %(name)s") % {"name": project.name})[:200],
        description=_(
            "Check other workers' answers to “%(name)s”: accept or reject each, saying why."
        )
        % {"name": project.name[:150]},
        instructions=instructions[:MAX_INSTRUCTIONS],
        interface=REVIEW_KIND,
        config={"question": ""},
        reward=project.review_reward,
        currency=project.currency,
        estimated_seconds=project.estimated_seconds,
        overlap=project.review_overlap,
        time_limit_seconds=project.time_limit_seconds,
        gold_rate=Decimal(0),
        auto_approve_seconds=project.auto_approve_seconds,
        # Reviewers see the reviewed task, pictures and all: the same declaration protects them.
        disturbing_content=project.disturbing_content,
    )
    Project.objects.filter(pk=companion.pk).update(review_of=project)
    companion.review_of = project
    return companion


# --- a reviewer's verdict --------------------------------------------------------------------


def _verdict_record(submission: Submission) -> PeerReview | None:
    request = (
        PeerReviewRequest.objects.select_for_update()
        .select_related("submission__project", "task__project")
        .filter(task_id=submission.task_id)
        .first()
    )
    if request is None:
        return None
    answer = submission.answer or {}
    review, _created = PeerReview.objects.get_or_create(
        review_submission=submission,
        defaults={
            "request": request,
            "reviewer": submission.worker,
            "verdict": answer.get("verdict", ""),
            "reason": answer.get("reason", ""),
            "created_at": submission.submitted_at,
        },
    )
    if request.status != R.OPEN:
        return review
    original = request.submission
    original.refresh_from_db(fields=["status"])
    if original.status != Submission.Status.PENDING:
        # Decided meanwhile (the requester, a rule, the approval period): the reviews end.
        _cancel(request)
        return review
    reviews = list(request.reviews.order_by("created_at", "pk"))
    needed = min(request.reviewers, request.task.project.overlap)
    if len(reviews) >= needed:
        _decide(request, original, reviews)
    return review


def _decide(request: PeerReviewRequest, original: Submission, reviews: list[PeerReview]) -> None:
    now = timezone.now()
    accepts = sum(1 for r in reviews if r.verdict == ACCEPT)
    accepted = Decimal(accepts) / Decimal(len(reviews)) >= request.threshold
    summary = [{"verdict": r.verdict, "reason": r.reason} for r in reviews]
    inputs = {
        "rule": "peer_review",
        "reviewers": len(reviews),
        "accepts": accepts,
        "threshold": str(request.threshold),
    }
    if accepted:
        done = payments_earnings.earning_approve(
            submission=original,
            rule=SubmissionReview.Rule.PEER_REVIEW,
            inputs={**inputs, "reviews": summary},
            now=now,
        )
        request.status = R.ACCEPTED if done else R.CANCELLED
    else:
        decision = review_services.submission_reject_by_peers(
            submission=original, reviews=summary, inputs=inputs, now=now
        )
        request.status = R.REJECTED if decision is not None else R.CANCELLED
        request.decision = decision
    request.decided_at = now
    request.save(update_fields=["status", "decided_at", "decision"])
    if request.status != R.CANCELLED:
        outcome = ACCEPT if accepted else "reject"
        for r in reviews:
            PeerReview.objects.filter(pk=r.pk).update(agrees=r.verdict == outcome)
    # Enough reviewers: nobody else is handed this task.
    Task.objects.filter(pk=request.task_id).update(done=True)


def _cancel(request: PeerReviewRequest) -> None:
    review_services.peer_reviews_cancel(submission_ids=[request.submission_id])
