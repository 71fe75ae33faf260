"""Worker money going out: payout methods, requests that reserve the money, and the sending
through each provider, safe to repeat at any step."""

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.inbox.services import inbox_notify
from microwork.ledger.models import Account, Payout, PayoutEvent, PayoutMethod, Transaction
from microwork.ledger.providers import get_provider
from microwork.ledger.services.accounts import in_flight_account, ledger_account, world_account
from microwork.ledger.services.posting import ledger_transfer, round_down_to_minor
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.l10n import format_money
from microwork.lib.money import check_currency, parse_amount

log = logging.getLogger(__name__)

Kind = Account.Kind
TxKind = Transaction.Kind

# A processing claim older than this is taken to belong to a process that died.
PAYOUT_CLAIM_TIMEOUT = timedelta(minutes=10)


def payout_minimum() -> Decimal:
    return Decimal(settings.PAYOUT_MINIMUM)


def simulated_payments_enabled() -> bool:
    # The demo's card and mobile-money stand-ins make money from nothing: off unless asked for.
    return bool(settings.SIMULATED_PAYMENTS)


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
    _payout_tell(payout, "payout_sent", now=now)
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
    _payout_tell(payout, "payout_failed", now=now, reason=reason)
    return payout


def _payout_tell(payout: Payout, kind: str, *, now: datetime, reason: str = "") -> None:
    # The worker hears of it in the inbox, and by e-mail unless they turned payouts off.
    params = {"payout_id": payout.pk, "amount": str(payout.amount), "currency": payout.currency}
    if reason:
        params["reason"] = reason[:500]
    inbox_notify(users=[payout.user_id], kind=kind, params=params, now=now)


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


# Sending is never done inside a web request: a request enqueues it on commit.
@task()
def payout_process_task(payout_id: int) -> str:
    return payout_process(payout_id=payout_id).status
