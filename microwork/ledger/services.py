"""Every write to the money books. Nothing else inserts entries or changes a balance."""

import hashlib
import json
import logging
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, DecimalField, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.ledger.models import (
    Account,
    Entry,
    ExchangeRate,
    LedgerCheckRun,
    Payout,
    PayoutEvent,
    PayoutMethod,
    Transaction,
)
from microwork.ledger.providers import (
    deposit_providers_enabled,
    get_deposit_provider,
    get_provider,
)
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.money import (
    AMOUNT_DIGITS,
    AMOUNT_PLACES,
    CURRENCIES,
    MAX_BALANCE,
    QUANTUM,
    check_currency,
    format_money,
    parse_amount,
)

log = logging.getLogger(__name__)

Kind = Account.Kind
TxKind = Transaction.Kind

# A processing claim older than this is taken to belong to a process that died.
PAYOUT_CLAIM_TIMEOUT = timedelta(minutes=10)


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


def payout_minimum() -> Decimal:
    return Decimal(settings.PAYOUT_MINIMUM)


def simulated_payments_enabled() -> bool:
    # The demo's card and mobile-money stand-ins make money from nothing: off unless asked for.
    return bool(settings.SIMULATED_PAYMENTS)


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


# --- accounts ----------------------------------------------------------------------------


# What a balance is, for values written into it in SQL.
_BALANCE = DecimalField(max_digits=AMOUNT_DIGITS, decimal_places=AMOUNT_PLACES)


def _account_key(
    kind: str,
    currency: str,
    organisation_id: int | None,
    user_id: int | None,
    project_id: int | None,
) -> str:
    if kind in (Kind.REQUESTER_AVAILABLE,):
        owner = f"org{organisation_id}"
    elif kind == Kind.REQUESTER_ESCROW:
        owner = f"project{project_id}"
    elif kind in (Kind.WORKER_PENDING, Kind.WORKER_AVAILABLE):
        owner = f"user{user_id}"
    else:
        owner = "platform"
    return f"{kind}:{owner}:{currency}"


@dataclass(frozen=True)
class AccountSpec:
    """Which account: a kind, a currency and, by kind, its owner."""

    kind: str
    currency: str
    organisation: Organisation | None = None
    user: User | None = None
    project_id: int | None = None

    def key(self) -> str:
        needs: dict[str, bool] = {
            Kind.REQUESTER_AVAILABLE: self.organisation is not None,
            Kind.REQUESTER_ESCROW: self.organisation is not None and self.project_id is not None,
            Kind.WORKER_PENDING: self.user is not None,
            Kind.WORKER_AVAILABLE: self.user is not None,
        }
        if not needs.get(self.kind, True):
            raise ValueError(f"account kind {self.kind} needs an owner")
        return _account_key(
            self.kind,
            self.currency,
            self.organisation.pk if self.organisation else None,
            self.user.pk if self.user else None,
            self.project_id,
        )


def ledger_accounts(*, specs: Sequence[AccountSpec]) -> list[Account]:
    """The accounts asked for, in the same order, made on first use. One query when they all
    exist already: the earning on every answer needs three."""
    specs = [
        AccountSpec(s.kind, check_currency(s.currency), s.organisation, s.user, s.project_id)
        for s in specs
    ]
    keys = [spec.key() for spec in specs]
    found = {a.key: a for a in Account.objects.filter(key__in=keys)}
    for spec, key in zip(specs, keys, strict=True):
        if key not in found:
            found[key], _created = Account.objects.get_or_create(
                key=key,
                defaults={
                    "kind": spec.kind,
                    "currency": spec.currency,
                    "organisation": spec.organisation,
                    "user": spec.user,
                    "project_id": spec.project_id if spec.kind == Kind.REQUESTER_ESCROW else None,
                },
            )
    return [found[key] for key in keys]


def ledger_account(
    *,
    kind: str,
    currency: str,
    organisation: Organisation | None = None,
    user: User | None = None,
    project_id: int | None = None,
) -> Account:
    """The account of this kind for this owner and currency, made on first use."""
    spec = AccountSpec(kind, currency, organisation, user, project_id)
    return ledger_accounts(specs=[spec])[0]


def world_account(currency: str) -> Account:
    return ledger_account(kind=Kind.WORLD, currency=currency)


def platform_fees_account(currency: str) -> Account:
    return ledger_account(kind=Kind.PLATFORM_FEES, currency=currency)


def in_flight_account(currency: str) -> Account:
    return ledger_account(kind=Kind.PAYOUTS_IN_FLIGHT, currency=currency)


