"""New work reaching workers: every release (a project going live, a batch added now or at an
announced time) opens with a round that serves everyone who asked in its first minute
together, least served first; and "tell me when there is new work" is honoured at the next
release, even for a project that has run dry."""

import random
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from microwork.inbox.models import Notification
from microwork.projects.services.projects import project_set_status, project_update
from microwork.work import releases
from microwork.work.fairness import OPENING_ROUND_SECONDS
from microwork.work.models import Assignment, Release, WorkRequest
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.housekeeping import work_housekeeping
from microwork.work.services.sharing import work_request_create, work_rounds_allocate
from microwork.work.services.submitting import submission_create
from microwork.work.tests.factories import funded_project, make_worker, upload_tasks

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
OPENING = timedelta(seconds=OPENING_ROUND_SECONDS)


@pytest.fixture
def clock():
    with time_machine.travel(T, tick=False) as traveller:
        yield traveller


def at(clock, seconds):
    moment = T + timedelta(seconds=seconds)
    clock.move_to(moment)
    return moment


def ask(worker, project, now, seed=0):
    return work_request_create(worker=worker, project=project, now=now, rng=random.Random(seed))


def check_in(clock, workers, project, start, end):
    """The waiting page of each worker checks in every 5 seconds from `start` to `end`."""
    for second in range(start, end, 5):
        for worker in workers:
            ask(worker, project, at(clock, second))


def answer(assignment, worker, now):
    return submission_create(assignment=assignment, worker=worker, answer="ok", now=now)


@pytest.fixture
def dry_project(clock, rita, omar):
    # Rita's live project whose first 2 tasks have both been answered by Fay, the regular.
    project = funded_project(rita, omar)
    upload_tasks(project, 2)
    project = project_set_status(project=project, actor=rita, status="live")
    fay = make_worker("fay")
    now = at(clock, 120)
    for _ in range(2):
        outcome = ask(fay, project, now)
        assert isinstance(outcome, WorkRequest | Assignment)
        now = at(clock, (now - T).total_seconds() + 61)
        outcome = ask(fay, project, now)
        assert isinstance(outcome, Assignment), outcome
        answer(outcome, fay, now)
    project.refresh_from_db()
    return project, fay


def test_a_batch_dropped_on_a_live_project_goes_to_the_least_served_not_the_fastest(
    clock, dry_project
):
    project, fay = dry_project
    others = [make_worker(name) for name in ("gus", "hana", "ivo")]
    released = at(clock, 1000)
    upload_tasks(project, 3, start=10)
    # Fay watches the project and clicks the very moment the tasks appear; the others come
    # up to 50 seconds later. Nobody is handed a task during the opening minute.
    assert isinstance(ask(fay, project, released), WorkRequest)
    for i, worker in enumerate(others):
        assert isinstance(
            ask(worker, project, released + timedelta(seconds=10 + 20 * i)), WorkRequest
        )
    for tap in range(5):
        assert isinstance(ask(fay, project, released + timedelta(seconds=tap + 1)), WorkRequest)
    check_in(clock, [fay, *others], project, 1055, 1060)
    assert not Assignment.objects.filter(status="leased").exists()
    # The first round after the minute: Fay had 2 tasks, the others none.
    first_round = at(clock, 1000 + OPENING_ROUND_SECONDS)
    for worker in [fay, *others]:
        ask(worker, project, first_round)
    holders = set(
        Assignment.objects.filter(status="leased").values_list("worker__username", flat=True)
    )
    assert holders == {"gus", "hana", "ivo"}
    fay_request = WorkRequest.objects.get(worker=fay, status="waiting")
    assert fay_request.received_in_window == 2 and fay_request.rank == 4


def test_going_live_opens_with_a_round_for_everyone_who_asked_in_its_first_minute(
    clock, rita, omar
):
    project = funded_project(rita, omar)
    upload_tasks(project, 2)
    project = project_set_status(project=project, actor=rita, status="live")
    release = Release.objects.get(project=project)
    assert (release.reason, release.batch, release.opens_at) == ("went_live", None, T)
    workers = [make_worker(f"w{i}") for i in range(4)]
    for i, worker in enumerate(workers):
        assert isinstance(ask(worker, project, at(clock, 5 + 12 * i)), WorkRequest)
    # Rounds do not run during the opening minute, whoever checks in.
    check_in(clock, workers, project, 45, 60)
    assert work_rounds_allocate(project=project, now=at(clock, 58)) is None
    assert not Assignment.objects.exists()
    work_rounds_allocate(project=project, now=at(clock, 60), rng=random.Random(3))
    assert Assignment.objects.count() == 2
    assert WorkRequest.objects.filter(status="granted").count() == 2
    # All four, the first to ask and the last, were ranked in that one round; the two it
    # could not serve stay in line.
    requests = list(WorkRequest.objects.filter(worker__in=workers))
    assert len(requests) == 4
    assert len({r.round_id for r in requests}) == 1 and requests[0].round_id is not None
    assert sorted(r.rank for r in requests) == [1, 2, 3, 4]
    assert sorted(r.status for r in requests) == ["granted", "granted", "waiting", "waiting"]


