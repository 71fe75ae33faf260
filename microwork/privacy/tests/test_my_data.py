"""A worker's own data: the download holds their answers, decisions and money; deleting the
account erases what is personal and keeps what the books and the requesters need."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from microwork.inbox.models import Notification
from microwork.ledger.models import Account, Entry
from microwork.ledger.selectors import worker_balances
from microwork.lib.errors import Conflict
from microwork.payments.services.earnings import earning_approve
from microwork.privacy.models import AccountDeletion, Consent, Deletion
from microwork.privacy.services.account import account_delete
from microwork.privacy.services.consent import consent_give
from microwork.quality.models import Decision
from microwork.work.models import Assignment, Submission
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import submission_create


def _answer(project, worker, answer="ok"):
    consent_give(project=project, worker=worker)
    assignment = assignment_claim(worker=worker, project=project)
    return submission_create(assignment=assignment, worker=worker, answer=answer)


def _download(client, user):
    client.force_login(user)
    r = client.get(reverse("privacy:download"))
    assert r.status_code == 200 and r.streaming
    assert "attachment" in r["Content-Disposition"]
    return json.loads(b"".join(r.streaming_content))


def test_the_download_holds_answers_decisions_and_money(client, walt, rita, project, tasks):
    submission = _answer(project, walt, answer="gory")
    Decision.objects.create(
        worker=walt,
        project=project,
        kind=Decision.Kind.WARNING,
        rule_key="too_fast",
        inputs={"median_ms": 900},
        starts_at=timezone.now(),
        outcome="A warning: answers faster than anyone could read the task.",
    )
    data = _download(client, walt)
    assert data["profile"][0]["username"] == "walt"
    assert data["profile"][0]["country"] == "NG"
    [answer] = data["answers"]
    assert answer["answer"] == "gory" and answer["assignment_id"] == submission.assignment_id
    [decision] = data["decisions"]
    assert decision["rule"] == "too_fast" and "faster" in decision["outcome"]
    assert data["consents"][0]["text"].startswith("The project")
    earned = [m for m in data["money"] if Decimal(m["amount"]) > 0]
    assert earned and earned[0]["currency"] == "USD"
    assert sum(Decimal(m["amount"]) for m in data["money"]) == Decimal("0.05")
    assert data["payouts"] == [] and data["appeals"] == []


def test_the_download_through_the_api_is_the_same_document(client, walt, walt_token):
    r = client.get("/api/work/me/data", headers={"Authorization": f"Bearer {walt_token}"})
    assert r.status_code == 200
    data = json.loads(b"".join(r.streaming_content))
    assert data["profile"][0]["email"] == "walt@example.org"
    assert list(data) == [
        "generated_at",
        "profile",
        "consents",
        "deletions",
        "answers",
        "files",
        "decisions",
        "appeals",
        "money",
        "payouts",
    ]


def test_a_download_shows_nobody_elses_data(client, walt, nina, project, tasks):
    _answer(project, nina)
    data = _download(client, walt)
    assert data["answers"] == [] and data["money"] == [] and data["consents"] == []


def test_deleting_the_account_is_refused_while_earnings_await_approval(walt, project, tasks):
    _answer(project, walt)
    with pytest.raises(Conflict) as refused:
        account_delete(user=walt)
    assert refused.value.code == "money_pending"
    walt.refresh_from_db()
    assert walt.is_active and walt.username == "walt"


def test_deleting_the_account_is_refused_while_money_can_be_withdrawn(
    walt, project, tasks, settings
):
    settings.PAYOUT_MINIMUM = "0.01"
    earning_approve(submission=_answer(project, walt))
    with pytest.raises(Conflict) as refused:
        account_delete(user=walt)
    assert refused.value.code == "money_to_withdraw" and "withdraw" in refused.value.message


def test_account_deletion_erases_anonymises_and_keeps_the_books(
    client, walt, rita, project, tasks, recorded_erasures
):
    submission = _answer(project, walt)
    earning_approve(submission=submission)  # 0.05 USD: below the 1.00 payout minimum
    open_one = assignment_claim(worker=walt, project=project)
    entries = Entry.objects.count()
    balance = worker_balances(user=walt, currency="USD")
    client.force_login(walt)
    r = client.post(reverse("privacy:delete_account"), {"password": "walt-pass-123"})
    assert r.status_code == 302

    record = AccountDeletion.objects.get()
    walt = get_user_model().objects.get(pk=walt.pk)
    assert not walt.is_active and not walt.has_usable_password()
    assert walt.username == record.pseudonym and "walt" not in walt.email
    assert walt.worker_profile.country == "" and walt.worker_profile.languages == []
    # Personal data erased through the erasers, consent withdrawn, the open task given back.
    assert recorded_erasures == [{"project": project.pk, "worker": walt.pk, "reason": "account"}]
    [deletion] = record.deletions.all()
    assert deletion.reason == Deletion.Reason.ACCOUNT and deletion.items["test"]
    assert Consent.objects.get(worker=walt).withdrawn_at is not None
    open_one.refresh_from_db()
    assert open_one.status == Assignment.Status.RETURNED
    assert Notification.objects.filter(user=rita, kind="personal_data_deleted").exists()
    # The answer stays under the pseudonym; the money stays on the books.
    assert Submission.objects.get(pk=submission.pk).worker_id == walt.pk
    assert record.balance_kept == {"USD": str(balance.available)}
    assert Entry.objects.count() == entries
    assert Account.objects.get(user=walt, kind=Account.Kind.WORKER_AVAILABLE).balance == Decimal(
        "0.05"
    )
    # Logged out, and the password no longer opens anything.
    assert not client.login(username="walt", password="walt-pass-123")
    assert client.get(reverse("privacy:home")).status_code == 302


def test_a_wrong_password_deletes_nothing(client, nina):
    client.force_login(nina)
    client.post(reverse("privacy:delete_account"), {"password": "nope"})
    assert not AccountDeletion.objects.exists()


def test_account_deletion_through_the_api(client, nina, nina_token):
    r = client.post(
        "/api/work/me/delete",
        data=json.dumps({"password": "nina-pass-123"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {nina_token}"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["balance_kept"] == {}
    nina.refresh_from_db()
    assert not nina.is_active
    again = client.get("/api/work/me/data", headers={"Authorization": f"Bearer {nina_token}"})
    assert again.status_code in (401, 403)


def test_a_requester_cannot_delete_their_account_here(rita):
    from microwork.lib.errors import Forbidden

    with pytest.raises(Forbidden):
        account_delete(user=rita)


@pytest.fixture
def nina_token(nina):
    from microwork.accounts import services

    return services.api_token_create(user=nina, name="phone")[1]
