"""The requester's webhook pages: subscribe, see the secret once, read the delivery log, in
English and French."""

import re

import pytest

from microwork.lib.l10n import datetime_text
from microwork.webhooks.models import Subscription
from microwork.webhooks.services.subscriptions import subscription_create


def test_subscribing_shows_the_secret_once_then_the_log(client, rita, receiver):
    client.force_login(rita)
    r = client.post(
        "/webhooks/",
        {"url": receiver.url, "events": ["answer.submitted", "appeal.opened"], "description": ""},
    )
    assert r.status_code == 200
    sub = Subscription.objects.get()
    assert sub.secret in r.content.decode()
    assert sub.events == ["answer.submitted", "appeal.opened"]
    again = client.get(f"/webhooks/{sub.pk}/")
    assert sub.secret not in again.content.decode()
    assert client.get("/webhooks/").content.decode().count(receiver.url) == 1


def test_a_bad_address_is_shown_beside_its_field(client, rita):
    client.force_login(rita)
    r = client.post("/webhooks/", {"url": "ftp://example.org/", "events": ["task.completed"]})
    assert r.status_code == 400
    assert "http:// or https://" in r.content.decode()
    assert 'value="ftp://example.org/"' in r.content.decode()
    assert not Subscription.objects.exists()


def test_the_test_button_sends_and_the_log_shows_the_answer(
    client, rita, receiver, django_capture_on_commit_callbacks
):
    client.force_login(rita)
    from microwork.accounts.access import access_organisation_for_requester

    sub = subscription_create(
        organisation=access_organisation_for_requester(user=rita),
        url=receiver.url,
        events=["task.completed"],
    )
    receiver.secret = sub.secret
    receiver.answers = [503]
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/webhooks/{sub.pk}/test/")
    assert r.status_code == 302
    page = client.get(f"/webhooks/{sub.pk}/").content.decode()
    assert "HTTP 503" in page
    # The log's times read as on every other page, with their time zone, not as raw ISO.
    delivery = sub.deliveries.get()
    assert f"{datetime_text(delivery.created_at)} UTC" in page
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", page)
    assert "webhook.test" in page
    rotated = client.post(f"/webhooks/{sub.pk}/rotate/")
    sub.refresh_from_db()
    assert sub.secret in rotated.content.decode()
    client.post(f"/webhooks/{sub.pk}/pause/")
    sub.refresh_from_db()
    assert not sub.is_active
    client.post(f"/webhooks/{sub.pk}/delete/")
    assert not Subscription.objects.exists()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_pages_open_in_both_languages(client, rita, language):
    rita.language = language
    rita.save()
    client.force_login(rita)
    r = client.get("/webhooks/", headers={"accept-language": language})
    assert r.status_code == 200


def test_workers_are_refused(client, walt):
    client.force_login(walt)
    assert client.get("/webhooks/").status_code == 403


def test_a_refused_edit_is_the_page_again_with_what_was_typed(client, rita):
    from microwork.accounts.access import access_organisation_for_requester

    sub = subscription_create(
        organisation=access_organisation_for_requester(user=rita),
        actor=rita,
        url="https://example.org/hook",
        events=["task.completed"],
        description="Old",
    )
    client.force_login(rita)
    r = client.post(
        f"/webhooks/{sub.pk}/edit/",
        {"url": "ftp://example.org/", "events": ["task.completed"], "description": "New one"},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert 'value="ftp://example.org/"' in page and 'value="New one"' in page
    assert "http:// or https://" in page
    sub.refresh_from_db()
    assert sub.url == "https://example.org/hook" and sub.description == "Old"
