"""Rounding and posting: the one rounding every computed amount goes through, and the
balanced, idempotent movement every write to the books is made of."""

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DecimalField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.ledger.models import Account, Entry, Transaction
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.l10n import format_money
from microwork.lib.money import AMOUNT_DIGITS, AMOUNT_PLACES, CURRENCIES, MAX_BALANCE, QUANTUM

Kind = Account.Kind
TxKind = Transaction.Kind


class InsufficientFunds(ApplicationError):
    status = 402
    default_code = "insufficient_funds"

    def __init__(self, message: str, *, shortfall: Decimal, currency: str, account_kind: str):
        super().__init__(
            message,
            field="amount",
            details={"shortfall": str(shortfall), "currency": currency, "account": account_kind},
        )
        self.shortfall = shortfall
        self.currency = currency
        self.account_kind = account_kind


# --- rounding ----------------------------------------------------------------------------


def quantize(amount: Decimal) -> Decimal:
    """Half-up to the ledger's six places: the one rounding every computed amount goes through."""
    return amount.quantize(QUANTUM, rounding=ROUND_HALF_UP)


def fee_for(amount: Decimal) -> Decimal:
    """The platform fee on `amount` paid to a worker, charged to the requester on top."""
    return quantize(amount * Decimal(settings.PLATFORM_FEE_RATE))


def round_down_to_minor(amount: Decimal, currency: str) -> Decimal:
    places = CURRENCIES.get(currency, 2)
    step = Decimal(1).scaleb(-places)
    return (amount // step) * step


# --- posting -----------------------------------------------------------------------------


# What a balance is, for values written into it in SQL.
_BALANCE = DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)


