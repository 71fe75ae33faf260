"""A refused quality form comes back with what was typed, and its reason names the input as
the page labels it: the worker's appeal, the operator's suspension, the requester's grant,
requirement and rule forms."""

import pytest
from django.urls import reverse

from microwork.accounts.models import Organisation
from microwork.quality.models import Appeal, Decision, ProjectRequirement, QualificationGrant
from microwork.quality.services.appeals import appeal_create
from microwork.quality.services.blocks import worker_block_create
from microwork.quality.services.qualifications import qualification_create
from microwork.quality.tests.helpers import make_project


@pytest.fixture
def acme(rita):
    return Organisation.objects.get(memberships__user=rita)


def test_a_refused_appeal_keeps_what_the_worker_wrote(client, rita, walt, acme):
    block = worker_block_create(organisation=acme, worker=walt, reason="Spam.", actor=rita)
    client.force_login(walt)
    page_url = reverse("quality:decision", args=[block.pk])
    r = client.post(
        reverse("quality:appeal_create", args=[block.pk]),
        {"message": "I never sent spam. " * 220, "next": page_url},
        follow=True,
    )
    assert r.redirect_chain[-1][0] == page_url
    page = r.content.decode()
    assert "Keep the message under 4000 characters." in page
    assert "I never sent spam. I never sent spam." in page and 'aria-invalid="true"' in page
    assert not Appeal.objects.exists()


def test_a_refused_answer_to_an_appeal_keeps_what_was_written(client, rita, walt, acme):
    block = worker_block_create(organisation=acme, worker=walt, reason="Spam.", actor=rita)
    appeal = appeal_create(worker=walt, decision=block, message="Not spam.")
    client.force_login(rita)
    back = reverse("quality:blocks")
    r = client.post(
        reverse("quality:appeal_decide", args=[appeal.pk]),
        {"outcome": "uphold", "response": "We checked. " * 400, "appeal": appeal.pk, "next": back},
        follow=True,
    )
    page = r.content.decode()
    assert "Keep the answer under 4000 characters." in page
    assert "We checked. We checked." in page
    appeal.refresh_from_db()
    assert appeal.is_open


def test_a_refused_suspension_names_the_days_in_words_and_keeps_the_reason(client, omar, walt):
    client.force_login(omar)
    r = client.post(
        reverse("quality:operator_suspend"),
        {
            "username": "walt",
            "reason": "Copied answers.",
            "days": "-2",
            "next": reverse("quality:operator"),
        },
        follow=True,
    )
    page = r.content.decode()
    assert "“Days (empty: until lifted)” must be a whole number" in page
    assert "days must be" not in page
    assert 'value="walt"' in page and "Copied answers.</textarea>" in page
    assert 'name="days" value="-2" aria-invalid="true"' in page
    assert not Decision.objects.filter(worker=walt).exists()


def test_a_refused_grant_keeps_the_username_typed(client, rita, acme):
    project = make_project(owner=rita)
    qualification_create(organisation=acme, name="Careful", description="")
    client.force_login(rita)
    back = reverse("quality:project", args=[project.pk])
    qualification = acme.qualifications.get()
    r = client.post(
        reverse("quality:grant_add", args=[project.pk]),
        {"qualification_id": qualification.pk, "worker": "nobody-here", "value": "7", "next": back},
        follow=True,
    )
    page = r.content.decode()
    assert "No worker with that username." in page
    assert 'value="nobody-here" aria-invalid="true"' in page and 'value="7"' in page
    assert not QualificationGrant.objects.exists()


def test_a_refused_requirement_keeps_its_choices_and_values(client, rita):
    project = make_project(owner=rita)
    client.force_login(rita)
    back = reverse("quality:project", args=[project.pk])
    r = client.post(
        reverse("quality:requirement_add", args=[project.pk]),
        {"subject": "language", "comparator": "==", "values": "en, fr", "next": back},
        follow=True,
    )
    page = r.content.decode()
    assert "Only the comparator “in” takes several values." in page
    assert 'name="values" value="en, fr" aria-invalid="true"' in page
    assert '<option value="language" selected>' in page
    assert not ProjectRequirement.objects.exists()


def test_a_refused_pause_length_is_named_in_hours_not_seconds(client, rita):
    project = make_project(owner=rita)
    client.force_login(rita)
    r = client.post(
        reverse("quality:rule_save", args=[project.pk]),
        {
            "rule_key": "gold_accuracy",
            "enabled": "on",
            "threshold": "0.8",
            "action": "pause",
            "pause_hours": "0",
            "next": reverse("quality:project", args=[project.pk]),
        },
        follow=True,
    )
    page = r.content.decode()
    assert "“Pause length (hours)” must be a whole number from 1 to 2160." in page
    assert "pause_seconds" not in page
    assert 'name="pause_hours" value="0" aria-invalid="true"' in page