def test_a_batch_announced_for_later_is_handed_out_by_no_path_before_its_time(
    clock, dry_project, rob
):
    project, fay = dry_project
    opens = T + timedelta(hours=2)
    at(clock, 1000)
    batch = upload_tasks(project, 2, start=10, opens_at=opens)
    release = Release.objects.get(batch=batch)
    assert release.announced and release.opens_at == opens
    gus = make_worker("gus")
    early = at(clock, 1100)
    # Neither the engine nor the Start button hands out tasks announced for later.
    assert assignment_claim(worker=gus, project=project, now=early) is None
    assert ask(gus, project, early) is None
    assert not WorkRequest.objects.filter(worker=gus).exists()
    later = releases.announced_releases(projects=[project.pk], now=early)
    assert later == {project.pk: (opens, 2)}
    releases.opening_subscribe(worker=gus, project=project, now=early)
    # Housekeeping tells the subscriber at the announced moment, and not before.
    assert work_housekeeping(now=opens - timedelta(minutes=1))["notified"] == 0
    clock.move_to(opens)
    assert work_housekeeping(now=opens)["notified"] == 1
    assert Notification.objects.filter(user=gus, params__project_id=project.pk).count() == 1
    # In its opening minute the tasks go to nobody; the round after it serves the line.
    assert isinstance(ask(fay, project, opens + timedelta(seconds=2)), WorkRequest)
    assert isinstance(ask(gus, project, opens + timedelta(seconds=45)), WorkRequest)
    assert isinstance(ask(fay, project, opens + timedelta(seconds=50)), WorkRequest)
    assert not Assignment.objects.filter(status="leased").exists()
    ask(gus, project, opens + OPENING)
    ask(fay, project, opens + OPENING)
    assert Assignment.objects.filter(status="leased").count() == 2


def test_notify_me_on_a_dry_project_is_honoured_at_the_next_release_only(clock, dry_project):
    project, fay = dry_project
    now = at(clock, 500)
    assert ask(fay, project, now) is None
    releases.opening_subscribe(worker=fay, project=project, now=now)
    assert work_housekeeping(now=at(clock, 600))["notified"] == 0
    at(clock, 700)
    upload_tasks(project, 1, start=10)
    assert Notification.objects.filter(user=fay, params__project_id=project.pk).count() == 1
    # Told once; a later batch tells her again only if she asks again.
    at(clock, 900)
    upload_tasks(project, 1, start=20)
    assert Notification.objects.filter(user=fay).count() == 1
    releases.opening_subscribe(worker=fay, project=project, now=at(clock, 950))
    at(clock, 1000)
    for status in ("paused", "live"):
        project_set_status(project=project, actor=project.created_by, status=status)
    assert Notification.objects.filter(user=fay).count() == 2


def test_waiting_on_a_project_that_runs_out_ends_and_offers_to_tell(clock, dry_project):
    project, fay = dry_project
    at(clock, 1000)
    upload_tasks(project, 1, start=10)
    gus, hana = make_worker("gus"), make_worker("hana")
    for worker in (gus, hana):
        assert isinstance(ask(worker, project, at(clock, 1045)), WorkRequest)
    now = at(clock, 1000 + OPENING_ROUND_SECONDS)
    outcomes = {w.username: ask(w, project, now) for w in (gus, hana)}
    winner = next(w for w in (gus, hana) if isinstance(outcomes[w.username], Assignment))
    loser = hana if winner == gus else gus
    # The task is being answered: the other stays in line in case it comes back.
    assert isinstance(ask(loser, project, at(clock, 1066)), WorkRequest)
    answer(outcomes[winner.username], winner, at(clock, 1070))
    # Every task has its answers now: the next round tells the other there is nothing left.
    assert ask(loser, project, at(clock, 1072)) is None
    assert WorkRequest.objects.filter(worker=loser).latest("id").status == WorkRequest.Status.DRY


def test_the_home_and_waiting_pages_offer_to_tell_and_show_the_rules(client, clock, dry_project):
    project, fay = dry_project
    project_update(project=project, actor=project.created_by, changes={"hourly_cap_per_worker": 4})
    at(clock, 1000)
    upload_tasks(project, 2, start=10, opens_at=T + timedelta(hours=3))
    client.force_login(fay)
    html = client.get("/work/").content.decode()
    assert "No task for you right now" in html
    assert "2 new tasks open at 2 Mar 2026, 12:00 UTC." in html
    assert "At most 4 tasks per person per hour" in html
    assert f"/work/p/{project.pk}/notify/" in html
    r = client.post(f"/work/p/{project.pk}/notify/", follow=True)
    assert "We will tell you when Image moderation has new tasks" in r.content.decode()
    assert "You asked to be told" in r.content.decode()
    # Starting anyway explains when work comes back.
    r = client.post(f"/work/p/{project.pk}/start/", follow=True)
    assert "New tasks open at 2 Mar 2026, 12:00 UTC" in r.content.decode()


def test_the_waiting_page_explains_the_opening_round(client, clock, dry_project):
    project, fay = dry_project
    at(clock, 1000)
    upload_tasks(project, 1, start=10)
    client.force_login(fay)
    at(clock, 1005)
    r = client.post(f"/work/p/{project.pk}/start/")
    assert r["Location"] == f"/work/p/{project.pk}/wait/"
    html = client.get(r["Location"]).content.decode()
    assert "Everyone who asks before 09:17:40 UTC is in the same first round" in html
    assert f"/work/p/{project.pk}/notify/" in html
    assert "for their first minute nobody is given them" in html
