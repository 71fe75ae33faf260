"""Withdrawal: open tasks given back, personal data erased through every eraser, the
requester told which items went, the payment kept."""

import json

from django.urls import reverse
from django.utils import timezone

from microwork.inbox.models import Notification
from microwork.inbox.selectors import inbox_lines
from microwork.ledger.models import Entry
from microwork.ledger.selectors import worker_balances
from microwork.privacy.models import Consent, Deletion, Withdrawal
from microwork.privacy.services.consent import consent_give, consent_withdraw
from microwork.work.models import Assignment, WorkRequest
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import assignment_save_draft, submission_create


def call(client, method, url, token, body=None):
    return getattr(client, method)(
        url,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def _answered_and_open(project, walt):
    """Walt agreed, answered one task (and was paid for it) and holds a second with a draft."""
    consent_give(project=project, worker=walt)
    done = assignment_claim(worker=walt, project=project)
    submission_create(assignment=done, worker=walt, answer="ok")
    open_one = assignment_claim(worker=walt, project=project)
    assignment_save_draft(assignment=open_one, worker=walt, draft="gory")
    return done, open_one


def test_withdrawal_gives_back_erases_notifies_and_keeps_the_pay(
    client, walt, walt_token, rita, project, tasks, recorded_erasures
):
    done, open_one = _answered_and_open(project, walt)
    entries = Entry.objects.count()
    balance = worker_balances(user=walt, currency="USD")
    assert balance.pending > 0

    r = call(client, "delete", f"/api/work/projects/{project.pk}/consent", walt_token)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["assignments_returned"] == [open_one.pk]
    # The test eraser names the answered task, the drafts eraser the open one.
    assert body["tasks_erased"] == sorted([done.task_id, open_one.task_id])

    open_one.refresh_from_db()
    assert open_one.status == Assignment.Status.RETURNED and open_one.draft is None
    assert recorded_erasures == [{"project": project.pk, "worker": walt.pk, "reason": "withdrawal"}]
    consent = Consent.objects.get(worker=walt, project=project)
    assert consent.withdrawn_at is not None
    deletion = Deletion.objects.get(worker=walt, project=project)
    assert deletion.reason == Deletion.Reason.WITHDRAWAL
    assert deletion.items == {"drafts": [open_one.task_id], "test": [done.task_id]}

    # The requester is told which items went.
    [note] = Notification.objects.filter(user=rita, kind="personal_data_deleted")
    assert note.params["tasks"] == sorted([done.task_id, open_one.task_id])
    [line] = inbox_lines(user=rita)
    assert "withdrew their consent" in line.text and str(done.task_id) in line.text

    # No money moved back: the books are exactly as they were.
    assert Entry.objects.count() == entries
    assert worker_balances(user=walt, currency="USD") == balance

    # No consent, no task any more.
    r = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token)
    assert r.status_code == 400 and r.json()["details"] == {"check": "consent"}


def test_a_retried_withdrawal_returns_the_first(walt, project, tasks, recorded_erasures):
    _answered_and_open(project, walt)
    first = consent_withdraw(project=project, worker=walt)
    again = consent_withdraw(project=project, worker=walt)
    assert again.pk == first.pk
    assert Withdrawal.objects.count() == 1 and Deletion.objects.count() == 1
    assert len(recorded_erasures) == 1


def test_withdrawal_leaves_the_waiting_round(walt, project, tasks):
    consent_give(project=project, worker=walt)
    now = timezone.now()
    WorkRequest.objects.create(
        worker=walt,
        project=project,
        status=WorkRequest.Status.WAITING,
        requested_at=now,
        last_seen_at=now,
    )
    consent_withdraw(project=project, worker=walt)
    assert not WorkRequest.objects.filter(status=WorkRequest.Status.WAITING).exists()


def test_nothing_to_withdraw_is_not_found(client, walt_token, project):
    r = call(client, "delete", f"/api/work/projects/{project.pk}/consent", walt_token)
    assert r.status_code == 404 and r.json()["code"] == "no_consent"


def test_another_workers_consent_is_untouched(walt, nina, project, tasks):
    consent_give(project=project, worker=walt)
    consent_give(project=project, worker=nina)
    consent_withdraw(project=project, worker=walt)
    assert Consent.objects.get(worker=nina).withdrawn_at is None


def test_withdraw_from_the_page(client, walt, project, tasks):
    consent_give(project=project, worker=walt)
    client.force_login(walt)
    mine = client.get(reverse("privacy:home")).content.decode()
    assert project.name in mine and "Withdraw my consent" in mine
    r = client.post(reverse("privacy:withdraw", args=[project.pk]))
    assert r.status_code == 302
    assert Consent.objects.get(worker=walt).withdrawn_at is not None
    mine = client.get(reverse("privacy:home"), follow=True).content.decode()
    assert "Consent withdrawn" in mine or "withdrawn on" in mine


def test_operators_read_consents_in_the_admin_and_cannot_change_them(client, omar, walt, project):
    consent_give(project=project, worker=walt)
    # Omar with every permission: only the admin's own read-only rule stops him.
    omar.is_superuser = True
    omar.save(update_fields=["is_superuser"])
    client.force_login(omar)
    listing = client.get("/admin/privacy/consent/")
    assert listing.status_code == 200 and "walt" in listing.content.decode()
    assert client.get("/admin/privacy/consent/add/").status_code == 403