# --- posting -----------------------------------------------------------------------------


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


# --- requester funds ---------------------------------------------------------------------


@transaction.atomic
def deposit_record(
    *,
    organisation: Organisation,
    amount: Any,
    currency: str,
    reference: str,
    actor: User,
    memo: str = "",
) -> Transaction:
    """An operator records money received (bank transfer, card settlement) under the payment
    provider's reference, which is also the idempotency key: recording it twice adds it once."""
    amount = parse_amount(amount)
    currency = check_currency(currency)
    reference = (reference or "").strip()
    if not reference:
        raise ApplicationError(_("Enter the payment's reference."), field="reference")
    if not actor.is_staff:
        raise ApplicationError(_("Only operators record deposits."), code="forbidden")
    return ledger_transfer(
        kind=TxKind.DEPOSIT,
        idempotency_key=f"deposit:{reference}",
        source=world_account(currency),
        destination=ledger_account(
            kind=Kind.REQUESTER_AVAILABLE, currency=currency, organisation=organisation
        ),
        amount=amount,
        memo=memo or _("Deposit %(ref)s") % {"ref": reference},
        created_by=actor,
        metadata={"reference": reference, "method": "operator"},
    )


def deposit_request(
    *,
    organisation: Organisation,
    amount: Any,
    currency: str,
    provider: str,
    request_key: str,
    actor: User,
) -> Transaction:
    """A requester adds funds through a deposit provider: the billing page's form and
    `POST /api/money/deposits` both come here. `request_key` is the caller's retry token: the
    same key deposits once, and the same key with another amount or currency is refused.

    Deliberately not atomic as a whole: the provider is outside the database. Its charge carries
    the deposit's own key, so a retry after a crash gets the provider's first answer and records
    it; it never charges twice."""
    enabled = deposit_providers_enabled()
    if not enabled:
        raise ApplicationError(
            _(
                "No deposit provider is enabled on this site. Pay by bank transfer with your "
                "organisation's name as the reference; an operator records it."
            ),
            code="no_deposit_provider",
            field="provider",
        )
    impl = get_deposit_provider((provider or "").strip())
    if impl.key not in enabled:
        raise ApplicationError(
            _("Deposits through %(provider)s are switched off on this site; use: %(keys)s.")
            % {"provider": impl.key, "keys": ", ".join(enabled)},
            code="provider_disabled",
            field="provider",
        )
    request_key = (request_key or "").strip()
    if not request_key or len(request_key) > 100:
        raise ApplicationError(
            _("A request key of 1 to 100 characters is required."), field="request_key"
        )
    amount = parse_amount(amount)
    currency = check_currency(currency)
    if amount != round_down_to_minor(amount, currency):
        raise ApplicationError(
            _("Deposits are in whole %(currency)s minor units, such as 25.50.")
            % {"currency": currency},
            code="invalid_amount",
            field="amount",
        )
    if impl.max_amount is not None and amount > impl.max_amount:
        raise ApplicationError(
            _("A deposit through %(provider)s is at most %(max)s.")
            % {"provider": impl.label, "max": format_money(impl.max_amount, currency)},
            code="invalid_amount",
            field="amount",
        )
    key = f"deposit-{impl.key}:{organisation.pk}:{request_key}"
    existing = Transaction.objects.filter(idempotency_key=key).first()
    if existing is not None:
        earlier = (
            Entry.objects.filter(transaction=existing, amount__gt=0)
            .values_list("amount", "currency")
            .first()
        )
        if earlier != (amount, currency):
            raise Conflict(
                _(
                    "This request key was already used for a deposit of %(earlier)s; nothing was "
                    "changed. Use a new key for a new deposit."
                )
                % {"earlier": format_money(*earlier) if earlier else "?"},
                code="idempotency_conflict",
                field="request_key",
            )
        return existing
    result = impl.charge(key=key, amount=amount, currency=currency, details={})
    if result.status != "paid":
        raise ApplicationError(
            result.message or _("The payment was refused; nothing was deposited."),
            code="deposit_failed",
            field="provider",
        )
    return ledger_transfer(
        kind=TxKind.DEPOSIT,
        idempotency_key=key,
        source=world_account(currency),
        destination=ledger_account(
            kind=Kind.REQUESTER_AVAILABLE, currency=currency, organisation=organisation
        ),
        amount=amount,
        memo=_("Deposit by %(provider)s, reference %(ref)s")
        % {"provider": impl.label, "ref": result.reference},
        created_by=actor,
        metadata={"provider": impl.key, "reference": result.reference, "method": impl.key},
    )


