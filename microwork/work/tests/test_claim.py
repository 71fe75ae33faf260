from datetime import timedelta
from decimal import Decimal

import pytest

from microwork.lib.errors import ApplicationError
from microwork.projects.models import Project, Task
from microwork.work import eligibility
from microwork.work.models import Assignment, AssignmentEvent
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.giving_back import assignment_return, assignment_skip
from microwork.work.services.submitting import assignment_save_draft, submission_create
from microwork.work.tests.factories import add_tasks, live_project


def test_claim_leases_a_task_until_the_time_limit(walt, project, tasks, t0):
    assignment = assignment_claim(worker=walt, project=project, now=t0)
    assert assignment.status == Assignment.Status.LEASED
    assert assignment.expires_at == t0 + timedelta(seconds=project.time_limit_seconds)
    assert assignment.first_leased_at == t0
    assert AssignmentEvent.objects.filter(assignment=assignment, reason="claimed").count() == 1


def test_a_second_claim_resumes_the_open_lease(walt, project, tasks, t0):
    # Walt taps Start twice (or opens the app on his phone too): one lease, not two.
    first = assignment_claim(worker=walt, project=project, now=t0)
    again = assignment_claim(worker=walt, project=project, now=t0 + timedelta(seconds=5))
    assert again.pk == first.pk
    assert Assignment.objects.filter(worker=walt).count() == 1


def test_max_open_per_worker_allows_several_leases(walt, rita, t0):
    project = live_project(rita, max_open_per_worker=3)
    add_tasks(project, 5)
    got = {assignment_claim(worker=walt, project=project, now=t0).pk for _ in range(5)}
    assert len(got) == 3
    assert Assignment.objects.filter(worker=walt, status="leased").count() == 3


def test_open_leases_count_against_overlap(walt, nina, wendy, xavi, rita, t0):
    project = live_project(rita, overlap=3)
    add_tasks(project, 1)
    for worker in (walt, nina, wendy):
        assert assignment_claim(worker=worker, project=project, now=t0) is not None
    # Three people hold the only task: Xavi gets nothing until one of them lets go.
    assert assignment_claim(worker=xavi, project=project, now=t0) is None


def test_expired_lease_frees_the_slot_without_any_sweeper(walt, nina, rita, t0):
    project = live_project(rita, overlap=1, time_limit_seconds=60)
    add_tasks(project, 1)
    assignment_claim(worker=walt, project=project, now=t0)
    assert assignment_claim(worker=nina, project=project, now=t0 + timedelta(seconds=59)) is None
    later = assignment_claim(worker=nina, project=project, now=t0 + timedelta(seconds=60))
    assert later is not None and later.worker == nina


def test_own_lapsed_lease_comes_back_with_its_draft(walt, rita, t0):
    project = live_project(rita, overlap=1, time_limit_seconds=60)
    add_tasks(project, 2)
    first = assignment_claim(worker=walt, project=project, now=t0)
    assignment_save_draft(assignment=first, worker=walt, draft="gory", now=t0)
    back = assignment_claim(worker=walt, project=project, now=t0 + timedelta(seconds=90))
    assert back.pk == first.pk
    assert back.draft == "gory"
    assert back.expires_at == t0 + timedelta(seconds=150)
    assert back.first_leased_at == t0


def test_lapsed_lease_whose_slot_was_taken_is_closed(walt, nina, rita, t0):
    project = live_project(rita, overlap=1, time_limit_seconds=60)
    add_tasks(project, 2)
    first = assignment_claim(worker=walt, project=project, now=t0)
    taken = assignment_claim(worker=nina, project=project, now=t0 + timedelta(seconds=61))
    assert taken.task_id == first.task_id
    other = assignment_claim(worker=walt, project=project, now=t0 + timedelta(seconds=62))
    first.refresh_from_db()
    assert first.status == Assignment.Status.EXPIRED
    assert other.task_id != first.task_id


def test_worker_never_gets_a_task_answered_skipped_or_returned(walt, rita, t0):
    project = live_project(rita, overlap=3)
    add_tasks(project, 3)
    a = assignment_claim(worker=walt, project=project, now=t0)
    submission_create(assignment=a, worker=walt, answer="ok", now=t0)
    b = assignment_claim(worker=walt, project=project, now=t0)
    assignment_skip(assignment=b, worker=walt, now=t0)
    c = assignment_claim(worker=walt, project=project, now=t0)
    assignment_return(assignment=c, worker=walt, now=t0)
    assert len({a.task_id, b.task_id, c.task_id}) == 3
    assert assignment_claim(worker=walt, project=project, now=t0) is None


