"""Money paid beside an answer's reward: a requester's bonus to workers, and pay for a
qualification test or training at the project's hourly rate, never under the floor."""

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.ledger.models import Account, Transaction
from microwork.ledger.services.accounts import platform_fees_account
from microwork.ledger.services.posting import InsufficientFunds, fee_for, ledger_post, quantize
from microwork.lib.errors import ApplicationError
from microwork.lib.l10n import format_money
from microwork.payments.services.accounts import (
    from_escrow,
    funds_error,
    requester_account,
    worker_account,
)
from microwork.payments.services.floor import floor_per_hour
from microwork.projects.models import Project

K = Account.Kind
T = Transaction.Kind


@transaction.atomic
def bonus_transfer(
    *,
    organisation: Organisation,
    actor: User,
    workers: list[User],
    amount: Decimal,
    currency: str,
    message: str,
    request_key: str,
    project: Project | None = None,
    now: datetime | None = None,
) -> list[Transaction]:
    """The money move of a bonus: `amount` to each worker from the requester's funds, plus the
    fee, all or nothing, once per request key and worker. review.services `bonus_pay` checks
    the request (amount, message, workers who did this requester's tasks) before calling."""
    now = now or timezone.now()
    fee = fee_for(amount)
    source = requester_account(organisation, currency)
    total = (amount + fee) * len(workers)
    if source.balance < total:
        raise ApplicationError(
            _("These bonuses cost %(total)s with fees: you need %(missing)s more.")
            % {
                "total": format_money(total, currency),
                "missing": format_money(total - source.balance, currency),
            },
            code="insufficient_funds",
            field="amount",
        )
    done = []
    for worker in sorted(workers, key=lambda w: w.pk):
        done.append(
            ledger_post(
                kind=T.BONUS,
                idempotency_key=f"bonus:{organisation.pk}:{request_key}:{worker.pk}",
                legs=[
                    (source, -(amount + fee)),
                    (worker_account(worker, K.WORKER_AVAILABLE, currency), amount),
                    (platform_fees_account(currency), fee),
                ],
                memo=message,
                created_by=actor,
                project_id=project.pk if project else None,
                metadata={"message": message, "organisation": organisation.name, "fee": str(fee)},
                now=now,
            )
        )
    return done


@transaction.atomic
def test_payment_record(
    *,
    project: Project,
    worker: User,
    active_ms: int,
    kind: str,
    reference: str,
    estimated_ms: int | None = None,
    amount: Decimal | None = None,
    now: datetime | None = None,
) -> Transaction | None:
    """Pay a qualification test or training at the project's hourly rate (never under the
    floor) for the measured active time, at most twice the estimate when one is given. Paid
    straight to available, from escrow, with the fee on top. `reference` makes it once-only."""
    now = now or timezone.now()
    if kind not in ("qualification", "training", "test", "exam"):
        raise ApplicationError(_("kind must be qualification or training."), field="kind")
    if not isinstance(active_ms, int) or active_ms < 0:
        raise ApplicationError(
            _("active_ms must be a whole number of milliseconds."), field="active_ms"
        )
    capped = active_ms if estimated_ms is None else min(active_ms, 2 * max(estimated_ms, 0))
    rate = max(
        project.reward * Decimal(3600) / Decimal(project.estimated_seconds),
        floor_per_hour(project.currency),
    )
    computed = quantize(rate * Decimal(capped) / Decimal(3_600_000))
    if amount is not None:
        # The quality app's own figure, so its books and ours agree — but never above the cap.
        computed = (
            min(quantize(Decimal(amount)), computed) if estimated_ms else quantize(Decimal(amount))
        )
    if computed <= 0:
        return None
    fee = fee_for(computed)
    try:
        return ledger_post(
            kind=T.TEST_PAYMENT,
            idempotency_key=f"test-payment:{reference}:{worker.pk}",
            draw=from_escrow(project, computed + fee),
            legs=[
                (worker_account(worker, K.WORKER_AVAILABLE, project.currency), computed),
                (platform_fees_account(project.currency), fee),
            ],
            memo=_("Paid %(kind)s for %(project)s") % {"kind": kind, "project": project.name},
            project_id=project.pk,
            metadata={
                "kind": kind,
                "reference": reference,
                "active_ms": active_ms,
                "paid_ms": capped,
                "hourly": str(quantize(rate)),
                "fee": str(fee),
            },
            now=now,
        )
    except InsufficientFunds as exc:
        raise funds_error(exc, what=_("Paying the test")) from None
