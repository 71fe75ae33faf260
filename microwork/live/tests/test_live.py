"""Live tasks: offered to one available worker at a time, moved on when not accepted or not
answered in time, closed at the deadline with nothing charged, answered once."""

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.lib.errors import ApplicationError, Conflict
from microwork.live.models import LiveOffer, LiveTask, Standby
from microwork.live.selectors import live_task_out
from microwork.live.services.dispatch import (
    live_offer_accept,
    live_offer_decline,
    live_task_advance,
    live_task_post,
)
from microwork.live.services.setup import live_opt_in, live_setup_save
from microwork.live.services.standby import standby_set, standby_sweep
from microwork.payments.models import CountryPayFloor
from microwork.payments.services.accounts import requester_account
from microwork.payments.services.escrow import escrow_needed
from microwork.work.models import Assignment, Submission
from microwork.work.services.sharing import work_request_create
from microwork.work.services.submitting import submission_create
from microwork.work.tests.factories import live_project

STATEMENT = "Answers are shown at once to shoppers of Acme's chat assistant, under its name."


@pytest.fixture
def project(rita):
    project = live_project(rita, overlap=1, time_limit_seconds=20)
    live_setup_save(project=project, actor=rita, use_statement=STATEMENT, standby_per_hour="9.00")
    return project


def stand_by(project, *workers, now=None):
    for worker in workers:
        live_opt_in(project=project, worker=worker)
        standby_set(project=project, worker=worker, available=True, now=now)


def balance(project):
    return requester_account(project.organisation, project.currency).balance


def walt_and_two_tasks(project, rita, walt, now):
    """Walt alone available, and two live tasks posted: the first offered to him, the second
    waiting for someone free."""
    stand_by(project, walt, now=now)
    return [
        live_task_post(
            project=project, actor=rita, data={"text": text}, deadline_seconds=60, now=now
        )
        for text in ("one", "two")
    ]


def test_set_up_refuses_a_standby_rate_under_the_floor_naming_the_field(rita):
    project = live_project(rita)
    with pytest.raises(ApplicationError) as exc:
        live_setup_save(project=project, actor=rita, use_statement=STATEMENT, standby_per_hour="1")
    assert exc.value.field == "standby_per_hour"


@pytest.mark.parametrize("seconds", [0, 4, 301, "10", True])
def test_a_deadline_out_of_bounds_is_refused_naming_the_field(project, rita, seconds):
    with pytest.raises(ApplicationError) as exc:
        live_task_post(project=project, actor=rita, data={"text": "hi"}, deadline_seconds=seconds)
    assert exc.value.field == "deadline_seconds"
    assert not LiveTask.objects.exists()


def test_no_available_worker_is_said_at_once_and_costs_nothing(project, rita):
    before = balance(project)
    live_task = live_task_post(
        project=project, actor=rita, data={"text": "hi"}, deadline_seconds=30
    )
    assert live_task.status == LiveTask.Status.UNANSWERED
    assert live_task.close_reason == "no_worker_available"
    assert balance(project) == before


def test_time_out_hand_over_and_no_charge_without_an_answer(project, rita, walt, nina):
    now = timezone.now()
    stand_by(project, walt, nina, now=now)
    before = balance(project)
    live_task = live_task_post(
        project=project,
        actor=rita,
        data={"text": "hi"},
        deadline_seconds=60,
        now=now,
        rng=random.Random(1),
    )
    first = LiveOffer.objects.get(live_task=live_task)
    assert first.status == LiveOffer.Status.OFFERED and first.available == 2
    second_worker = nina if first.worker == walt else walt

    # Not accepted within the offer's seconds: the next worker is asked.
    later = first.expires_at + timedelta(seconds=0.1)
    Standby.objects.update(last_seen_at=later)
    live_task_advance(live_task_id=live_task.pk, now=later)
    first.refresh_from_db()
    assert first.status == LiveOffer.Status.LAPSED
    second = LiveOffer.objects.get(live_task=live_task, status=LiveOffer.Status.OFFERED)
    assert second.worker == second_worker

    # Too late to accept the first offer.
    with pytest.raises(Conflict):
        live_offer_accept(offer=first, worker=first.worker, now=later)

    # Accepted, then the worker vanishes: after the project's time limit it is handed over.
    accepted = live_offer_accept(offer=second, worker=second_worker, now=later)
    assignment = accepted.assignment
    assert assignment.expires_at == later + timedelta(seconds=20)
    gone = assignment.expires_at + timedelta(seconds=0.1)
    Standby.objects.update(last_seen_at=gone)
    live_task_advance(live_task_id=live_task.pk, now=gone)
    accepted.refresh_from_db()
    assignment.refresh_from_db()
    assert accepted.status == LiveOffer.Status.HANDED_OVER
    assert assignment.status == Assignment.Status.EXPIRED
    # Both were asked once: nobody is left, so it waits for someone until the deadline.
    live_task.refresh_from_db()
    assert live_task.status == LiveTask.Status.WAITING

    # The vanished worker's late answer is not stored and not paid.
    with pytest.raises(Conflict) as exc:
        submission_create(assignment=assignment, worker=second_worker, answer="ok", now=gone)
    assert exc.value.code == "live_too_late"

    deadline = live_task.deadline + timedelta(seconds=0.1)
    live_task_advance(live_task_id=live_task.pk, now=deadline)
    live_task.refresh_from_db()
    assert live_task.status == LiveTask.Status.UNANSWERED
    assert live_task.close_reason == "deadline"
    assert not Submission.objects.exists()
    # The reservation made at the post went back: the requester paid nothing.
    assert balance(project) == before


