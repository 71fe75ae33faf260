"""Identical review requests racing through the API, as a double click, a client's retries or
two open tabs send them: each answer is rejected, approved or its appeal answered once, and
exactly one response says it made the change. Each thread is its own web worker with its own
database connection, against PostgreSQL (SQLite takes one writer at a time: no race there)."""

import json
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.test import Client

from microwork.accounts.access import access_organisation_for_requester
from microwork.ledger.models import Transaction
from microwork.ledger.services.check import ledger_check
from microwork.ledger.services.deposits import deposit_record
from microwork.payments.models import SubmissionReview
from microwork.payments.tests.conftest import answer, go_live, make_project
from microwork.quality.models import Appeal, AppealEvent, Decision
from microwork.quality.services.appeals import appeal_create
from microwork.review import services as review_services
from microwork.work.models import Submission

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
]

THREADS = 10


@pytest.fixture(autouse=True)
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite has a single writer, so requests cannot race there")


@pytest.fixture
def submission(rita, walt, omar):
    acme = access_organisation_for_requester(user=rita)
    deposit_record(organisation=acme, amount="10", currency="USD", reference="r", actor=omar)
    project = go_live(make_project(acme, rita, tasks=2), rita)
    return answer(project, walt)


def race(paths_and_bodies, token):
    """POST each (path, body) from its own thread, all released at once; the responses."""
    barrier = threading.Barrier(len(paths_and_bodies))
    responses: list = [None] * len(paths_and_bodies)
    errors: list[BaseException] = []

    def post(i):
        path, body = paths_and_bodies[i]
        try:
            client = Client()
            barrier.wait()
            responses[i] = client.post(
                path,
                json.dumps(body),
                content_type="application/json",
                headers={"Authorization": f"Bearer {token}"},
            )
        except BaseException as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(i,)) for i in range(len(paths_and_bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    return responses


REJECT = {"reason": "wrong_answer", "confirm": True}


def test_ten_parallel_rejects_of_one_answer_reject_it_once(submission, rita_token):
    responses = race([(f"/api/submissions/{submission.pk}/reject", REJECT)] * THREADS, rita_token)

    assert [r.status_code for r in responses] == [200] * THREADS
    bodies = [r.json() for r in responses]
    assert Counter(b["changed"] for b in bodies) == {True: 1, False: THREADS - 1}
    decisions = Decision.objects.filter(submission=submission, kind=Decision.Kind.REJECTION)
    assert decisions.count() == 1
    assert {b["decision_id"] for b in bodies} == {decisions.get().pk}
    assert SubmissionReview.objects.filter(submission=submission, action="rejected").count() == 1
    assert Transaction.objects.filter(kind="rejection", submission_id=submission.pk).count() == 1
    submission.refresh_from_db()
    assert submission.status == Submission.Status.REJECTED
    assert ledger_check().ok


def test_rejects_through_both_endpoints_at_once_record_one_decision(submission, rita_token):
    paths = [
        f"/api/submissions/{submission.pk}/reject",
        f"/api/quality/submissions/{submission.pk}/reject",
    ]
    responses = race([(paths[i % 2], REJECT) for i in range(THREADS)], rita_token)

    assert [r.status_code for r in responses] == [200] * THREADS
    decision = Decision.objects.get(submission=submission, kind=Decision.Kind.REJECTION)
    money = [r.json() for i, r in enumerate(responses) if i % 2 == 0]
    quality = [r.json() for i, r in enumerate(responses) if i % 2 == 1]
    assert {b["decision_id"] for b in money} == {decision.pk}
    assert {b["id"] for b in quality} == {decision.pk}
    assert sum(b["changed"] for b in money) <= 1
    assert SubmissionReview.objects.filter(submission=submission, action="rejected").count() == 1


def test_ten_parallel_approvals_pay_once_and_one_says_so(submission, rita_token):
    responses = race([(f"/api/submissions/{submission.pk}/approve", {})] * THREADS, rita_token)

    assert [r.status_code for r in responses] == [200] * THREADS
    assert Counter(r.json()["changed"] for r in responses) == {True: 1, False: THREADS - 1}
    assert {r.json()["status"] for r in responses} == {"approved"}
    assert Transaction.objects.filter(kind="approval", submission_id=submission.pk).count() == 1
    assert ledger_check().ok


def test_approvals_racing_rejections_settle_the_answer_once(submission, rita_token):
    calls = [
        (f"/api/submissions/{submission.pk}/approve", {})
        if i % 2
        else (f"/api/submissions/{submission.pk}/reject", REJECT)
        for i in range(THREADS)
    ]
    responses = race(calls, rita_token)

    # Whichever came first wins; the others find the answer settled: a rejection of an
    # approved answer is refused (409), everything else reports no change.
    assert {r.status_code for r in responses} <= {200, 409}
    changed = [r.json().get("changed") for r in responses if r.status_code == 200]
    assert changed.count(True) == 1
    submission.refresh_from_db()
    reviews = SubmissionReview.objects.filter(submission=submission)
    assert reviews.count() == 1
    assert reviews.get().action == submission.status
    assert ledger_check().ok


def test_ten_parallel_answers_to_one_appeal_answer_it_once(submission, rita, walt, rita_token):
    rejection = review_services.submission_reject(
        submission=submission, requester=rita, reason_code="wrong_answer", confirm=True
    )
    appeal = appeal_create(worker=walt, decision=rejection, message="It was right.")
    body = {"reverse": True, "response": "You were right."}
    responses = race([(f"/api/quality/appeals/{appeal.pk}/decide", body)] * THREADS, rita_token)

    assert Counter(r.status_code for r in responses) == {200: 1, 409: THREADS - 1}
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_answered"}
    appeal.refresh_from_db()
    assert appeal.status == Appeal.Status.REVERSED
    assert AppealEvent.objects.filter(appeal=appeal, new_status=Appeal.Status.REVERSED).count() == 1
    assert Transaction.objects.filter(kind="overturn", submission_id=submission.pk).count() == 1
    assert ledger_check().ok


def test_ten_parallel_bonuses_with_one_request_key_pay_once(submission, walt, rita_token):
    body = {"worker_ids": [walt.pk], "amount": "0.50", "message": "Thanks!", "request_key": "k1"}
    path = f"/api/projects/{submission.project_id}/bonuses"
    responses = race([(path, body)] * THREADS, rita_token)

    assert [r.status_code for r in responses] == [201] * THREADS
    assert Transaction.objects.filter(kind="bonus").count() == 1
    assert ledger_check().ok
