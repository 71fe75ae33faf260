from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from microwork.ledger.models import Account, ExchangeRate, Transaction
from microwork.ledger.services.check import ledger_check
from microwork.ledger.services.deposits import deposit_record
from microwork.ledger.services.posting import fee_for
from microwork.lib.errors import ApplicationError
from microwork.payments.models import PayFloorNotice
from microwork.payments.services import accounts as payments_accounts
from microwork.payments.services import earnings as payments_earnings
from microwork.payments.services import floor as payments_floor
from microwork.payments.tests.conftest import answer, balance, go_live, make_project, make_worker
from microwork.projects.models import ProjectEvent
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.submitting import submission_create

K = Account.Kind


def test_measured_time_under_the_floor_pauses_the_project_and_tops_workers_up(rich_acme, rita):
    # Estimated 20 s at 0.05 USD (9.00 an hour), but answers really take 30 s: 6.00 an hour.
    project = make_project(rich_acme, rita, tasks=20, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    amir, sana = make_worker("amir"), make_worker("sana")
    for i in range(19):
        answer(project, amir if i % 2 else sana, active_ms=30_000)
    # Below 20 answers the estimate still rules.
    assert payments_floor.project_pay_floor_enforce(project=project) is None
    answer(project, amir, active_ms=30_000)
    rejected = answer(project, sana, active_ms=30_000)
    payments_earnings.earning_reject(submission=rejected, actor=rita, reason="spam")

    notice = payments_floor.project_pay_floor_enforce(project=project)

    project.refresh_from_db()
    assert project.status == "paused"
    event = ProjectEvent.objects.filter(project=project).latest("pk")
    assert (event.old_status, event.new_status) == ("live", "paused")
    assert "0.0667 USD" in event.reason  # 8 × 30 / 3600 = 0.06666… rounded up
    assert notice.suggested_reward == Decimal("0.0667")
    assert notice.real_hourly == Decimal("6.000000")
    # Amir: 10 answers × 30 s = 300 s → 8.00 × 300/3600 = 0.666667, earned 0.50.
    # Sana: 10 kept answers (her rejected one does not count) → the same.
    assert notice.workers_topped_up == 2
    topups = Transaction.objects.filter(kind=Transaction.Kind.FLOOR_TOPUP)
    assert topups.count() == 2
    for worker in (amir, sana):
        assert balance(
            payments_accounts.worker_account(worker, K.WORKER_AVAILABLE, "USD")
        ) == Decimal("0.166667")
    # Run again (the job, a retry): nobody is paid twice.
    assert payments_floor.project_pay_floor_enforce(project=project) is None
    payments_floor.pay_floor_topups_pay(notice=notice)
    assert topups.count() == 2
    report = ledger_check()
    assert report.ok, report.problems


def test_the_floor_check_keeps_a_project_that_pays_enough(rich_acme, rita, walt):
    project = make_project(rich_acme, rita, tasks=25, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    for _ in range(20):
        answer(project, walt, active_ms=18_000)
    assert payments_floor.pay_floor_check_all() == 0
    project.refresh_from_db()
    assert project.status == "live"
    assert not PayFloorNotice.objects.exists()


def test_a_paused_project_cannot_go_live_again_at_the_same_reward(rich_acme, rita, walt):
    project = make_project(rich_acme, rita, tasks=25, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    for _ in range(20):
        answer(project, walt, active_ms=40_000)
    payments_floor.pay_floor_check_all()
    with pytest.raises(ApplicationError) as exc:
        go_live(project, rita)
    assert exc.value.code == "under_pay_floor"
    assert "measured median of 40.0 seconds" in exc.value.message


def test_answers_queue_the_floor_check_that_pauses_the_project(
    rich_acme, rita, walt, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    project = make_project(rich_acme, rita, tasks=40, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(30):
            answer(project, walt, active_ms=45_000)
    project.refresh_from_db()
    assert project.status == "paused"
    notice = PayFloorNotice.objects.get(project=project)
    assert notice.workers_topped_up == 1


def test_the_floor_converts_at_the_operators_rate_and_needs_one(acme, rita, omar):
    deposit_record(organisation=acme, amount="50", currency="EUR", reference="e", actor=omar)
    project = make_project(acme, rita, reward="0.045", seconds=20, currency="EUR")  # 8.10 EUR/h
    with pytest.raises(ApplicationError) as exc:
        go_live(project, rita)
    assert exc.value.code == "no_exchange_rate"
    ExchangeRate.objects.create(base="USD", currency="EUR", rate=Decimal("1.05"))  # floor 8.40
    with pytest.raises(ApplicationError) as exc:
        go_live(project, rita)
    assert exc.value.code == "under_pay_floor"
    assert "0.0467 EUR" in exc.value.message
    ExchangeRate.objects.filter(currency="EUR").update(rate=Decimal("0.90"))  # floor 7.20
    go_live(project, rita)
    assert project.status == "live"


def test_raising_the_reward_tops_up_escrow_and_lets_a_paused_project_go_live_again(
    rich_acme, rita, walt
):
    from microwork.projects.services.projects import project_update

    project = make_project(rich_acme, rita, tasks=25, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    # Through the work app, so that each answer fills its task's slot as in production.
    start = timezone.now() - timedelta(minutes=30)
    for i in range(20):
        leased = start + timedelta(minutes=i)
        lease = assignment_claim(worker=walt, project=project, now=leased)
        submission_create(
            assignment=lease,
            worker=walt,
            answer="ok",
            active_ms=40_000,
            now=leased + timedelta(seconds=41),
        )
    payments_floor.pay_floor_check_all()
    project.refresh_from_db()
    assert project.status == "paused"
    escrow = payments_accounts.escrow_account(project)
    before = balance(escrow)

    # Workers were promised a price: it may go up, never down.
    with pytest.raises(ApplicationError) as exc:
        project_update(project=project, actor=rita, changes={"reward": "0.04"})
    assert exc.value.field == "reward"

    project_update(project=project, actor=rita, changes={"reward": "0.09"})
    # The 5 open slots are now priced at 0.09 + fee, and the fees of the 20 answers waiting
    # for review stay in escrow: exactly that is held now.
    fee = fee_for(Decimal("0.09"))
    assert balance(escrow) == 5 * (Decimal("0.09") + fee) + 20 * fee
    assert balance(escrow) > before
    go_live(project, rita)
    project.refresh_from_db()
    assert project.status == "live"
    assert ledger_check().ok


# --- editing a live or paused project ------------------------------------------------------


def test_raising_the_estimate_of_a_live_project_under_the_floor_is_refused(rich_acme, rita):
    from microwork.projects.services.projects import project_update

    # 0.05 USD for 20 s is 9.00 an hour; 40 s would be 4.50.
    project = make_project(rich_acme, rita, tasks=5, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    escrow_before = balance(payments_accounts.escrow_account(project))

    with pytest.raises(ApplicationError) as exc:
        project_update(project=project, actor=rita, changes={"estimated_seconds": 40})

    assert exc.value.code == "under_pay_floor"
    assert exc.value.field == "estimated_seconds"
    assert exc.value.details["needed_reward"] == "0.0889"  # 8 × 40 / 3600, rounded up
    assert "0.0889 USD" in exc.value.message
    project.refresh_from_db()
    assert (project.estimated_seconds, project.status) == (20, "live")
    assert balance(payments_accounts.escrow_account(project)) == escrow_before


def test_lowering_the_reward_of_a_live_project_under_the_floor_is_refused(rich_acme, rita):
    from microwork.projects.services.projects import project_update

    project = make_project(rich_acme, rita, tasks=5, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)

    with pytest.raises(ApplicationError) as exc:
        project_update(project=project, actor=rita, changes={"reward": "0.03"})

    assert (exc.value.code, exc.value.field) == ("under_pay_floor", "reward")
    assert exc.value.details["needed_reward"] == "0.0445"
    project.refresh_from_db()
    assert project.reward == Decimal("0.05")
    # Still above the floor: allowed.
    project_update(project=project, actor=rita, changes={"reward": "0.045"})
    project.refresh_from_db()
    assert project.reward == Decimal("0.045")


def test_a_paused_project_cannot_be_edited_under_the_floor_either(rich_acme, rita):
    from microwork.projects.services.projects import project_set_status, project_update

    project = make_project(rich_acme, rita, tasks=5, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    project_set_status(project=project, actor=rita, status="paused")

    with pytest.raises(ApplicationError) as exc:
        project_update(
            project=project, actor=rita, changes={"estimated_seconds": 30, "name": "Renamed"}
        )

    assert exc.value.field == "estimated_seconds"
    project.refresh_from_db()
    assert (project.estimated_seconds, project.name) == (20, "Image moderation")


def test_a_draft_project_may_be_priced_under_the_floor_until_it_goes_live(rich_acme, rita):
    from microwork.projects.services.projects import project_update

    project = make_project(rich_acme, rita, tasks=5, reward="0.05", seconds=20, overlap=1)
    project_update(project=project, actor=rita, changes={"estimated_seconds": 60})
    project.refresh_from_db()
    assert project.estimated_seconds == 60
    with pytest.raises(ApplicationError) as exc:
        go_live(project, rita)
    assert exc.value.code == "under_pay_floor"


def test_correcting_the_estimate_of_a_measured_project_is_allowed(rich_acme, rita, walt):
    from microwork.projects.services.projects import project_update

    # Once 20 answers are measured the median rules, so the estimate no longer moves the rate.
    project = make_project(rich_acme, rita, tasks=25, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    for _ in range(20):
        answer(project, walt, active_ms=15_000)
    project_update(project=project, actor=rita, changes={"estimated_seconds": 30})
    project.refresh_from_db()
    assert project.estimated_seconds == 30


def test_the_floor_error_reaches_the_api_with_its_field(rich_acme, rita, rita_token, client):
    import json

    project = make_project(rich_acme, rita, tasks=5, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    r = client.patch(
        f"/api/projects/{project.pk}",
        json.dumps({"estimated_seconds": 45}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {rita_token}"},
    )
    assert r.status_code == 400, r.content
    body = r.json()
    assert (body["code"], body["field"]) == ("under_pay_floor", "estimated_seconds")
    assert body["details"]["needed_reward"] == "0.1000"
    project.refresh_from_db()
    assert project.estimated_seconds == 20


# --- the floor whatever the status ---------------------------------------------------------


def _topups(worker):
    return Transaction.objects.filter(
        kind=Transaction.Kind.FLOOR_TOPUP, entries__account__user=worker
    )


def _slow_project(acme, rita, workers, *, answers=20, active_ms=30_000):
    # 0.05 USD for an estimated 20 s (9.00 an hour); answers really take 30 s: 6.00 an hour.
    project = make_project(acme, rita, tasks=answers + 5, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    for i in range(answers):
        answer(project, workers[i % len(workers)], active_ms=active_ms)
    return project


def test_completing_a_project_before_the_check_still_tops_its_workers_up(
    rich_acme, rita, walt, settings, django_capture_on_commit_callbacks
):
    from microwork.projects.services.projects import project_set_status

    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    project = _slow_project(rich_acme, rita, [walt])
    with django_capture_on_commit_callbacks(execute=True):
        project_set_status(project=project, actor=rita, status="completed")

    project.refresh_from_db()
    assert project.status == "completed"
    # 20 × 30 s at 8.00 an hour is 1.333333; the rewards paid 1.00.
    assert balance(payments_accounts.worker_account(walt, K.WORKER_PENDING, "USD")) == Decimal(
        "1.00"
    )
    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.333333"
    )
    notice = PayFloorNotice.objects.get(project=project)
    assert not notice.paused
    assert (notice.workers_topped_up, notice.topped_up_total) == (1, Decimal("0.333333"))
    # The periodic job and a retry find nothing more to pay.
    assert payments_floor.pay_floor_check_all() == 0
    assert payments_floor.project_pay_floor_enforce(project=project) is None
    assert _topups(walt).count() == 1
    assert ledger_check().ok


def test_pausing_a_project_by_hand_still_tops_its_workers_up(
    rich_acme, rita, walt, nina, settings, django_capture_on_commit_callbacks
):
    from microwork.projects.services.projects import project_set_status

    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    project = _slow_project(rich_acme, rita, [walt, nina])
    with django_capture_on_commit_callbacks(execute=True):
        project_set_status(project=project, actor=rita, status="paused")

    for worker in (walt, nina):
        assert balance(
            payments_accounts.worker_account(worker, K.WORKER_AVAILABLE, "USD")
        ) == Decimal("0.166667")
        assert _topups(worker).count() == 1


def test_the_periodic_check_tops_up_recently_active_projects_that_are_no_longer_live(
    rich_acme, rita, walt, nina
):
    from microwork.projects.services.projects import project_set_status

    # The background task queued by the status change never ran (DummyBackend here).
    recent = _slow_project(rich_acme, rita, [walt])
    project_set_status(project=recent, actor=rita, status="completed")
    assert not _topups(walt).exists()

    assert payments_floor.pay_floor_check_all() == 1

    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.333333"
    )
    assert payments_floor.pay_floor_check_all() == 0
    assert _topups(walt).count() == 1


def test_the_periodic_check_leaves_long_finished_projects_alone(
    rich_acme, rita, nina, time_machine, monkeypatch
):
    from microwork.projects.services.projects import project_set_status

    time_machine.move_to(timezone.now() - timedelta(days=30), tick=False)
    old = _slow_project(rich_acme, rita, [nina])
    project_set_status(project=old, actor=rita, status="completed")
    time_machine.shift(timedelta(days=30))
    checked = []
    monkeypatch.setattr(
        payments_floor, "project_pay_floor_enforce", lambda *, project, now: checked.append(project)
    )

    assert payments_floor.pay_floor_check_all() == 0

    assert checked == []


def test_top_ups_count_what_each_answer_was_really_paid(rich_acme, rita, walt):
    from microwork.projects.services.projects import project_update

    project = make_project(rich_acme, rita, tasks=25, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    for _ in range(10):
        answer(project, walt, active_ms=30_000)
    project_update(project=project, actor=rita, changes={"reward": "0.06"})
    project.refresh_from_db()
    for _ in range(10):
        answer(project, walt, active_ms=30_000)

    notice = payments_floor.project_pay_floor_enforce(project=project)

    # Owed 20 × 30 s at 8.00 an hour = 1.333333; paid 10 × 0.05 + 10 × 0.06 = 1.10. Valuing
    # every answer at today's 0.06 would have paid only 0.133333.
    assert notice.topped_up_total == Decimal("0.233333")
    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.233333"
    )


def test_answers_that_arrive_after_a_top_up_are_topped_up_once_more_never_twice(
    rich_acme, rita, walt
):
    project = _slow_project(rich_acme, rita, [walt])
    notice = payments_floor.project_pay_floor_enforce(project=project)
    assert notice.topped_up_total == Decimal("0.333333")
    # A task Walt held when the project paused is handed in afterwards.
    answer(project, walt, active_ms=30_000)

    again = payments_floor.project_pay_floor_enforce(project=project)

    assert again.pk == notice.pk
    # One more answer: 30 s at 8.00 an hour (0.066667) less its 0.05 reward.
    assert again.topped_up_total == Decimal("0.350000")
    assert balance(payments_accounts.worker_account(walt, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.35"
    )
    assert payments_floor.project_pay_floor_enforce(project=project) is None
    payments_floor.pay_floor_topups_pay(notice=notice)
    assert _topups(walt).count() == 2
    assert ledger_check().ok


def test_a_project_with_a_pay_floor_notice_cannot_be_deleted(rich_acme, rita):
    from django.db.models import ProtectedError

    from microwork.projects.models import Project

    project = make_project(rich_acme, rita, tasks=0)
    PayFloorNotice.objects.create(
        project=project,
        submissions_measured=20,
        median_active_ms=30_000,
        reward=Decimal("0.05"),
        currency="USD",
        real_hourly=Decimal("6"),
        floor_hourly=Decimal("8"),
        suggested_reward=Decimal("0.0667"),
        topped_up_total=Decimal("0.33"),
        created_at=timezone.now(),
    )
    with pytest.raises(ProtectedError):
        project.delete()
    assert Project.objects.filter(pk=project.pk).exists()
    assert PayFloorNotice.objects.filter(project=project).exists()