# --- payouts -----------------------------------------------------------------------------


def _payout_event(
    payout: Payout, old: str, new: str, *, at: datetime, actor: User | None = None, note: str = ""
) -> None:
    PayoutEvent.objects.create(
        payout=payout, old_status=old, new_status=new, actor=actor, note=note[:500], at=at
    )


@transaction.atomic
def payout_method_add(
    *, user: User, provider: str, label: str, details: dict[str, Any]
) -> PayoutMethod:
    impl = get_provider(provider)
    if provider == "simulated" and not simulated_payments_enabled():
        raise ApplicationError(
            _("Simulated payments are switched off on this site."), field="provider"
        )
    clean = impl.check_details(details)
    label = (label or "").strip() or str(impl.label)
    return PayoutMethod.objects.create(
        user=user, provider=provider, label=label[:80], details=clean
    )


@transaction.atomic
def payout_method_remove(*, method: PayoutMethod) -> None:
    # Kept (payouts point at it), only hidden from new payout requests.
    PayoutMethod.objects.filter(pk=method.pk).update(is_active=False)


@transaction.atomic
def payout_request(
    *,
    user: User,
    method: PayoutMethod,
    amount: Any,
    currency: str | None = None,
    request_key: str | None = None,
    now: datetime | None = None,
) -> Payout:
    """Reserve the amount (available → in flight) and queue the sending.

    The amount must be whole minor units (cents); what is below a cent stays available.
    """
    now = now or timezone.now()
    currency = check_currency(currency or settings.PLATFORM_CURRENCY)
    # Scoped to the worker: two people's apps may well pick the same retry token.
    request_key = (
        f"{user.pk}:{request_key.strip()[:50]}" if request_key and request_key.strip() else None
    )
    amount = parse_amount(amount)
    if request_key:
        earlier = Payout.objects.filter(request_key=request_key, user=user).first()
        if earlier is not None:
            return _payout_replay(earlier, amount=amount, currency=currency, method=method)
    if method.user_id != user.pk or not method.is_active:
        raise ApplicationError(_("Choose one of your payout methods."), field="method")
    if amount != round_down_to_minor(amount, currency):
        raise ApplicationError(
            _(
                "Payouts are in whole %(currency)s minor units (e.g. 2.35); smaller amounts stay "
                "in your balance."
            )
            % {"currency": currency},
            code="invalid_amount",
            field="amount",
        )
    minimum = payout_minimum()
    if amount < minimum:
        raise ApplicationError(
            _("The smallest payout is %(min)s.") % {"min": format_money(minimum, currency)},
            code="below_minimum",
            field="amount",
        )
    available = ledger_account(kind=Kind.WORKER_AVAILABLE, currency=currency, user=user)
    if amount > available.balance:
        raise ApplicationError(
            _("You asked for %(asked)s but have %(has)s available.")
            % {
                "asked": format_money(amount, currency),
                "has": format_money(available.balance, currency),
            },
            code="insufficient_funds",
            field="amount",
        )
    try:
        with transaction.atomic():
            payout = Payout.objects.create(
                user=user,
                method=method,
                provider=method.provider,
                amount=amount,
                currency=currency,
                request_key=request_key,
                requested_at=now,
                provider_key=f"mw-payout-{uuid.uuid4().hex}",
            )
    except IntegrityError:
        # A twin request with the same key committed while this one was checking.
        earlier = Payout.objects.filter(request_key=request_key, user=user).first()
        if earlier is None:
            raise
        return _payout_replay(earlier, amount=amount, currency=currency, method=method)
    ledger_transfer(
        kind=TxKind.PAYOUT_RESERVE,
        idempotency_key=f"payout:{payout.pk}:reserve",
        source=available,
        destination=in_flight_account(currency),
        amount=amount,
        memo=_("Payout %(id)s requested") % {"id": payout.pk},
        created_by=user,
        metadata={"payout_id": payout.pk},
        now=now,
    )
    _payout_event(payout, "", Payout.Status.REQUESTED, at=now, actor=user)
    if method.provider != "manual":
        from microwork.ledger.tasks import payout_process_task

        transaction.on_commit(lambda: payout_process_task.enqueue(payout.pk))
    return payout


