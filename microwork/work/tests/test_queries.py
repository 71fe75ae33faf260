"""The fast path stays fast: a bounded number of queries per claim and per submit, whatever
the number of tasks. Other apps' eligibility checks and submission hooks add their own."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from microwork.work import eligibility
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.sharing import (
    work_request_create,
    work_request_poll,
    work_rounds_allocate,
)
from microwork.work.services.submitting import submission_create
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
        {"hourly_cap": "microwork.work.selectors.hourly_cap_check"},
    )


# The work app's own statements: the whole path with every hook is bounded further down.
@pytest.mark.without_submission_hooks
@pytest.mark.parametrize("tasks", [30, 3000])
def test_claim_and_submit_use_few_queries(walt, rita, t0, tasks, built_in_checks_only):
    project = live_project(rita)
    add_tasks(project, tasks)
    with CaptureQueriesContext(connection) as claim:
        a = assignment_claim(worker=walt, project=project, now=t0)
    with CaptureQueriesContext(connection) as submit:
        submission_create(assignment=a, worker=walt, answer="ok", now=t0)
    assert len(claim) <= CLAIM_QUERIES, [q["sql"][:90] for q in claim.captured_queries]
    assert len(submit) <= SUBMIT_QUERIES, [q["sql"][:90] for q in submit.captured_queries]


def test_a_retried_submit_is_two_queries_and_writes_nothing(walt, rita, t0, built_in_checks_only):
    project = live_project(rita)
    add_tasks(project, 3)
    a = assignment_claim(worker=walt, project=project, now=t0)
    submission_create(assignment=a, worker=walt, answer="ok", now=t0)
    with CaptureQueriesContext(connection) as retry:
        submission_create(assignment=a, worker=walt, answer="ok", now=t0)
    writes = [q for q in retry.captured_queries if q["sql"].startswith(("INSERT", "UPDATE"))]
    assert not writes
    assert len(retry) <= 4


def test_a_check_in_with_no_round_due_reads_once_and_locks_nothing(rita, walt, nina, t0, rng):
    from datetime import timedelta

    from microwork.work.models import WorkRequest

    project = live_project(rita, overlap=1)
    add_tasks(project, 1)
    assignment_claim(worker=nina, project=project, now=t0)
    request = work_request_create(worker=walt, project=project, now=t0, rng=rng)
    assert isinstance(request, WorkRequest)
    assert work_rounds_allocate(project=project, now=t0, rng=rng) is not None
    with CaptureQueriesContext(connection) as check_in:
        outcome = work_request_poll(
            request=request, worker=walt, now=t0 + timedelta(seconds=2), rng=rng
        )
    assert outcome == request
    sql = [q["sql"] for q in check_in.captured_queries]
    # Keep the request fresh, read its decision together with the round's due time: no lock,
    # no write to the project's queue row, nothing that could queue behind a running round.
    assert len(sql) == 2, sql
    assert not any("FOR UPDATE" in q for q in sql)
    assert not any(q.startswith("UPDATE") and "work_workqueue" in q for q in sql)


def test_the_waiting_page_checks_in_less_often_while_new_work_waits_for_its_first_round(t0):
    from datetime import timedelta

    from microwork.work.fairness import check_in_after

    assert check_in_after(None, t0) == 5
    assert check_in_after(t0 + timedelta(seconds=50), t0) == 15
    assert check_in_after(t0 + timedelta(seconds=8), t0) == 8
    assert check_in_after(t0 + timedelta(seconds=2), t0) == 5


# With every app's hooks, as in production: eligibility (decisions, requirements, the hourly
# cap, an expired HIT, a live project) on the claim; on the submit the live task, the live
# label, the skill and the rules, the earning in the ledger, the funds guard and the webhook
# subscriptions. bench/assignment.py measures what each query costs.
FULL_CYCLE_QUERIES = 47


def test_a_whole_claim_and_submit_with_every_hook_stays_bounded(
    rita, omar, walt, past_opening_round
):
    from microwork.projects.services.projects import project_set_status
    from microwork.work.tests.factories import funded_project, upload_tasks

    project = funded_project(rita, omar, overlap=3)
    upload_tasks(project, 40)
    project_set_status(project=project, actor=rita, status="live")
    past_opening_round()
    counts = []
    for _ in range(3):
        with CaptureQueriesContext(connection) as cycle:
            a = assignment_claim(worker=walt, project=project)
            submission_create(assignment=a, worker=walt, answer="ok", active_ms=900)
        counts.append(len(cycle))
    # The first cycle makes the worker's accounts and skill row; later ones find them.
    assert counts[-1] <= FULL_CYCLE_QUERIES, [q["sql"][:90] for q in cycle.captured_queries]
    assert counts[1] == counts[2], counts


def _shape(captured, *, locks: bool) -> tuple[str, ...]:
    from bench.assignment_ceiling import statement_kind

    kinds = [statement_kind(q["sql"]) for q in captured]
    # Inside a test's own transaction the service's outermost atomic block is a savepoint.
    if kinds and kinds[0] == "SAVEPOINT" and kinds[-1] == "RELEASE":
        kinds[0], kinds[-1] = "BEGIN", "COMMIT"
    if not locks:
        kinds = [kind.split(" FOR UPDATE")[0] for kind in kinds]
    return tuple(kinds)


def test_the_bench_ceiling_sends_the_engines_statements(
    rita, omar, walt, nina, wendy, past_opening_round
):
    """bench/assignment.py's raw-SQL ceiling replays a claim and a submit with every hook,
    statement for statement: if the engine sends other statements, the ceiling must follow
    (run with -s on PostgreSQL to print what the engine sends)."""
    from bench.assignment_ceiling import (
        CLAIM_SHAPE,
        CLAIM_STATEMENTS,
        LAST_ANSWER_SHAPE,
        LAST_ANSWER_STATEMENTS,
        SUBMIT_SHAPE,
        SUBMIT_STATEMENTS,
    )
    from microwork.projects.models import Task
    from microwork.projects.services.projects import project_set_status
    from microwork.work.tests.factories import funded_project, upload_tasks

    project = funded_project(rita, omar, overlap=3)
    upload_tasks(project, 40)
    project_set_status(project=project, actor=rita, status="live")
    past_opening_round()
    workers = [walt, nina, wendy]
    # A worker's first answer makes their ledger account and skill row (the bench makes them
    # up front for its SQL workers); the three then answer one task each time, the third
    # filling it, as the bench's workers do.
    for worker in workers:
        a = assignment_claim(worker=worker, project=project)
        submission_create(assignment=a, worker=worker, answer="ok", active_ms=900)
    locks = connection.features.has_select_for_update
    for _round in range(2):
        for worker in workers:
            with CaptureQueriesContext(connection) as claim:
                a = assignment_claim(worker=worker, project=project)
            with CaptureQueriesContext(connection) as submit:
                submission_create(assignment=a, worker=worker, answer="ok", active_ms=900)
            for sql in (q["sql"] for q in (*claim.captured_queries, *submit.captured_queries)):
                print(sql)
            # The third answer fills the task: its batch is asked for an open task left.
            filled = Task.objects.get(pk=a.task_id).answers_count == project.overlap
            assert filled == (worker == wendy)
            assert len(claim) == CLAIM_STATEMENTS
            assert len(submit) == (LAST_ANSWER_STATEMENTS if filled else SUBMIT_STATEMENTS)
            expected = (CLAIM_SHAPE, LAST_ANSWER_SHAPE if filled else SUBMIT_SHAPE)
            if not locks:
                expected = tuple(
                    tuple(kind.split(" FOR UPDATE")[0] for kind in shape) for shape in expected
                )
            assert (_shape(claim, locks=locks), _shape(submit, locks=locks)) == expected