def test_answered_once_paid_once_and_a_retried_post_adds_nothing(project, rita, walt):
    now = timezone.now()
    stand_by(project, walt, now=now)
    before = balance(project)
    live_task = live_task_post(
        project=project,
        actor=rita,
        data={"text": "hi"},
        deadline_seconds=30,
        idempotency_key="req-1",
        now=now,
    )
    again = live_task_post(
        project=project,
        actor=rita,
        data={"text": "hi"},
        deadline_seconds=30,
        idempotency_key="req-1",
    )
    assert again.pk == live_task.pk
    offer = LiveOffer.objects.get(live_task=live_task)
    accepted = live_offer_accept(offer=offer, worker=walt, now=now)
    first = submission_create(assignment=accepted.assignment, worker=walt, answer="gory", now=now)
    retry = submission_create(assignment=accepted.assignment, worker=walt, answer="gory", now=now)
    assert retry.pk == first.pk
    live_task.refresh_from_db()
    assert live_task.status == LiveTask.Status.ANSWERED
    assert Submission.objects.count() == 1
    assert balance(project) < before
    # The worker cannot take it from the work page (it is offered, not claimed).
    with pytest.raises(ApplicationError) as exc:
        work_request_create(worker=walt, project=project)
    assert exc.value.details["check"] == "live"


def test_standby_is_paid_for_the_time_available_until_the_page_goes_quiet(project, walt):
    start = timezone.now() - timedelta(hours=1)
    stand_by(project, walt, now=start)
    Standby.objects.update(last_seen_at=start + timedelta(minutes=30))
    standby_sweep(now=timezone.now())
    stretch = Standby.objects.get()
    assert stretch.end_reason == "gone"
    assert stretch.paid == Decimal("4.50")
    standby_sweep(now=timezone.now())
    stretch.refresh_from_db()
    assert stretch.paid == Decimal("4.50")


def test_a_worker_whose_country_floor_is_higher_stands_by_at_that_floor(project, walt, nina):
    # Nigeria's figure is above the project's standby rate; Madagascar has none.
    CountryPayFloor.objects.create(country="NG", per_hour=Decimal("12.00"))
    start = timezone.now() - timedelta(hours=1)
    stand_by(project, walt, nina, now=start)
    Standby.objects.update(last_seen_at=start + timedelta(minutes=30))
    standby_sweep(now=timezone.now())
    paid = dict(Standby.objects.values_list("worker__username", "paid"))
    assert paid == {"walt": Decimal("6.00"), "nina": Decimal("4.50")}


def test_the_live_page_shows_each_worker_their_own_standby_rate(project, walt, client):
    CountryPayFloor.objects.create(country="NG", per_hour=Decimal("12.00"))
    client.force_login(walt)
    page = client.get(reverse("live:home")).content.decode()
    assert "12.00" in page and "9.00" not in page


def test_a_task_wanting_more_answers_than_came_is_answered_with_those_at_the_deadline(rita, walt):
    # Three answers a task, one worker available: one answer by the deadline.
    project = live_project(rita, overlap=3, time_limit_seconds=20)
    live_setup_save(project=project, actor=rita, use_statement=STATEMENT, standby_per_hour="9.00")
    now = timezone.now()
    stand_by(project, walt, now=now)
    before = balance(project)
    live_task = live_task_post(
        project=project, actor=rita, data={"text": "hi"}, deadline_seconds=30, now=now
    )
    offer = live_offer_accept(offer=LiveOffer.objects.get(), worker=walt, now=now)
    submission_create(assignment=offer.assignment, worker=walt, answer="ok", now=now)
    live_task.refresh_from_db()
    assert live_task.status == LiveTask.Status.WAITING  # two more wanted, nobody else there

    after_deadline = live_task.deadline + timedelta(seconds=1)
    Standby.objects.update(last_seen_at=after_deadline)
    live_task = live_task_advance(live_task_id=live_task.pk, now=after_deadline)
    out = live_task_out(live_task)
    assert out["status"] == "answered" and out["charged"] is True
    assert [a["answer"] for a in out["answers"]] == ["ok"]
    assert "1 of the 3 answers" in out["message"]
    # The two answers that never came are given back; the one that came stays reserved.
    assert balance(project) == before - escrow_needed(project, 1) / 3


