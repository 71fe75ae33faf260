"""How each figure of a requester's record is computed: the formulas one by one on plain facts,
then the selector over stored answers, approvals, appeals and ratings."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.accounts.access import access_organisation_for_requester
from microwork.ledger.models import Account, Entry, Transaction
from microwork.payments.models import SubmissionReview
from microwork.projects.tests.factories import stored_answer
from microwork.quality.models import Appeal, Decision
from microwork.voice import record as formulas
from microwork.voice.models import ProjectRating
from microwork.voice.record import DecidedAnswer
from microwork.voice.selectors import requester_record
from microwork.work.models import Submission
from microwork.work.tests.factories import add_tasks, live_project, make_worker

S = Submission.Status


# --- the formulas --------------------------------------------------------------------------


def test_the_hourly_rate_counts_rejected_time_but_not_rejected_pay():
    answers = [
        DecidedAnswer(approved=True, seconds=Decimal(30), paid=Decimal("0.10")),
        DecidedAnswer(approved=True, seconds=Decimal(30), paid=Decimal("0.10")),
        DecidedAnswer(approved=False, seconds=Decimal(60), paid=Decimal(0)),
    ]
    # 0.20 paid for 120 s on screen: 6.00 an hour, not the 12.00 the approved ones alone earn.
    assert formulas.hourly_rate(answers) == Decimal("6.00")
    # Top-ups to the pay floor are pay too.
    assert formulas.hourly_rate(answers, Decimal("0.04")) == Decimal("7.20")
    assert formulas.hourly_rate([]) is None


def test_shares_are_out_of_decided_answers_and_say_nothing_without_any():
    assert formulas.share(3, 4) == Decimal("75.0")
    assert formulas.share(1, 3) == Decimal("33.3")
    assert formulas.share(0, 0) is None


def test_the_median_duration_takes_the_middle_or_the_mean_of_the_two_middles():
    minutes = [timedelta(minutes=m) for m in (10, 1, 5)]
    assert formulas.median_duration(minutes) == timedelta(minutes=5)
    assert formulas.median_duration([*minutes, timedelta(minutes=7)]) == timedelta(minutes=6)
    assert formulas.median_duration([]) is None


def test_a_mark_is_the_mean_to_one_decimal():
    assert formulas.mean_mark([5, 4, 4]) == Decimal("4.3")
    assert formulas.mean_mark([]) is None


def test_durations_and_shares_read_in_words_in_both_languages():
    from django.utils import translation

    assert formulas.duration_words(timedelta(days=2, hours=3, minutes=4)) == "2 days 3 hours"
    assert formulas.duration_words(timedelta(minutes=90)) == "1 hour 30 minutes"
    assert formulas.duration_words(timedelta(seconds=20)) == "under a minute"
    assert formulas.percent(Decimal("92.5")) == "92.5%"
    with translation.override("fr"):
        # The decimal comma comes from the locale; the no-break space before % from the
        # catalogue's French for "%(value)s%%".
        assert formulas.percent(Decimal("92.5")).startswith("92,5")


# --- the record from what happened ---------------------------------------------------------


def _decide(submission, status, *, after):
    Submission.objects.filter(pk=submission.pk).update(status=status)
    if status == S.APPROVED:
        SubmissionReview.objects.create(
            submission=submission,
            action=SubmissionReview.Action.APPROVED,
            rule=SubmissionReview.Rule.REQUESTER,
            amount=Decimal("0.05"),
            currency="USD",
            at=submission.submitted_at + after,
        )


def _appeal(worker, project, status, *, created, answered_after):
    decision = Decision.objects.create(
        worker=worker,
        project=project,
        kind=Decision.Kind.REJECTION,
        starts_at=created,
        outcome="rejected",
    )
    return Appeal.objects.create(
        decision=decision,
        worker=worker,
        message="I followed the instructions.",
        route=Appeal.Route.REQUESTER,
        status=status,
        created_at=created,
        deadline_at=created + timedelta(days=3),
        answered_at=created + answered_after if answered_after else None,
    )


@pytest.fixture
def world(rita, rob):
    project = live_project(rita, reward=Decimal("0.05"), time_limit_seconds=120)
    tasks = add_tasks(project, 6)
    amir, sana = make_worker("amir"), make_worker("sana")
    subs = [
        stored_answer(tasks[i], amir if i % 2 else sana, active_ms=ms)
        for i, ms in enumerate([30_000, 30_000, 30_000, 300_000, 10_000, 10_000])
    ]
    return project, tasks, (amir, sana), subs


def test_the_record_computes_each_figure_from_what_happened(world, rita, rob):
    project, _tasks, (amir, sana), subs = world
    # Approved after 1 h, 3 h and 2 h; one rejected; one still waiting (not counted).
    _decide(subs[0], S.APPROVED, after=timedelta(hours=1))
    _decide(subs[1], S.APPROVED, after=timedelta(hours=3))
    _decide(subs[2], S.APPROVED, after=timedelta(hours=2))
    _decide(subs[3], S.REJECTED, after=timedelta(hours=1))
    # The fifth is approved with no booked earning: its reward counts.
    _decide(subs[4], S.APPROVED, after=timedelta(hours=4))
    now = timezone.now()
    _appeal(amir, project, Appeal.Status.REVERSED, created=now, answered_after=timedelta(hours=10))
    _appeal(sana, project, Appeal.Status.UPHELD, created=now, answered_after=timedelta(hours=30))
    _appeal(amir, project, Appeal.Status.OPEN, created=now, answered_after=None)
    ProjectRating.objects.create(
        worker=amir,
        project=project,
        instructions=5,
        fairness=2,
        pay=4,
        created_at=now,
        updated_at=now,
    )
    ProjectRating.objects.create(
        worker=sana,
        project=project,
        instructions=4,
        fairness=3,
        pay=3,
        created_at=now,
        updated_at=now,
    )
    # Another requester's project counts nowhere in Acme's record.
    other = live_project(rob, name="Other")
    stranger = stored_answer(add_tasks(other, 1)[0], amir)
    _decide(stranger, S.REJECTED, after=timedelta(hours=1))

    record = requester_record(organisation=project.organisation)

    assert (record.decided, record.approved, record.rejected) == (5, 4, 1)
    assert record.approval_rate == Decimal("80.0")
    assert record.rejection_rate == Decimal("20.0")
    # Paid 4 × 0.05 = 0.20 for 30 + 30 + 30 + 120 (300 s capped at the 120 s limit) + 10 s.
    [usd] = record.hourly
    assert (usd.currency, usd.answers) == ("USD", 5)
    assert usd.hourly == (Decimal("0.20") * 3600 / 220).quantize(Decimal("0.01"))
    # Approved after 1, 3, 2 and 4 hours: the middle is 2.5 hours.
    assert record.median_approve == timedelta(hours=2, minutes=30)
    assert (record.appeals_answered, record.appeals_reversed) == (2, 1)
    assert record.appeals_won_rate == Decimal("50.0")
    assert record.median_appeal_answer == timedelta(hours=20)
    assert record.ratings == 2
    assert (record.instructions, record.fairness, record.pay) == (
        Decimal("4.5"), Decimal("2.5"), Decimal("3.5"),
    )  # fmt: skip


def test_the_booked_earning_and_top_ups_are_what_was_paid(world):
    project, _tasks, _workers, subs = world
    _decide(subs[0], S.APPROVED, after=timedelta(hours=1))
    # The reward when the answer arrived was 0.08: that is what counts, not today's 0.05.
    worker_pending = Account.objects.create(
        kind=Account.Kind.WORKER_PENDING, currency="USD", user=subs[0].worker, key="t:pending"
    )
    worker_available = Account.objects.create(
        kind=Account.Kind.WORKER_AVAILABLE, currency="USD", user=subs[0].worker, key="t:avail"
    )
    now = timezone.now()
    earning = Transaction.objects.create(
        kind=Transaction.Kind.EARNING, idempotency_key="t:e", fingerprint="x", created_at=now,
        project_id=project.pk, submission_id=subs[0].pk,
    )  # fmt: skip
    Entry.objects.create(
        transaction=earning, account=worker_pending, amount=Decimal("0.08"), currency="USD"
    )
    topup = Transaction.objects.create(
        kind=Transaction.Kind.FLOOR_TOPUP, idempotency_key="t:t", fingerprint="x", created_at=now,
        project_id=project.pk,
    )  # fmt: skip
    Entry.objects.create(
        transaction=topup, account=worker_available, amount=Decimal("0.02"), currency="USD"
    )

    [usd] = requester_record(organisation=project.organisation).hourly

    # (0.08 + 0.02) for 30 s: 12.00 an hour.
    assert usd.hourly == Decimal("12.00")


def test_answers_older_than_the_window_do_not_count(world):
    project, _tasks, _workers, subs = world
    _decide(subs[0], S.REJECTED, after=timedelta(hours=1))
    Submission.objects.filter(pk=subs[0].pk).update(
        submitted_at=timezone.now() - formulas.RECORD_WINDOW - timedelta(days=1)
    )
    assert requester_record(organisation=project.organisation).decided == 0


def test_workers_read_the_record_with_its_formulas(world, walt, client):
    project, *_ = world
    client.force_login(walt)
    response = client.get(reverse("voice:requester", args=[project.organisation_id]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme Labs" in body
    assert "the time all those answers were on screen" in body
    assert "Appeals won against it" in body


def test_a_requester_that_never_offered_work_has_no_record(walt, rob, client):
    client.force_login(walt)
    org = access_organisation_for_requester(user=rob)
    assert client.get(reverse("voice:requester", args=[org.pk])).status_code == 404
