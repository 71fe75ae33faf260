"""A real process is killed (SIGKILL) half-way through an approval batch and through sending
payouts; a rerun finishes the work, and nothing is paid twice or lost."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from microwork.ledger.models import Account, Payout, SimulatedTransfer, Transaction
from microwork.ledger.services.accounts import in_flight_account, ledger_account
from microwork.ledger.services.check import ledger_check
from microwork.ledger.services.deposits import deposit_record
from microwork.ledger.services.payouts import payout_method_add, payout_request
from microwork.ledger.services.posting import ledger_transfer
from microwork.lib.tests.processes import child_env
from microwork.payments.tests.conftest import answer, go_live, make_project, make_worker
from microwork.work.models import Submission

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ROOT = Path(settings.BASE_DIR)
T = Transaction.Kind


def _run_and_kill(job: str, *, marker: str, after: int) -> list[str]:
    """Start the job's service loop in a child process, slowed between items, and SIGKILL it
    once it has printed `marker` `after` times."""
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "microwork.payments.tests.crash_child", job, "0.5"],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    seen: list[str] = []
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith(marker):
                seen.append(line.strip())
                if len(seen) >= after:
                    os.kill(proc.pid, signal.SIGKILL)
                    break
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()
    return seen


def _run(command: list[str]) -> str:
    """The production management command, as an operator or cron runs it after a crash."""
    done = subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _books_ok():
    report = ledger_check()
    assert report.ok, report.problems


def test_killed_approval_batch_resumes_without_paying_twice(rita, omar):
    from microwork.accounts.access import access_organisation_for_requester

    acme = access_organisation_for_requester(user=rita)
    deposit_record(organisation=acme, amount="50", currency="USD", reference="crash", actor=omar)
    project = make_project(acme, rita, tasks=8, overlap=1)
    go_live(project, rita)
    worker = make_worker("kemi")
    old = timezone.now() - timedelta(days=8)
    subs = [answer(project, worker, at=old) for _ in range(8)]

    _run_and_kill("approve_due", marker="approved", after=3)

    statuses = Counter(Submission.objects.filter(project=project).values_list("status", flat=True))
    assert 3 <= statuses["approved"] < 8, statuses
    _books_ok()

    _run(["approve_due"])
    assert set(Submission.objects.filter(project=project).values_list("status", flat=True)) == {
        "approved"
    }
    approvals = Counter(
        Transaction.objects.filter(kind=T.APPROVAL).values_list("submission_id", flat=True)
    )
    assert approvals == {s.pk: 1 for s in subs}
    available = ledger_account(kind=Account.Kind.WORKER_AVAILABLE, currency="USD", user=worker)
    assert available.balance == Decimal("0.40")
    _books_ok()


def test_killed_payout_run_between_provider_and_ledger_pays_each_once(walt, nina, omar, rita):
    from microwork.accounts.access import access_organisation_for_requester

    acme = access_organisation_for_requester(user=rita)
    deposit_record(organisation=acme, amount="50", currency="USD", reference="crash", actor=omar)
    source = ledger_account(
        kind=Account.Kind.REQUESTER_AVAILABLE, currency="USD", organisation=acme
    )
    payouts = []
    for user in (walt, nina):
        ledger_transfer(
            kind=T.BONUS,
            idempotency_key=f"seed-{user.pk}",
            source=source,
            destination=ledger_account(
                kind=Account.Kind.WORKER_AVAILABLE, currency="USD", user=user
            ),
            amount=Decimal("10"),
        )
        method = payout_method_add(
            user=user, provider="simulated", label="", details={"phone": "+2348012345678"}
        )
        # 2.13 is refused by the simulated provider: a failure must return the money, once.
        for amount in ("2.00", "2.13", "3.00"):
            payouts.append(payout_request(user=user, method=method, amount=amount))

    # Killed after the provider sent the second payout and before the ledger recorded it.
    _run_and_kill("payouts_process", marker="sent", after=2)
    assert Payout.objects.filter(status="processing").count() == 1
    assert SimulatedTransfer.objects.count() == 2

    # The default rerun leaves a recent claim alone (its process might be alive) …
    _run(["payouts_process"])
    assert Payout.objects.filter(status="processing").count() == 1
    # … the operator's rerun after the known crash re-drives it with the same key.
    _run(["payouts_process", "--stale-after", "0"])

    assert Counter(Payout.objects.values_list("status", flat=True)) == {"paid": 4, "failed": 2}
    assert SimulatedTransfer.objects.count() == 6
    assert (
        Counter(SimulatedTransfer.objects.values_list("key", flat=True)).most_common(1)[0][1] == 1
    )
    assert Transaction.objects.filter(kind=T.PAYOUT_SENT).count() == 4
    assert Transaction.objects.filter(kind=T.PAYOUT_RETURN).count() == 2
    for user in (walt, nina):
        available = ledger_account(kind=Account.Kind.WORKER_AVAILABLE, currency="USD", user=user)
        assert available.balance == Decimal("5.00")  # 10 − 2 − 3; the 2.13 came back
    assert in_flight_account("USD").balance == 0
    _books_ok()
