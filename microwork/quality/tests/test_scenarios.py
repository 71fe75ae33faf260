"""Workers' real complaints, as tests."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.ledger.models import Account
from microwork.ledger.services.deposits import deposit_record
from microwork.projects.models import Project
from microwork.quality import eligibility, selectors
from microwork.quality.models import Appeal, Decision, TestAttempt, TestPayment
from microwork.quality.services.configuration import rule_configure
from microwork.quality.services.exams import qualification_test_create
from microwork.quality.tests.helpers import (
    answer_gold_series,
    make_project,
    make_tasks,
    release,
)


@pytest.fixture
def project(rita):
    return make_project(owner=rita)


@pytest.fixture
def accuracy_rule(project):
    # Rita pauses anyone below 80 % on control tasks, judged on the upper bound.
    return rule_configure(
        project=project,
        rule_key="gold_accuracy",
        params={"threshold": "0.8", "bound": "upper", "min_answers": 10, "grace_answers": 5},
        action="pause",
        pause_seconds=48 * 3600,
    )


def test_careful_worker_at_85_percent_is_never_sanctioned_by_an_80_percent_rule(
    project, accuracy_rule, walt
):
    # Walt works carefully: 34 of 40 control tasks right (85 %).
    answer_gold_series(project=project, worker=walt, correct=34, wrong=6)
    assert not Decision.objects.filter(worker=walt).exists()
    assert eligibility.check(project=project, worker=walt, now=timezone.now()) is None
    skill = selectors.skill_for(project=project, worker=walt)
    assert (skill.gold_answers, skill.gold_correct) == (40, 34)
    assert skill.accuracy.low < 0.85 < skill.accuracy.high


def test_worker_at_60_percent_is_warned_then_paused_sees_misses_appeals_and_is_restored(
    client, project, accuracy_rule, walt, rita
):
    # 6 of 10 right: the accuracy range still reaches 80 %, so only a "close to the limit"
    # warning, with the distance.
    answer_gold_series(project=project, worker=walt, correct=6, wrong=4)
    near = Decision.objects.get(worker=walt)
    assert near.kind == "warning" and near.inputs["breached"] is False
    assert 0 <= near.inputs["distance"] < 0.05
    assert near.inputs["numbers"]["correct"] == 6

    # One more miss crosses the limit: a second warning says so — still no pause.
    answer_gold_series(project=project, worker=walt, correct=0, wrong=1)
    warning = Decision.objects.filter(worker=walt).latest("id")
    assert warning.kind == "warning" and warning.inputs["breached"] is True
    assert warning.inputs["distance"] < 0
    assert "If you still are after 5 more answers, you will be paused" in warning.outcome
    assert eligibility.check(project=project, worker=walt, now=timezone.now()) is None

    # Four answers of the five-answer grace, still at 60 %: nothing new.
    answer_gold_series(project=project, worker=walt, correct=3, wrong=1)
    assert Decision.objects.filter(worker=walt).count() == 2
    # The fifth: paused.
    answer_gold_series(project=project, worker=walt, correct=0, wrong=1)
    pause = Decision.objects.get(worker=walt, kind="pause")
    assert pause.inputs["prior_warning"] == warning.pk
    assert pause.ends_at - pause.starts_at == timedelta(hours=48)
    assert len(pause.evidence) == 7
    assert {e["expected"] for e in pause.evidence} == {"Cat"}
    assert {e["answer"] for e in pause.evidence} == {"Dog"}
    refusal = eligibility.check(project=project, worker=walt, now=timezone.now())
    assert "Paused on Cats or dogs" in refusal
    assert reverse("quality:decision", args=[pause.pk]) in refusal

    # The pause acts at once, but its evidence, the missed control tasks, comes with the
    # feedback release that covers them: before it, nothing says which answers they were.
    assert project.gold_reveal_delay_seconds == 24 * 3600
    assert selectors.missed_gold(worker=walt, now=timezone.now()) == []
    client.force_login(walt)
    page = client.get(reverse("quality:standing")).content.decode()
    assert "Paused on Cats or dogs" in page
    assert "Whiskers and pointed ears: a cat." not in page
    detail = client.get(reverse("quality:decision", args=[pause.pk])).content.decode()
    assert "Whiskers" not in detail and "7 more answers are shown with a later" in detail
    release(project=project, worker=walt)
    later = timezone.now() + timedelta(hours=25)
    missed = selectors.missed_gold(worker=walt, now=later)
    assert len(missed) == 7 and all(m["shown"] for m in missed)
    detail = client.get(reverse("quality:decision", args=[pause.pk])).content.decode()
    assert detail.count("Whiskers and pointed ears: a cat.") == 7

    response = client.post(
        reverse("quality:appeal_create", args=[pause.pk]),
        {"message": "Several of these pictures are dogs; the control answers are wrong."},
    )
    assert response.status_code == 302
    appeal = Appeal.objects.get(decision=pause)
    assert appeal.route == "requester"
    assert appeal.deadline_at - appeal.created_at == timedelta(hours=72)

    # Rita looks again and agrees: reversed.
    client.force_login(rita)
    page = client.get(reverse("quality:project", args=[project.pk])).content.decode()
    assert "Several of these pictures are dogs" in page
    client.post(
        reverse("quality:appeal_decide", args=[appeal.pk]),
        {"outcome": "reverse", "response": "You are right, three control answers were wrong."},
    )
    appeal.refresh_from_db()
    pause.refresh_from_db()
    warning.refresh_from_db()
    assert appeal.status == "reversed"
    assert pause.status == "reversed"
    assert warning.status == "reversed"
    near.refresh_from_db()
    assert near.status == "reversed"
    assert eligibility.check(project=project, worker=walt, now=timezone.now()) is None
    assert pause.events.filter(new_status="reversed").exists()

    # Standing restored: the next answers do not pause him again on the old numbers.
    answer_gold_series(project=project, worker=walt, correct=5, wrong=0)
    assert (
        not Decision.objects.filter(worker=walt, status="active").exclude(kind="warning").exists()
    )
    client.force_login(walt)
    page = client.get(reverse("quality:standing")).content.decode()
    assert "Your appeal was accepted" in client.get(reverse("inbox:inbox")).content.decode()
    assert "reversed" in page.lower()


def test_passing_a_test_of_a_project_that_closed_meanwhile_says_so_and_pays(
    client, project, walt, omar, time_machine
):
    # Acme Labs has money on the platform, so the test is paid into Walt's balance at once.
    deposit_record(
        organisation=project.organisation,
        amount="10",
        currency="USD",
        reference="wire-1",
        actor=omar,
    )
    gold = make_tasks(project, 4, gold=True)
    test = qualification_test_create(
        project=project,
        name="Cats test",
        task_ids=[t.pk for t in gold],
        pass_mark="0.75",
        question_count=4,
    )
    client.force_login(walt)
    time_machine.move_to(timezone.now(), tick=False)
    client.post(reverse("quality:test_start", args=[test.pk]))
    attempt = TestAttempt.objects.get(worker=walt)
    # The requester closes the project while Walt is answering.
    for position in range(1, 5):
        if position == 3:
            Project.objects.filter(pk=project.pk).update(status=Project.Status.COMPLETED)
        time_machine.shift(25)
        client.post(
            reverse("quality:attempt", args=[attempt.pk]),
            {"position": position, "label": "cat", "active_ms": 20_000},
        )
    attempt.refresh_from_db()
    assert attempt.status == "passed"
    payment = TestPayment.objects.get(attempt=attempt)
    # 80 s, capped at twice the estimate (4 questions × 6 s), so 48 s at the project's rate
    # (0.02 per 6 s = 12.00 an hour) is 0.160000.
    assert payment.active_ms == 80_000
    assert str(payment.amount) == "0.160000"
    assert payment.booked
    balance = Account.objects.get(user=walt, kind=Account.Kind.WORKER_AVAILABLE).balance
    assert balance == payment.amount
    page = client.get(reverse("quality:attempt_result", args=[attempt.pk])).content.decode()
    assert "closed while you were taking the test" in page
    # Shown in the currency's decimals, never the six stored ones.
    assert "0.16 USD" in page and "0.160000" not in page
    assert "Start working" not in page
    # Every question with the answer given, the expected one and why.
    assert page.count("Whiskers and pointed ears: a cat.") == 4
