"""Rejecting answers against a real database: a listed reason, a confirmation above the
project's share, one decision per answer however often the request comes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from microwork.lib.errors import ApplicationError
from microwork.quality.models import Decision
from microwork.quality.tests.helpers import fund, make_project, make_tasks, submit
from microwork.review import services as review_services
from microwork.work.models import Submission


@pytest.fixture
def project(rita):
    return make_project(owner=rita)


def _pending(project, worker, n):
    return [submit(task=t, worker=worker, label="cat") for t in make_tasks(project, n)]


def test_rejecting_needs_a_listed_reason_and_confirmation_above_the_share(
    project, walt, rita, omar
):
    fund(project, omar)
    subs = _pending(project, walt, 10)
    with pytest.raises(ApplicationError) as exc:
        review_services.submission_reject(submission=subs[0], requester=rita, reason_code="meh")
    assert exc.value.field == "reason"
    for sub in subs[:3]:
        review_services.submission_reject(
            submission=sub, requester=rita, reason_code="wrong_answer"
        )
    with pytest.raises(ApplicationError) as exc:
        review_services.submission_reject(
            submission=subs[3], requester=rita, reason_code="wrong_answer"
        )
    assert exc.value.code == "confirm_needed"
    assert "4 of walt's 10 answers" in exc.value.message
    subs[3].refresh_from_db()
    assert subs[3].status == "pending"
    decision = review_services.submission_reject(
        submission=subs[3], requester=rita, reason_code="wrong_answer", confirm=True
    )
    assert decision.kind == "rejection" and decision.evidence[0]["answer"] == "Cat"
    subs[3].refresh_from_db()
    assert subs[3].status == "rejected"
    # A retried request returns the same decision.
    again = review_services.submission_reject(
        submission=subs[3], requester=rita, reason_code="wrong_answer", confirm=True
    )
    assert again == decision
    assert Decision.objects.filter(kind="rejection").count() == 4


def test_rejecting_old_answers_in_bulk_still_needs_confirming(project, walt, rita, omar):
    fund(project, omar)
    subs = _pending(project, walt, 5)
    Submission.objects.filter(pk__in=[s.pk for s in subs]).update(
        submitted_at=timezone.now() - timedelta(days=2)
    )
    # Walt sent nothing today, yet rejecting all five is all of his work under review.
    with pytest.raises(ApplicationError) as exc:
        review_services.submissions_reject(
            project=project,
            requester=rita,
            submission_ids=[s.pk for s in subs],
            reason_code="spam",
        )
    assert exc.value.code == "confirm_needed"
    assert exc.value.details == {"worker": "walt", "rejections": 5, "answers": 5}
    assert not Decision.objects.exists()
    assert set(Submission.objects.values_list("status", flat=True)) == {"pending"}
