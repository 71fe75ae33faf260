"""A requester blocks a worker from all of its organisation's projects: the worker reads the
reason, is refused work there (not elsewhere), appeals, and the requester's answer decides."""

import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.accounts.models import Organisation
from microwork.lib.errors import ApplicationError
from microwork.quality.models import Appeal, Decision
from microwork.quality.services.appeals import appeal_create, appeal_decide
from microwork.quality.services.blocks import worker_block_create, worker_block_delete
from microwork.quality.tests.helpers import make_project
from microwork.work.eligibility import eligibility_refusal


@pytest.fixture
def acme(rita):
    return Organisation.objects.get(memberships__user=rita)


def _refusal(project, worker):
    found = eligibility_refusal(project=project, worker=worker, now=timezone.now())
    return found[1] if found else None


def test_block_refuses_every_project_of_the_organisation_and_only_those(rita, rob, walt, acme):
    first = make_project(owner=rita)
    second = make_project(owner=rita, name="Second")
    elsewhere = make_project(owner=rob, name="Elsewhere")
    assert _refusal(first, walt) is None

    block = worker_block_create(
        organisation=acme, worker=walt, reason="Copied answers from the web.", actor=rita
    )

    assert block.kind == Decision.Kind.BLOCK and block.project is None
    for project in (first, second):
        refusal = _refusal(project, walt)
        assert refusal and "Acme Labs" in refusal
        assert reverse("quality:decision", args=[block.pk]) in refusal
    assert _refusal(elsewhere, walt) is None
    # A project made after the block is covered too.
    assert _refusal(make_project(owner=rita, name="Later"), walt)
    # Sending the same block again does not stack a second decision.
    again = worker_block_create(organisation=acme, worker=walt, reason="again", actor=rita)
    assert again.pk == block.pk
    assert Decision.objects.filter(kind=Decision.Kind.BLOCK).count() == 1


def test_block_needs_a_reason_and_never_reaches_the_organisations_own_members(rita, walt, acme):
    with pytest.raises(ApplicationError) as exc:
        worker_block_create(organisation=acme, worker=walt, reason="  ", actor=rita)
    assert exc.value.field == "reason"
    with pytest.raises(ApplicationError) as exc:
        worker_block_create(organisation=acme, worker=rita, reason="no", actor=rita)
    assert exc.value.field == "worker"


def test_worker_reads_the_reason_appeals_and_the_requester_reverses(client, rita, walt, acme):
    project = make_project(owner=rita)
    block = worker_block_create(
        organisation=acme, worker=walt, reason="Copied answers from the web.", actor=rita
    )
    client.force_login(walt)
    page = client.get(reverse("quality:decision", args=[block.pk])).content.decode()
    assert "Copied answers from the web." in page and "Acme Labs" in page
    response = client.post(
        reverse("quality:appeal_create", args=[block.pk]),
        {"message": "I typed every answer myself."},
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(decision=block)
    # The requester answers it, not an operator.
    assert appeal.route == Appeal.Route.REQUESTER

    client.force_login(rita)
    blocks_page = client.get(reverse("quality:blocks")).content.decode()
    assert "I typed every answer myself." in blocks_page
    # The project's quality page lists it as well.
    assert (
        "I typed every answer myself."
        in client.get(reverse("quality:project", args=[project.pk])).content.decode()
    )
    client.post(
        reverse("quality:appeal_decide", args=[appeal.pk]),
        {"outcome": "reverse", "response": "Sorry, our mistake."},
    )
    block.refresh_from_db()
    assert block.status == Decision.Status.REVERSED
    assert _refusal(project, walt) is None


def test_another_organisation_cannot_answer_the_appeal(rita, rob, walt, acme):
    block = worker_block_create(organisation=acme, worker=walt, reason="Spam.", actor=rita)
    appeal = appeal_create(worker=walt, decision=block, message="Not spam.")
    from microwork.quality.access import access_appeal_for_decider

    with pytest.raises(Exception):
        access_appeal_for_decider(user=rob, appeal_id=appeal.pk)
    assert access_appeal_for_decider(user=rita, appeal_id=appeal.pk) == appeal
    appeal_decide(appeal=appeal, actor=rita, reverse=False, response="Kept.")
    assert _refusal(make_project(owner=rita), walt)


def test_blocks_page_keeps_what_was_typed_and_lifts(client, rita, walt, acme):
    client.force_login(rita)
    response = client.post(
        reverse("quality:blocks"), {"worker": "nobody-here", "reason": "Rude messages."}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Rude messages." in page and 'value="nobody-here"' in page
    assert "No worker with that username." in page

    response = client.post(reverse("quality:blocks"), {"worker": "walt", "reason": "Rude."})
    assert response.status_code == 302
    block = Decision.objects.get(kind=Decision.Kind.BLOCK, worker=walt)
    client.post(reverse("quality:block_lift", args=[block.pk]))
    block.refresh_from_db()
    assert block.status == Decision.Status.REVERSED
    assert worker_block_delete(organisation=acme, worker=walt, actor=rita) == 0


def test_a_refused_test_form_keeps_what_was_typed_and_names_the_field_in_words(client, rita, acme):
    project = make_project(owner=rita)
    client.force_login(rita)
    response = client.post(
        reverse("quality:test_create", args=[project.pk]),
        {
            "name": "Cats test",
            "question_count": "7",
            "pass_mark": "0.9",
            "all_gold": "on",
            "next": reverse("quality:project", args=[project.pk]),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "ask fewer questions" in page and "question_count." not in page
    assert 'value="Cats test"' in page and 'value="7"' in page and 'value="0.9"' in page
    # Shown once: the next visit starts afresh.
    again = client.get(reverse("quality:project", args=[project.pk])).content.decode()
    assert 'value="Cats test"' not in again