def test_done_tasks_are_never_handed_out(walt, project, t0):
    tasks = add_tasks(project, 2)
    Task.objects.filter(pk=tasks[0].pk).update(done=True)
    assert assignment_claim(worker=walt, project=project, now=t0).task_id == tasks[1].pk


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Project.Status.PAUSED, "project_paused"),
        (Project.Status.DRAFT, "project_draft"),
        (Project.Status.COMPLETED, "project_completed"),
    ],
)
def test_claim_is_refused_when_the_project_is_not_live(walt, project, tasks, t0, status, code):
    Project.objects.filter(pk=project.pk).update(status=status)
    project.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        assignment_claim(worker=walt, project=project, now=t0)
    assert exc.value.code == code
    assert not Assignment.objects.exists()


def test_claim_is_refused_before_the_project_opens(walt, rita, t0):
    project = live_project(rita, opens_at=t0 + timedelta(hours=1))
    add_tasks(project, 2)
    with pytest.raises(ApplicationError) as exc:
        assignment_claim(worker=walt, project=project, now=t0)
    assert exc.value.code == "project_not_open"
    assert not Assignment.objects.exists()


def refuse_nina(*, project, worker, now):
    return "You need the Image moderation qualification." if worker.username == "nina" else None


def test_eligibility_checks_can_refuse_a_worker(walt, nina, project, tasks, t0, monkeypatch):
    monkeypatch.setitem(
        eligibility.ELIGIBILITY_CHECKS, "quality", "microwork.work.tests.test_claim.refuse_nina"
    )
    with pytest.raises(ApplicationError) as exc:
        assignment_claim(worker=nina, project=project, now=t0)
    assert exc.value.code == "not_eligible"
    assert "qualification" in exc.value.message
    assert exc.value.details == {"check": "quality"}
    assert not Assignment.objects.filter(worker=nina).exists()
    assert assignment_claim(worker=walt, project=project, now=t0) is not None


def test_hourly_cap_is_explained(walt, rita, t0):
    project = live_project(rita, hourly_cap_per_worker=2, overlap=1)
    add_tasks(project, 5)
    for minute in (0, 10):
        a = assignment_claim(worker=walt, project=project, now=t0 + timedelta(minutes=minute))
        submission_create(
            assignment=a, worker=walt, answer="ok", now=t0 + timedelta(minutes=minute)
        )
    with pytest.raises(ApplicationError) as exc:
        assignment_claim(worker=walt, project=project, now=t0 + timedelta(minutes=20))
    assert exc.value.details == {"check": "hourly_cap"}
    assert "10:00" in exc.value.message
    # An hour after the first start, one more is allowed.
    assert assignment_claim(worker=walt, project=project, now=t0 + timedelta(minutes=60))


def test_depth_first_finishes_partly_answered_tasks_first(walt, nina, wendy, rita, t0):
    project = live_project(rita, overlap=2)
    tasks = add_tasks(project, 3)
    a = assignment_claim(worker=walt, project=project, now=t0)
    assert a.task_id == tasks[0].pk
    submission_create(assignment=a, worker=walt, answer="ok", now=t0)
    assert assignment_claim(worker=nina, project=project, now=t0).task_id == tasks[0].pk
    assert assignment_claim(worker=wendy, project=project, now=t0).task_id == tasks[1].pk


def test_breadth_first_gives_every_task_its_first_answer_first(walt, nina, wendy, rita, t0):
    project = live_project(rita, overlap=3, order=Project.Order.BREADTH_FIRST)
    tasks = add_tasks(project, 3)
    got = [assignment_claim(worker=w, project=project, now=t0).task_id for w in (walt, nina, wendy)]
    assert got == [t.pk for t in tasks]


def test_priority_order_serves_high_priority_tasks_first(walt, rita, t0):
    project = live_project(rita, order=Project.Order.PRIORITY)
    add_tasks(project, 2)
    urgent = add_tasks(project, 1, priority=5)[0]
    assert assignment_claim(worker=walt, project=project, now=t0).task_id == urgent.pk


def test_gold_tasks_are_mixed_in_at_the_gold_rate(rita, t0, rng):
    from microwork.work.tests.factories import make_worker

    project = live_project(rita, overlap=1, gold_rate=Decimal("0.25"))
    add_tasks(project, 400, gold=400)
    gold = 0
    for i in range(40):
        worker = make_worker(f"w{i}")
        for _ in range(5):
            a = assignment_claim(worker=worker, project=project, now=t0, rng=rng)
            gold += a.task.is_gold
            submission_create(assignment=a, worker=worker, answer="ok", now=t0)
    # 200 claims at 25 %: 50 expected; 30–70 holds with overwhelming probability for seed 7.
    assert 30 <= gold <= 70


def test_gold_is_never_given_twice_to_the_same_worker(walt, rita, t0, rng):
    project = live_project(rita, overlap=1, gold_rate=Decimal("1"))
    add_tasks(project, 5, gold=2)
    seen = []
    for _ in range(3):
        a = assignment_claim(worker=walt, project=project, now=t0, rng=rng)
        seen.append(a.task_id)
        submission_create(assignment=a, worker=walt, answer="ok", now=t0)
    assert len(set(seen)) == 3