def test_a_worker_who_answers_is_offered_the_task_waiting_for_someone_at_once(
    project, rita, walt, django_capture_on_commit_callbacks
):
    now = timezone.now()
    # Walt holds the first offer: the second task waits for someone free.
    first, second = walt_and_two_tasks(project, rita, walt, now)
    assert not LiveOffer.objects.filter(live_task=second).exists()
    offer = LiveOffer.objects.get(live_task=first)
    accepted = live_offer_accept(offer=offer, worker=walt, now=now)
    with django_capture_on_commit_callbacks(execute=True):
        submission_create(assignment=accepted.assignment, worker=walt, answer="ok", now=now)
    # Offered the moment his answer is in, not at the waiting task's next look.
    waiting = LiveOffer.objects.get(live_task=second)
    assert waiting.worker == walt and waiting.status == LiveOffer.Status.OFFERED
    second.refresh_from_db()
    assert second.due_at == waiting.expires_at


def test_a_worker_who_declines_is_offered_another_waiting_task_not_the_declined_one(
    project, rita, walt
):
    now = timezone.now()
    first, second = walt_and_two_tasks(project, rita, walt, now)
    live_offer_decline(offer=LiveOffer.objects.get(live_task=first), worker=walt, now=now)
    assert LiveOffer.objects.get(live_task=second).worker == walt
    # The declined one is not offered to him again: it waits for someone else.
    assert list(LiveOffer.objects.filter(live_task=first).values_list("status", flat=True)) == [
        LiveOffer.Status.DECLINED
    ]


def test_a_worker_whose_offer_lapses_is_offered_the_next_waiting_task(
    project, rita, walt, django_capture_on_commit_callbacks
):
    now = timezone.now()
    first, second = walt_and_two_tasks(project, rita, walt, now)
    offer = LiveOffer.objects.get(live_task=first)
    later = offer.expires_at + timedelta(seconds=0.1)
    Standby.objects.update(last_seen_at=later)
    with django_capture_on_commit_callbacks(execute=True):
        live_task_advance(live_task_id=first.pk, now=later)
    offer.refresh_from_db()
    assert offer.status == LiveOffer.Status.LAPSED
    assert LiveOffer.objects.get(live_task=second).worker == walt


@pytest.mark.parametrize("subscribed", [True, False])
def test_the_answer_is_announced_to_the_requesters_webhooks_that_ask_for_it(
    project, rita, walt, subscribed
):
    from microwork.webhooks.events import ANSWER_SUBMITTED, LIVE_TASK_ANSWERED
    from microwork.webhooks.models import Event
    from microwork.webhooks.services.subscriptions import subscription_create

    subscription_create(
        organisation=project.organisation,
        url="https://hooks.acme.example/live",
        events=[LIVE_TASK_ANSWERED if subscribed else ANSWER_SUBMITTED],
        actor=rita,
    )
    now = timezone.now()
    stand_by(project, walt, now=now)
    live_task = live_task_post(
        project=project, actor=rita, data={"text": "hi"}, deadline_seconds=30, now=now
    )
    offer = LiveOffer.objects.get(live_task=live_task)
    accepted = live_offer_accept(offer=offer, worker=walt, now=now)
    submission_create(assignment=accepted.assignment, worker=walt, answer="gory", now=now)
    announced = Event.objects.filter(name=LIVE_TASK_ANSWERED)
    if not subscribed:
        assert not announced.exists()
        return
    event = announced.get()
    assert event.payload["live_task"] == live_task.pk
    assert event.payload["status"] == LiveTask.Status.ANSWERED
    assert [a["answer"] for a in event.payload["answers"]] == ["gory"]


def test_a_project_set_up_for_live_answers_goes_live_with_no_task_uploaded(rita, omar):
    from microwork.projects.services.projects import project_set_status
    from microwork.quality.tests.helpers import fund

    project = live_project(rita, overlap=1, time_limit_seconds=20)
    project.status = "draft"
    project.save(update_fields=["status"])
    fund(project, omar)
    live_setup_save(project=project, actor=rita, use_statement=STATEMENT, standby_per_hour="9.00")
    assert project_set_status(project=project, actor=rita, status="live").status == "live"
