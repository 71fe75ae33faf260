"""The fast path stays fast: a bounded number of queries per claim and per submit, whatever
the number of tasks. Other apps' eligibility checks and submission hooks add their own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from microwork.work import eligibility, services
from microwork.work.tests.factories import add_tasks, live_project

# Claim: lock the worker, their leases, the candidate (locked), the re-check, the lease and
# its event, plus the savepoint pair. Submit: the locked assignment with its project, the
# locked task, the slot re-check, the answer, the counter, the status and its event.
CLAIM_QUERIES = 9
SUBMIT_QUERIES = 10


@pytest.fixture
def built_in_checks_only(monkeypatch):
    monkeypatch.setattr(
        eligibility,
        "ELIGIBILITY_CHECKS",
        {"hourly_cap": "microwork.work.fairness.hourly_cap_check"},
    )


@pytest.mark.parametrize("tasks", [30, 3000])
def test_claim_and_submit_use_few_queries(walt, rita, t0, tasks, built_in_checks_only):
    project = live_project(rita)
    add_tasks(project, tasks)
    with CaptureQueriesContext(connection) as claim:
        a = services.assignment_claim(worker=walt, project=project, now=t0)
    with CaptureQueriesContext(connection) as submit:
        services.submission_create(assignment=a, worker=walt, answer="ok", now=t0)
    assert len(claim) <= CLAIM_QUERIES, [q["sql"][:90] for q in claim.captured_queries]
    assert len(submit) <= SUBMIT_QUERIES, [q["sql"][:90] for q in submit.captured_queries]


def test_a_retried_submit_is_two_queries_and_writes_nothing(walt, rita, t0, built_in_checks_only):
    project = live_project(rita)
    add_tasks(project, 3)
    a = services.assignment_claim(worker=walt, project=project, now=t0)
    services.submission_create(assignment=a, worker=walt, answer="ok", now=t0)
    with CaptureQueriesContext(connection) as retry:
        services.submission_create(assignment=a, worker=walt, answer="ok", now=t0)
    writes = [q for q in retry.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert not writes
    assert len(retry) <= 4