def _payout_replay(
    earlier: Payout, *, amount: Decimal, currency: str, method: PayoutMethod
) -> Payout:
    """A request under a key already used: the same request again is answered with the first
    payout; another one is refused, since guessing which was meant could pay the wrong
    amount."""
    if (earlier.amount, earlier.currency, earlier.method_id) != (amount, currency, method.pk):
        raise Conflict(
            _(
                "This request key was already used for a payout of %(amount)s to %(method)s; "
                "nothing was changed. Use a new key for a new payout."
            )
            % {
                "amount": format_money(earlier.amount, earlier.currency),
                "method": earlier.method.label,
            },
            code="idempotency_conflict",
            field="request_key",
        )
    return earlier


def _payout_claim(payout_id: int, now: datetime, stale_after: timedelta) -> Payout | None:
    """Take the payout for sending, or None when another process has it (or it is done)."""
    with transaction.atomic():
        stale = now - stale_after
        changed = (
            Payout.objects.filter(pk=payout_id)
            .filter(
                Q(status=Payout.Status.REQUESTED)
                | Q(status=Payout.Status.PROCESSING, claimed_at__lt=stale)
            )
            .update(status=Payout.Status.PROCESSING, claimed_at=now, attempts=F("attempts") + 1)
        )
        if changed != 1:
            return None
        payout = Payout.objects.select_related("method").get(pk=payout_id)
        note = _("attempt %(n)d") % {"n": payout.attempts}
        _payout_event(
            payout,
            Payout.Status.REQUESTED if payout.attempts == 1 else Payout.Status.PROCESSING,
            Payout.Status.PROCESSING,
            at=now,
            note=note,
        )
        return payout


def payout_process(
    *,
    payout_id: int,
    now: datetime | None = None,
    after_send: Callable[[Payout], None] | None = None,
    stale_after: timedelta = PAYOUT_CLAIM_TIMEOUT,
) -> Payout:
    """Send one payout through its provider. Safe to call again at any point: the claim is a
    conditional UPDATE, the provider call carries the payout's own key, and the finishing
    transitions are conditional too — a crash between any two steps repeats, never doubles.

    Deliberately not atomic as a whole: the provider is outside the database, and holding a
    transaction open across a network call would hold the row locks with it.
    """
    now = now or timezone.now()
    payout = _payout_claim(payout_id, now, stale_after)
    if payout is None:
        return Payout.objects.get(pk=payout_id)
    result = get_provider(payout.provider).send(
        key=payout.provider_key,
        amount=payout.amount,
        currency=payout.currency,
        details=payout.method.details,
    )
    if after_send is not None:
        after_send(payout)
    if result.status == "paid":
        return _payout_settle_paid(payout=payout, reference=result.reference)
    if result.status == "failed":
        return _payout_settle_failed(
            payout=payout, reason=result.message or _("refused by provider")
        )
    return payout


def _payout_finish(payout: Payout, status: str, *, conflict: str, **fields: Any) -> str | None:
    """Move a requested or processing payout to its final `status` with a conditional UPDATE,
    so a provider's answer and an operator's click cannot both finish it. Returns the old
    status; None when the payout already had `status` (a repeat); Conflict when it had the
    other final one."""
    old = Payout.objects.select_for_update().values_list("status", flat=True).get(pk=payout.pk)
    changed = Payout.objects.filter(
        pk=payout.pk, status__in=[Payout.Status.REQUESTED, Payout.Status.PROCESSING]
    ).update(status=status, **fields)
    payout.refresh_from_db()
    if changed != 1:
        if payout.status == status:
            return None
        raise Conflict(conflict, field="status")
    return old


def _operator_settles(payout: Payout) -> None:
    provider = get_provider(payout.provider)
    if not provider.operator_settles:
        raise Conflict(
            _(
                "Payout %(id)s goes through %(provider)s, so it is settled by its provider, not "
                "by hand: it may already be on its way. Ask the provider again instead."
            )
            % {"id": payout.pk, "provider": provider.label},
            code="settled_by_provider",
            field="outcome",
        )


@transaction.atomic
def payout_mark_sent(
    *, payout: Payout, reference: str, actor: User, now: datetime | None = None
) -> Payout:
    """An operator sent a manual payout and records the transfer's reference. Only payouts
    whose provider leaves the sending to operators; an automatic one is settled by its
    provider's answer."""
    _operator_settles(payout)
    return _payout_settle_paid(payout=payout, reference=reference, actor=actor, now=now)


@transaction.atomic
def payout_mark_failed(
    *, payout: Payout, reason: str, actor: User, now: datetime | None = None
) -> Payout:
    """An operator could not send a manual payout: its money goes back to the worker. Only
    payouts whose provider leaves the sending to operators."""
    _operator_settles(payout)
    return _payout_settle_failed(payout=payout, reason=reason, actor=actor, now=now)


