"""Proving the books: every invariant the ledger keeps, read in one snapshot, and the record
of each run for the operators."""

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from microwork.ledger.models import Account, Entry, LedgerCheckRun, Payout, Transaction

log = logging.getLogger(__name__)

Kind = Account.Kind


@dataclass
class LedgerReport:
    transactions: int = 0
    entries: int = 0
    accounts: int = 0
    problems: list[str] = field(default_factory=list)
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


@contextmanager
def _one_snapshot() -> Iterator[None]:
    """Every read inside sees the books as of one moment. The check reads accounts, entries,
    transactions and payouts one after the other while postings go on; without one snapshot a
    posting committed in between would look like a mismatch (its entries counted, not yet its
    account's new balance)."""
    if connection.in_atomic_block:
        # The caller's transaction already reads one snapshot.
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        # A deferred read transaction: in WAL mode it keeps one snapshot without the write lock
        # that atomic() takes here (BEGIN IMMEDIATE would stop every writer for the whole check).
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return
    with transaction.atomic():
        yield


def ledger_check(*, payouts: bool = True) -> LedgerReport:
    """Prove the books: each transaction balances per currency and has two entries or more,
    every currency sums to zero, each cached balance equals its entries, no account but the
    world is below zero, entries carry their account's currency, and each payout's movements
    match its status. All of it read in one snapshot, so it can run beside live traffic.

    Sums are made here in Decimal, one pass over the entries, rather than with SQL SUM: SQLite
    adds decimals as floating point, and a checker must not be the thing that rounds.
    """
    with _one_snapshot():
        return _ledger_check(payouts=payouts)


# The problems a recorded run keeps in full; it counts them all.
CHECK_PROBLEMS_KEPT = 100


def ledger_check_record(*, now: datetime | None = None) -> LedgerCheckRun:
    """Run the check and keep its result (the clock runs this hourly): an operator sees a
    mismatch on the operator pages and in the admin, and it is logged as an error."""
    started = now or timezone.now()
    report = ledger_check()
    run = LedgerCheckRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        ok=report.ok,
        transactions=report.transactions,
        entries=report.entries,
        accounts=report.accounts,
        problem_count=len(report.problems),
        problems=report.problems[:CHECK_PROBLEMS_KEPT],
        totals={currency: str(total) for currency, total in sorted(report.totals.items())},
    )
    if report.ok:
        log.info("ledger check ok: %d transactions, %d entries", run.transactions, run.entries)
    else:
        log.error(
            "ledger check found %d problem(s): %s",
            run.problem_count,
            "; ".join(report.problems[:5]),
        )
    return run


def _ledger_check(*, payouts: bool) -> LedgerReport:
    report = LedgerReport(accounts=Account.objects.count())
    accounts = {
        pk: (key, kind, currency, balance)
        for pk, key, kind, currency, balance in Account.objects.values_list(
            "pk", "key", "kind", "currency", "balance"
        ).iterator(chunk_size=5000)
    }
    per_tx: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    legs: dict[int, int] = defaultdict(int)
    per_account: dict[int, Decimal] = defaultdict(Decimal)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for pk, tx_id, account_id, amount, currency in Entry.objects.values_list(
        "pk", "transaction_id", "account_id", "amount", "currency"
    ).iterator(chunk_size=5000):
        report.entries += 1
        per_tx[(tx_id, currency)] += amount
        legs[tx_id] += 1
        per_account[account_id] += amount
        totals[currency] += amount
        if accounts[account_id][2] != currency:
            report.problems.append(f"entry {pk} is not in its account's currency")
    for (tx_id, currency), total in sorted(per_tx.items()):
        if total != 0:
            report.problems.append(f"transaction {tx_id} does not balance in {currency}: {total}")
    for tx_id in Transaction.objects.values_list("pk", flat=True).iterator(chunk_size=5000):
        report.transactions += 1
        if legs.get(tx_id, 0) < 2:
            report.problems.append(f"transaction {tx_id} has {legs.get(tx_id, 0)} entries")
    for currency, total in sorted(totals.items()):
        report.totals[currency] = total
        if total != 0:
            report.problems.append(f"{currency} sums to {total}, not zero")
    for pk, (key, kind, _currency, cached) in accounts.items():
        if cached != per_account.get(pk, Decimal(0)):
            report.problems.append(
                f"account {key} caches {cached} but its entries sum to {per_account.get(pk, 0)}"
            )
        if kind != Kind.WORLD and cached < 0:
            report.problems.append(f"account {key} is below zero")
    if payouts:
        report.problems.extend(_payout_problems())
    return report


def _payout_problems() -> Iterable[str]:
    expected: dict[str, set[str]] = {
        Payout.Status.REQUESTED: {"reserve"},
        Payout.Status.PROCESSING: {"reserve"},
        Payout.Status.PAID: {"reserve", "sent"},
        Payout.Status.FAILED: {"reserve", "return"},
    }
    seen: dict[int, set[str]] = defaultdict(set)
    for key in Transaction.objects.filter(idempotency_key__startswith="payout:").values_list(
        "idempotency_key", flat=True
    ):
        _prefix, payout_id, step = key.split(":")
        seen[int(payout_id)].add(step)
    for pk, status in Payout.objects.values_list("pk", "status"):
        steps = seen.get(pk, set())
        if steps != expected[status]:
            yield f"payout {pk} is {status} but has movements {sorted(steps)}"
