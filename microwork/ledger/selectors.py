"""Reads of the money books that pages, the API and the payments app share."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncWeek

from microwork.accounts.models import Organisation, User
from microwork.ledger.models import (
    Account,
    Entry,
    LedgerCheckRun,
    Payout,
    PayoutMethod,
    Transaction,
)
from microwork.ledger.services.posting import quantize

K = Account.Kind
T = Transaction.Kind
PAYOUT_KINDS = (T.PAYOUT_RESERVE, T.PAYOUT_SENT, T.PAYOUT_RETURN)


def _sum(qs: QuerySet, field: str = "amount") -> Decimal:
    # SQLite sums decimals as floats; six places is what the books hold.
    return quantize(Decimal(qs.aggregate(total=Sum(field))["total"] or 0))


@dataclass(frozen=True)
class WorkerBalances:
    currency: str
    pending: Decimal
    available: Decimal
    in_flight: Decimal
    paid: Decimal


def worker_balances(*, user: User, currency: str) -> WorkerBalances:
    balances = dict(
        Account.objects.filter(user=user, currency=currency).values_list("kind", "balance")
    )
    payouts = Payout.objects.filter(user=user, currency=currency)
    return WorkerBalances(
        currency=currency,
        pending=balances.get(K.WORKER_PENDING, Decimal(0)),
        available=balances.get(K.WORKER_AVAILABLE, Decimal(0)),
        in_flight=_sum(
            payouts.filter(status__in=[Payout.Status.REQUESTED, Payout.Status.PROCESSING])
        ),
        paid=_sum(payouts.filter(status=Payout.Status.PAID)),
    )


def worker_currencies(*, user: User) -> list[str]:
    return sorted(set(Account.objects.filter(user=user).values_list("currency", flat=True)))


def worker_earning_entries(*, user: User) -> QuerySet[Entry]:
    """What the worker earned, net: every movement into or out of their pending and available
    balances except payouts (an approval moves between the two and nets to zero)."""
    return Entry.objects.filter(
        account__user=user, account__kind__in=[K.WORKER_PENDING, K.WORKER_AVAILABLE]
    ).exclude(transaction__kind__in=PAYOUT_KINDS)


def worker_earnings_by_week(
    *, user: User, currency: str, now: datetime, weeks: int = 8
) -> list[tuple[datetime, Decimal]]:
    """(Monday 00:00 UTC, net earnings) for each of the last `weeks` weeks, oldest first,
    empty weeks included."""
    this_monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = this_monday - timedelta(weeks=weeks - 1)
    rows = (
        worker_earning_entries(user=user)
        .filter(currency=currency, transaction__created_at__gte=start)
        .annotate(week=TruncWeek("transaction__created_at"))
        .values("week")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    totals = {r["week"].date(): quantize(Decimal(r["total"] or 0)) for r in rows}
    return [
        (start + timedelta(weeks=i), totals.get((start + timedelta(weeks=i)).date(), Decimal(0)))
        for i in range(weeks)
    ]


def statement_entries(*, accounts: QuerySet[Account]) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(account__in=accounts)
        .select_related("transaction", "account")
        .order_by("transaction__created_at", "pk")
    )


def statement_page(
    *, accounts: QuerySet[Account], limit: int, offset: int
) -> tuple[int, list[tuple[Entry, Decimal]]]:
    """(how many entries, one page of them newest first, each with its account's balance
    after it). The balance is worked back from the account's balance, so the page reads the
    entries before it too: statements are read by people, a page at a time."""
    entries = statement_entries(accounts=accounts).reverse()
    running = dict(accounts.values_list("pk", "balance"))
    page: list[tuple[Entry, Decimal]] = []
    for i, entry in enumerate(entries[: offset + limit].iterator(chunk_size=500)):
        if i >= offset:
            page.append((entry, running[entry.account_id]))
        running[entry.account_id] -= entry.amount
    return entries.count(), page


def worker_accounts(*, user: User) -> QuerySet[Account]:
    return Account.objects.filter(user=user, kind__in=[K.WORKER_PENDING, K.WORKER_AVAILABLE])


def requester_accounts(*, organisation: Organisation) -> QuerySet[Account]:
    return Account.objects.filter(organisation=organisation)


def payout_methods_active(*, user: User) -> QuerySet[PayoutMethod]:
    return PayoutMethod.objects.filter(user=user, is_active=True).order_by("-created_at")


def payouts_of_worker(*, user: User, limit: int = 20) -> QuerySet[Payout]:
    return (
        Payout.objects.filter(user=user).select_related("method").order_by("-requested_at")[:limit]
    )


def payouts_to_complete() -> QuerySet[Payout]:
    """Payouts an operator must act on: manual ones not yet sent, and automatic ones stuck."""
    return (
        Payout.objects.filter(status__in=[Payout.Status.REQUESTED, Payout.Status.PROCESSING])
        .select_related("user", "method")
        .order_by("requested_at")
    )


def bonus_messages(*, user: User, limit: int = 10) -> QuerySet[Transaction]:
    return (
        Transaction.objects.filter(kind=T.BONUS, entries__account__user=user)
        .order_by("-created_at")
        .distinct()[:limit]
    )


def deposits_recent(*, limit: int = 30) -> QuerySet[Transaction]:
    return (
        Transaction.objects.filter(kind=T.DEPOSIT)
        .select_related("created_by")
        .order_by("-created_at")[:limit]
    )


def deposits_of_organisation(*, organisation: Organisation, limit: int = 50) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(
            account__organisation=organisation,
            account__kind=K.REQUESTER_AVAILABLE,
            transaction__kind=T.DEPOSIT,
        )
        .select_related("transaction")
        .order_by("-transaction__created_at")[:limit]
    )


def ledger_check_latest() -> LedgerCheckRun | None:
    return LedgerCheckRun.objects.order_by("-started_at", "-pk").first()