def _clean_leg_amount(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ApplicationError(_("Amounts must be exact decimals, not floats."), field="amount")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(
            _("amount must be a number."), code="invalid_amount", field="amount"
        ) from None
    if not amount.is_finite():
        raise ApplicationError(
            _("amount must be a finite number."), code="invalid_amount", field="amount"
        )
    if amount != amount.quantize(QUANTUM):
        raise ApplicationError(
            _("amount has more than %(places)d decimal places.") % {"places": AMOUNT_PLACES},
            code="invalid_amount",
            field="amount",
        )
    return amount.quantize(QUANTUM)


def _fingerprint(
    kind: str,
    legs: dict[int, Decimal],
    keys: dict[int, str],
    draw: tuple[list[str], Decimal] | None = None,
) -> str:
    parts: list[Any] = [kind, sorted((keys[pk], str(amount)) for pk, amount in legs.items())]
    if draw is not None:
        parts.append(["draw", draw[0], str(draw[1])])
    body = json.dumps(parts, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


@transaction.atomic
def ledger_post(
    *,
    kind: str,
    idempotency_key: str,
    legs: Sequence[tuple[Account, Decimal]],
    draw: tuple[Sequence[Account], Decimal] | None = None,
    memo: str = "",
    created_by: User | None = None,
    project_id: int | None = None,
    submission_id: int | None = None,
    metadata: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Transaction:
    """Post one balanced transaction, exactly once per idempotency key.

    Legs on the same account are added together; legs that net to zero are dropped.
    `draw=(accounts, amount)` takes `amount` from the accounts in order, each giving what it
    holds and the last the rest. It is worked out under the row locks, so two postings drawing
    on the same escrow never both count the same money. A replay with the same key and the
    same content (legs and draw as asked, not as resolved) returns the first transaction; with
    different content it is refused and nothing is written.
    """
    if kind not in TxKind.values:
        raise ValueError(f"unknown transaction kind {kind}")
    idempotency_key = (idempotency_key or "").strip()
    if not idempotency_key or len(idempotency_key) > 200:
        raise ApplicationError(
            _("An idempotency key of 1 to 200 characters is required."), field="idempotency_key"
        )
    merged: dict[int, Decimal] = defaultdict(Decimal)
    accounts: dict[int, Account] = {}
    for account, raw in legs:
        merged[account.pk] += _clean_leg_amount(raw)
        accounts[account.pk] = account
    draw_from: list[Account] = []
    draw_amount = Decimal(0)
    if draw is not None:
        draw_from, draw_amount = list(draw[0]), _clean_leg_amount(draw[1])
        if not draw_from or draw_amount < 0:
            raise ValueError("a draw needs accounts and an amount of zero or more")
        for account in draw_from:
            accounts[account.pk] = account
    merged = {pk: amount for pk, amount in merged.items() if amount != 0}
    if len(merged) + (1 if draw_amount else 0) < 2:
        raise ApplicationError(
            _("A transaction moves a positive amount between two accounts."),
            code="invalid_amount",
            field="amount",
        )
    per_currency: dict[str, Decimal] = defaultdict(Decimal)
    for pk, amount in merged.items():
        per_currency[accounts[pk].currency] += amount
    if draw_amount:
        draw_currencies = {a.currency for a in draw_from}
        if len(draw_currencies) != 1:
            raise ApplicationError(
                _("A draw must come from accounts of one currency."),
                code="currency_mismatch",
                field="currency",
            )
        per_currency[draw_currencies.pop()] -= draw_amount
    unbalanced = {cur: total for cur, total in per_currency.items() if total != 0}
    if unbalanced:
        # Either a programming error or two currencies mixed in one movement: both refused.
        raise ApplicationError(
            _(
                "The movement does not balance in %(currencies)s; money of one currency cannot "
                "pay for another."
            )
            % {"currencies": ", ".join(sorted(unbalanced))},
            code="currency_mismatch" if len(per_currency) > 1 else "unbalanced",
            field="currency",
        )
    fingerprint = _fingerprint(
        kind,
        merged,
        {pk: accounts[pk].key for pk in merged},
        draw=([a.key for a in draw_from], draw_amount) if draw_amount else None,
    )

    def replay(existing: Transaction) -> Transaction:
        if existing.fingerprint != fingerprint:
            raise Conflict(
                _(
                    "This idempotency key was already used for a different movement; nothing was "
                    "changed."
                ),
                code="idempotency_conflict",
                field="idempotency_key",
            )
        return existing

    # Lock in id order so two movements over the same accounts never deadlock. The key is
    # checked under the locks (once: a replay is rare, a first posting is every answer), so a
    # concurrent twin that held them has committed by now.
    involved = set(merged) | {a.pk for a in draw_from}
    locked = {
        a.pk: a for a in Account.objects.select_for_update().filter(pk__in=involved).order_by("pk")
    }
    existing = Transaction.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return replay(existing)
    remaining = draw_amount
    for i, account in enumerate(draw_from):
        if remaining <= 0:
            break
        holds = max(locked[account.pk].balance + merged.get(account.pk, Decimal(0)), Decimal(0))
        take = remaining if i == len(draw_from) - 1 else min(holds, remaining)
        if take:
            merged[account.pk] = merged.get(account.pk, Decimal(0)) - take
            remaining -= take
    merged = {pk: amount for pk, amount in merged.items() if amount != 0}
    for pk, amount in sorted(merged.items()):
        account = locked[pk]
        if account.kind != Kind.WORLD and account.balance + amount < 0:
            shortfall = -(account.balance + amount)
            raise InsufficientFunds(
                _("Not enough money in %(account)s: you need %(missing)s more.")
                % {
                    "account": Kind(account.kind).label,
                    "missing": format_money(shortfall, account.currency),
                },
                shortfall=shortfall,
                currency=account.currency,
                account_kind=account.kind,
            )
    for pk, amount in merged.items():
        # Every amount entered is bounded, but many of them add up: a balance past the column's
        # precision would fail the write (PostgreSQL) or every later read (SQLite).
        if abs(locked[pk].balance + amount) > MAX_BALANCE:
            raise ApplicationError(
                _("This movement would take an account past the largest balance it can hold."),
                code="balance_limit",
                field="amount",
            )
    tx = Transaction.objects.create(
        kind=kind,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        memo=memo[:500],
        created_at=now or timezone.now(),
        created_by=created_by,
        project_id=project_id,
        submission_id=submission_id,
        metadata=metadata or {},
    )
    Entry.objects.bulk_create(
        Entry(transaction=tx, account_id=pk, amount=amount, currency=locked[pk].currency)
        for pk, amount in sorted(merged.items())
    )
    after = {pk: account.balance + merged.get(pk, Decimal(0)) for pk, account in locked.items()}
    # Absolute values computed here, under the row locks (SQLite would add F() expressions in
    # floating point), in one statement for all the accounts.
    Account.objects.filter(pk__in=merged).update(
        balance=Case(
            *(When(pk=pk, then=Value(after[pk], output_field=_BALANCE)) for pk in sorted(merged)),
            output_field=_BALANCE,
        )
    )
    tx.balances = after
    return tx


def ledger_transfer(
    *,
    kind: str,
    idempotency_key: str,
    source: Account,
    destination: Account,
    amount: Decimal,
    **kwargs: Any,
) -> Transaction:
    """Move a positive amount from one account to another of the same currency."""
    amount = _clean_leg_amount(amount)
    if amount <= 0:
        raise ApplicationError(
            _("amount must be greater than zero."), code="invalid_amount", field="amount"
        )
    if source.currency != destination.currency:
        raise ApplicationError(
            _("Cannot move %(a)s money into a %(b)s account.")
            % {"a": source.currency, "b": destination.currency},
            code="currency_mismatch",
            field="currency",
        )
    return ledger_post(
        kind=kind,
        idempotency_key=idempotency_key,
        legs=[(source, -amount), (destination, amount)],
        **kwargs,
    )
