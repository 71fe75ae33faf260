"""The webhooks API: the secret is shown once, bad input names its field, the delivery log
shows each attempt."""

import json

import pytest

from microwork.webhooks.models import Subscription


def _call(client, method, path, token, body=None):
    return client.generic(
        method,
        f"/api{path}",
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_secret_is_shown_when_made_and_rotated_and_never_read_back(
    client, rita_token, receiver
):
    made = _call(
        client,
        "POST",
        "/webhooks/subscriptions",
        rita_token,
        {"url": receiver.url, "events": ["answer.submitted", "task.completed"]},
    )
    assert made.status_code == 201, made.content
    secret = made.json()["secret"]
    assert secret.startswith("whsec_")
    sub_id = made.json()["id"]
    read = _call(client, "GET", f"/webhooks/subscriptions/{sub_id}", rita_token)
    assert "secret" not in read.json()
    listed = _call(client, "GET", "/webhooks/subscriptions", rita_token).json()
    assert listed["count"] == 1
    assert "secret" not in listed["items"][0]
    rotated = _call(client, "POST", f"/webhooks/subscriptions/{sub_id}/rotate-secret", rita_token)
    assert rotated.json()["secret"] not in ("", secret)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.org/", "events": ["task.completed"]}, "url"),
        ({"url": "https://example.org/", "events": ["task.exploded"]}, "events"),
        ({"url": "https://example.org/", "events": []}, "events"),
        ({"url": "https://example.org/", "events": ["webhook.test"]}, "events"),
    ],
)
def test_bad_input_is_refused_naming_the_field(client, rita_token, body, field):
    r = _call(client, "POST", "/webhooks/subscriptions", rita_token, body)
    assert r.status_code == 400, r.content
    assert r.json()["field"] == field
    assert not Subscription.objects.exists()


def test_private_addresses_are_refused_when_not_allowed(client, rita_token, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    body = {"url": "http://169.254.169.254/latest", "events": ["task.completed"]}
    r = _call(client, "POST", "/webhooks/subscriptions", rita_token, body)
    assert r.status_code == 400
    assert r.json()["code"] == "private_address"


def test_a_test_event_is_sent_and_its_attempt_is_in_the_log(
    client, rita_token, receiver, django_capture_on_commit_callbacks
):
    made = _call(
        client,
        "POST",
        "/webhooks/subscriptions",
        rita_token,
        {"url": receiver.url, "events": ["task.completed"], "description": "staging"},
    ).json()
    receiver.secret = made["secret"]
    receiver.answers = [418]
    with django_capture_on_commit_callbacks(execute=True):
        sent = _call(client, "POST", f"/webhooks/subscriptions/{made['id']}/test", rita_token)
    assert sent.status_code == 202, sent.content
    assert receiver.received[0].signature_ok
    log = _call(client, "GET", f"/webhooks/subscriptions/{made['id']}/deliveries", rita_token)
    [delivery] = log.json()["items"]
    assert delivery["event"] == "webhook.test"
    assert delivery["status"] == "pending"
    assert delivery["last_status_code"] == 418
    [attempt] = delivery["attempt_log"]
    assert attempt["number"] == 1
    assert attempt["status_code"] == 418
    assert attempt["response_excerpt"] == "ok"
    one = _call(client, "GET", f"/webhooks/deliveries/{delivery['id']}", rita_token).json()
    assert one["next_attempt_at"] is not None


def test_a_paused_subscription_can_be_resumed_and_deleted(client, rita_token, receiver):
    made = _call(
        client,
        "POST",
        "/webhooks/subscriptions",
        rita_token,
        {"url": receiver.url, "events": ["task.completed"]},
    ).json()
    path = f"/webhooks/subscriptions/{made['id']}"
    assert (
        _call(client, "PATCH", path, rita_token, {"is_active": False}).json()["is_active"] is False
    )
    assert _call(client, "PATCH", path, rita_token, {"is_active": True}).json()["is_active"]
    assert _call(client, "DELETE", path, rita_token).status_code == 204
    assert _call(client, "GET", path, rita_token).status_code == 404


def test_the_event_list_is_the_closed_list(client, rita_token):
    names = [e["name"] for e in _call(client, "GET", "/webhooks/events", rita_token).json()]
    assert names == [
        "answer.submitted",
        "task.completed",
        "project.completed",
        "appeal.opened",
        "live_task.answered",
    ]
