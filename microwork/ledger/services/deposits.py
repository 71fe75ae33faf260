"""Requester funds: money coming in, recorded by an operator or charged through a deposit
provider."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.ledger.models import Account, Entry, Transaction
from microwork.ledger.providers import deposit_providers_enabled, get_deposit_provider
from microwork.ledger.services.accounts import ledger_account, world_account
from microwork.ledger.services.posting import ledger_transfer, round_down_to_minor
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.l10n import format_money
from microwork.lib.money import check_currency, parse_amount

Kind = Account.Kind
TxKind = Transaction.Kind


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