def payout_redrive(*, payout: Payout, actor: User, now: datetime | None = None) -> Payout:
    """An operator asks an automatic payout's provider again, now, instead of waiting for the
    periodic run: safe at any moment, since the request carries the payout's own key and the
    provider answers it once."""
    provider = get_provider(payout.provider)
    if provider.operator_settles:
        raise Conflict(
            _("Payout %(id)s is sent by hand: record it as sent or failed.") % {"id": payout.pk},
            code="settled_by_operator",
            field="outcome",
        )
    log.info("payout %s re-driven by %s", payout.pk, actor.username)
    return payout_process(payout_id=payout.pk, now=now, stale_after=timedelta(0))


@transaction.atomic
def _payout_settle_paid(
    *, payout: Payout, reference: str, actor: User | None = None, now: datetime | None = None
) -> Payout:
    """The money has left: in flight → world."""
    now = now or timezone.now()
    reference = (reference or "").strip()
    if not reference:
        raise ApplicationError(_("Enter the transfer reference."), field="reference")
    old = _payout_finish(
        payout,
        Payout.Status.PAID,
        conflict=_("This payout has already failed; its money went back."),
        provider_reference=reference[:200],
        finished_at=now,
    )
    if old is None:
        return payout
    ledger_transfer(
        kind=TxKind.PAYOUT_SENT,
        idempotency_key=f"payout:{payout.pk}:sent",
        source=in_flight_account(payout.currency),
        destination=world_account(payout.currency),
        amount=payout.amount,
        memo=_("Payout %(id)s sent, reference %(ref)s") % {"id": payout.pk, "ref": reference},
        created_by=actor,
        metadata={"payout_id": payout.pk, "reference": reference},
        now=now,
    )
    _payout_event(payout, old, Payout.Status.PAID, at=now, actor=actor, note=reference)
    return payout


@transaction.atomic
def _payout_settle_failed(
    *, payout: Payout, reason: str, actor: User | None = None, now: datetime | None = None
) -> Payout:
    """The money could not be sent: in flight → the worker's available balance."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Say why the payout failed."), field="reason")
    old = _payout_finish(
        payout,
        Payout.Status.FAILED,
        conflict=_("This payout was already sent."),
        failure_reason=reason[:500],
        finished_at=now,
    )
    if old is None:
        return payout
    ledger_transfer(
        kind=TxKind.PAYOUT_RETURN,
        idempotency_key=f"payout:{payout.pk}:return",
        source=in_flight_account(payout.currency),
        destination=ledger_account(
            kind=Kind.WORKER_AVAILABLE, currency=payout.currency, user=payout.user
        ),
        amount=payout.amount,
        memo=_("Payout %(id)s failed: %(reason)s") % {"id": payout.pk, "reason": reason},
        created_by=actor,
        metadata={"payout_id": payout.pk},
        now=now,
    )
    _payout_event(payout, old, Payout.Status.FAILED, at=now, actor=actor, note=reason)
    return payout


def payouts_process_due(
    *,
    now: datetime | None = None,
    limit: int = 500,
    between: Callable[[Payout], None] | None = None,
    after_send: Callable[[Payout], None] | None = None,
    stale_after: timedelta | None = None,
) -> int:
    """Send every requested automatic payout and re-drive those a crashed process left in
    `processing`. Returns how many were handled."""
    now = now or timezone.now()
    stale_after = PAYOUT_CLAIM_TIMEOUT if stale_after is None else stale_after
    stale = now - stale_after
    ids = list(
        Payout.objects.exclude(provider="manual")
        .filter(
            Q(status=Payout.Status.REQUESTED)
            | Q(status=Payout.Status.PROCESSING, claimed_at__lt=stale)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        payout = payout_process(
            payout_id=pk, now=now, after_send=after_send, stale_after=stale_after
        )
        if between is not None:
            between(payout)
    return len(ids)


# --- exchange rates ----------------------------------------------------------------------


def exchange_estimate(amount: Decimal, currency: str, target: str) -> Decimal | None:
    """`amount` shown in `target` at the operators' rate; None when no rate is kept."""
    if currency == target:
        return amount
    rate = (
        ExchangeRate.objects.filter(base=currency, currency=target)
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        return None
    places = CURRENCIES.get(target, 2)
    return (amount * rate).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# --- the check ---------------------------------------------------------------------------


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
