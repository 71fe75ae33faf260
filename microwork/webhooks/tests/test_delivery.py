"""Signed deliveries reach a real receiver on the loopback; a failing receiver gets retries
with back-off, and the delivery log keeps every attempt."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from microwork.accounts.access import access_organisation_for_requester
from microwork.webhooks.events import ANSWER_SUBMITTED, APPEAL_OPENED, TASK_COMPLETED
from microwork.webhooks.models import Attempt, Delivery, Event
from microwork.webhooks.services import delivery as delivery_services
from microwork.webhooks.services.delivery import MAX_ATTEMPTS, backoff, deliveries_due
from microwork.webhooks.services.events import webhook_event_emit, webhook_test_send
from microwork.webhooks.services.subscriptions import (
    subscription_create,
    subscription_rotate_secret,
    subscription_update,
)
from microwork.webhooks.signing import signature_header, verify

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def immediate(immediate_jobs, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 5


@pytest.fixture
def acme(rita):
    return access_organisation_for_requester(user=rita)


def test_a_signed_delivery_reaches_the_receiver_and_its_check_passes(
    acme, rita, immediate, receiver, django_capture_on_commit_callbacks
):
    sub = subscription_create(
        organisation=acme, url=receiver.url, events=[ANSWER_SUBMITTED], actor=rita
    )
    receiver.secret = sub.secret
    with django_capture_on_commit_callbacks(execute=True):
        event = webhook_event_emit(
            organisation=acme,
            event=ANSWER_SUBMITTED,
            payload={"submission_id": 7, "answer": {"label": "cat"}},
            key="answer.submitted:7",
        )
    assert event is not None
    [got] = receiver.received
    assert got.signature_ok
    assert got.headers["Microwork-Event"] == ANSWER_SUBMITTED
    document = json.loads(got.body)
    assert document["type"] == ANSWER_SUBMITTED
    assert document["id"] == f"evt_{event.pk}"
    assert document["data"] == {"submission_id": 7, "answer": {"label": "cat"}}
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED
    assert [a.status_code for a in delivery.attempt_log.all()] == [200]
    # The same key again stores and sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        again = webhook_event_emit(
            organisation=acme, event=ANSWER_SUBMITTED, payload={}, key="answer.submitted:7"
        )
    assert again == event
    assert len(receiver.received) == 1
    assert Delivery.objects.count() == 1


def test_a_forged_or_other_secret_signature_fails_the_check(acme, rita, immediate, receiver):
    sub = subscription_create(organisation=acme, url=receiver.url, events=[TASK_COMPLETED])
    body = b'{"id":"evt_1"}'
    header = signature_header(secrets=[sub.secret], timestamp=1_700_000_000, body=body)
    assert verify(secret=sub.secret, header=header, body=body, now=1_700_000_010)
    assert not verify(secret=sub.secret, header=header, body=body + b" ", now=1_700_000_010)
    assert not verify(secret="whsec_other", header=header, body=body, now=1_700_000_010)
    # A delivery recorded and replayed later is refused by its timestamp.
    assert not verify(secret=sub.secret, header=header, body=body, now=1_700_001_000)


def test_a_receiver_failing_three_times_gets_retries_with_back_off_in_the_log(
    acme, rita, immediate, receiver, django_capture_on_commit_callbacks
):
    sub = subscription_create(organisation=acme, url=receiver.url, events=[APPEAL_OPENED])
    receiver.secret = sub.secret
    receiver.answers = [500, 503, 502]
    with time_machine.travel(T0, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            webhook_event_emit(
                organisation=acme, event=APPEAL_OPENED, payload={"appeal_id": 1}, key="a:1"
            )
        delivery = Delivery.objects.get()
        assert delivery.status == Delivery.Status.PENDING
        assert delivery.next_attempt_at == T0 + backoff(1) == T0 + timedelta(seconds=30)
        # Before the back-off is over the sweep sends nothing.
        clock.move_to(T0 + timedelta(seconds=29))
        assert deliveries_due() == []
        clock.move_to(T0 + timedelta(seconds=30))
        assert deliveries_due() == [delivery.pk]
        delivery.refresh_from_db()
        assert delivery.next_attempt_at == T0 + timedelta(seconds=30) + backoff(2)
        assert backoff(2) == timedelta(minutes=1)
        clock.move_to(T0 + timedelta(seconds=89))
        assert deliveries_due() == []
        clock.move_to(T0 + timedelta(seconds=90))
        assert deliveries_due() == [delivery.pk]
        clock.move_to(T0 + timedelta(seconds=90 + 120))
        assert deliveries_due() == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.DELIVERED
    log = list(delivery.attempt_log.values_list("number", "status_code", "started_at"))
    assert log == [
        (1, 500, T0),
        (2, 503, T0 + timedelta(seconds=30)),
        (3, 502, T0 + timedelta(seconds=90)),
        (4, 200, T0 + timedelta(seconds=210)),
    ]
    assert len(receiver.received) == 4
    assert all(r.signature_ok for r in receiver.received)
    # Every attempt sends the same event: the receiver dedupes on its id.
    assert len({json.loads(r.body)["id"] for r in receiver.received}) == 1
    assert [r.headers["Microwork-Attempt"] for r in receiver.received] == ["1", "2", "3", "4"]


def test_a_receiver_that_never_answers_is_given_up_after_the_last_attempt(
    acme, immediate, django_capture_on_commit_callbacks
):
    # A closed port on the loopback: every attempt is a connection error.
    import socket

    spare = socket.socket()
    spare.bind(("127.0.0.1", 0))
    port = spare.getsockname()[1]
    spare.close()
    subscription_create(organisation=acme, url=f"http://127.0.0.1:{port}/", events=[TASK_COMPLETED])
    with time_machine.travel(T0, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            webhook_event_emit(organisation=acme, event=TASK_COMPLETED, payload={}, key="t:1")
        for _ in range(MAX_ATTEMPTS + 2):
            clock.shift(delivery_services.LONGEST_WAIT)
            deliveries_due()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert delivery.attempts == MAX_ATTEMPTS
    assert Attempt.objects.filter(status_code__isnull=True).count() == MAX_ATTEMPTS
    assert delivery.last_error


def test_events_reach_only_subscriptions_that_want_them(
    acme, rob, immediate, receiver, django_capture_on_commit_callbacks
):
    other = access_organisation_for_requester(user=rob)
    subscription_create(organisation=acme, url=receiver.url, events=[TASK_COMPLETED])
    subscription_create(organisation=other, url=receiver.url, events=[ANSWER_SUBMITTED])
    paused = subscription_create(organisation=acme, url=receiver.url, events=[ANSWER_SUBMITTED])
    subscription_update(subscription=paused, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        nothing = webhook_event_emit(
            organisation=acme, event=ANSWER_SUBMITTED, payload={}, key="s:1"
        )
    assert nothing is None
    assert Event.objects.count() == 0
    assert receiver.received == []


def test_after_a_rotation_both_secrets_sign_until_the_grace_ends(
    acme, immediate, receiver, django_capture_on_commit_callbacks
):
    sub = subscription_create(organisation=acme, url=receiver.url, events=[TASK_COMPLETED])
    old = sub.secret
    rotated = subscription_rotate_secret(subscription=sub)
    assert rotated.secret != old
    receiver.secret = old
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test_send(subscription=rotated)
    assert receiver.received[-1].signature_ok
    receiver.secret = rotated.secret
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test_send(subscription=rotated)
    assert receiver.received[-1].signature_ok
    assert json.loads(receiver.received[-1].body)["type"] == "webhook.test"
