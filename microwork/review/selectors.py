"""Reads of peer review for the requester: each answer sent to reviewers, with every verdict
and reason, for the page, the CSV export and the API."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project
from microwork.review.models import PeerReview, PeerReviewRequest

# The page shows the latest answers; the export and the API page through every one.
PAGE_ROWS = 200


@dataclass
class PeerReviewRow:
    request: PeerReviewRequest
    answer_text: str
    reviews: list[PeerReview] = field(default_factory=list)

    @property
    def accepts(self) -> int:
        return sum(1 for r in self.reviews if r.verdict == PeerReview.Verdict.ACCEPT)


def peer_reviews_for_project(
    *, project: Project, limit: int | None = PAGE_ROWS, offset: int = 0
) -> list[PeerReviewRow]:
    """The project's answers sent to reviewers, newest first, with their reviews in order."""
    qs = (
        PeerReviewRequest.objects.filter(project=project)
        .select_related("submission__task", "submission__worker")
        .order_by("-created_at", "-pk")
    )
    requests = list(qs[offset : offset + limit] if limit is not None else qs[offset:])
    interface = get_interface(project.interface)
    rows = {
        r.pk: PeerReviewRow(
            request=r,
            answer_text=interface.answer_text(
                project.config, r.submission.answer, r.submission.task.data
            ),
        )
        for r in requests
    }
    for review in (
        PeerReview.objects.filter(request_id__in=list(rows))
        .select_related("reviewer")
        .order_by("created_at", "pk")
    ):
        rows[review.request_id].reviews.append(review)
    return list(rows.values())


CSV_COLUMNS = [
    "submission_id",
    "task_id",
    "external_id",
    "worker",
    "answer",
    "status",
    "reviewers_needed",
    "accepts",
    "reviews_in",
    "reviewer",
    "verdict",
    "reason",
    "reviewed_at",
    "decided_at",
]


def peer_review_records(*, project: Project) -> Iterator[dict[str, Any]]:
    """One record per review (an answer not reviewed yet: one record with empty review
    columns), for the CSV export."""
    offset = 0
    while True:
        rows = peer_reviews_for_project(project=project, limit=PAGE_ROWS, offset=offset)
        if not rows:
            return
        for row in rows:
            base = {
                "submission_id": row.request.submission_id,
                "task_id": row.request.submission.task_id,
                "external_id": row.request.submission.task.external_id,
                "worker": row.request.submission.worker.username,
                "answer": row.answer_text,
                "status": row.request.status,
                "reviewers_needed": row.request.reviewers,
                "accepts": row.accepts,
                "reviews_in": len(row.reviews),
                "decided_at": _iso(row.request.decided_at),
            }
            if not row.reviews:
                yield {**base, "reviewer": "", "verdict": "", "reason": "", "reviewed_at": ""}
            for review in row.reviews:
                yield {
                    **base,
                    "reviewer": review.reviewer.username,
                    "verdict": review.verdict,
                    "reason": review.reason,
                    "reviewed_at": _iso(review.created_at),
                }
        offset += PAGE_ROWS


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""
