"""Money API: a worker's balances, payout methods and payouts; a requester's deposits; anyone's
statement. Amounts travel as decimal strings."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema

from microwork.accounts.access import access_worker
from microwork.accounts.api_auth import caller, requester_organisation
from microwork.accounts.auth import request_user
from microwork.ledger import selectors
from microwork.ledger.access import access_payout_method_for_worker
from microwork.ledger.models import Payout, Transaction
from microwork.ledger.providers import get_provider
from microwork.ledger.services import deposits as ledger_deposits
from microwork.ledger.services import payouts as ledger_payouts
from microwork.lib.api_errors import responses
from microwork.lib.bounds import Id, Offset, PageLimit
from microwork.lib.money import CurrencyCode, check_currency

router = Router(tags=["money"])


class BalanceOut(Schema):
    currency: str
    pending: Decimal
    available: Decimal
    in_flight: Decimal
    paid: Decimal
    payout_minimum: Decimal


class MethodIn(Schema):
    provider: str
    phone: str
    name: str = ""
    label: str = ""


class MethodOut(Schema):
    id: int
    provider: str
    label: str
    description: str


class PayoutIn(Schema):
    method_id: Id
    # A string, so the amount is never a binary float on the way in.
    amount: str
    currency: str | None = None
    request_key: str | None = None


class PayoutOut(Schema):
    id: int
    amount: Decimal
    currency: str
    status: str
    requested_at: datetime
    provider_reference: str
    failure_reason: str


def _payout(p: Payout) -> PayoutOut:
    return PayoutOut(
        id=p.pk,
        amount=p.amount,
        currency=p.currency,
        status=p.status,
        requested_at=p.requested_at,
        provider_reference=p.provider_reference,
        failure_reason=p.failure_reason,
    )


@router.get("/money/balance", response=responses(BalanceOut))
def balance(request: HttpRequest, currency: CurrencyCode | None = None) -> BalanceOut:
    user = request_user(request)
    access_worker(user=user)
    # An unknown code is refused rather than answered with zero balances in a currency that
    # does not exist.
    b = selectors.worker_balances(
        user=user, currency=check_currency(currency or settings.PLATFORM_CURRENCY)
    )
    return BalanceOut(
        currency=b.currency,
        pending=b.pending,
        available=b.available,
        in_flight=b.in_flight,
        paid=b.paid,
        payout_minimum=ledger_payouts.payout_minimum(),
    )


@router.get("/money/payout-methods", response=responses(list[MethodOut]))
def methods(request: HttpRequest) -> list[MethodOut]:
    user = request_user(request)
    access_worker(user=user)
    return [
        MethodOut(
            id=m.pk,
            provider=m.provider,
            label=m.label,
            description=get_provider(m.provider).describe(m.details),
        )
        for m in selectors.payout_methods_active(user=user)
    ]


@router.post("/money/payout-methods", response=responses({201: MethodOut}))
def method_add(request: HttpRequest, payload: MethodIn) -> tuple[int, MethodOut]:
    user = request_user(request)
    access_worker(user=user)
    m = ledger_payouts.payout_method_add(
        user=user,
        provider=payload.provider,
        label=payload.label,
        details={"phone": payload.phone, "name": payload.name},
    )
    return 201, MethodOut(
        id=m.pk,
        provider=m.provider,
        label=m.label,
        description=get_provider(m.provider).describe(m.details),
    )


@router.get("/money/payouts", response=responses(list[PayoutOut]))
def payouts(request: HttpRequest) -> list[PayoutOut]:
    user = request_user(request)
    access_worker(user=user)
    return [_payout(p) for p in selectors.payouts_of_worker(user=user, limit=100)]


@router.post("/money/payouts", response=responses({201: PayoutOut}))
def payout_request(request: HttpRequest, payload: PayoutIn) -> tuple[int, PayoutOut]:
    user = request_user(request)
    access_worker(user=user)
    method = access_payout_method_for_worker(user=user, method_id=payload.method_id)
    p = ledger_payouts.payout_request(
        user=user,
        method=method,
        amount=payload.amount,
        currency=payload.currency,
        request_key=payload.request_key,
    )
    return 201, _payout(p)


class DepositIn(Schema):
    # A string, so the amount is never a binary float on the way in.
    amount: str
    currency: str | None = None
    provider: str
    # The caller's retry token: the same key deposits once; with another amount it is refused.
    request_key: str


class DepositOut(Schema):
    id: int
    amount: Decimal
    currency: str
    provider: str
    reference: str
    created_at: datetime


def _deposit(tx: Transaction) -> DepositOut:
    entry = tx.entries.filter(amount__gt=0).get()
    return DepositOut(
        id=tx.pk,
        amount=entry.amount,
        currency=entry.currency,
        provider=tx.metadata.get("provider") or tx.metadata.get("method", ""),
        reference=tx.metadata.get("reference", ""),
        created_at=tx.created_at,
    )


@router.post("/money/deposits", response=responses({201: DepositOut}))
def deposit(request: HttpRequest, payload: DepositIn) -> tuple[int, DepositOut]:
    """Add funds to the requester's organisation through a deposit provider (the same one the
    billing page uses). Needs a requester token."""
    organisation = requester_organisation(request)
    tx = ledger_deposits.deposit_request(
        organisation=organisation,
        amount=payload.amount,
        currency=payload.currency or settings.PLATFORM_CURRENCY,
        provider=payload.provider,
        request_key=payload.request_key,
        actor=request_user(request),
    )
    return 201, _deposit(tx)


@router.get("/money/deposits", response=responses(list[DepositOut]))
def deposits(request: HttpRequest) -> list[DepositOut]:
    organisation = requester_organisation(request)
    return [
        _deposit(e.transaction)
        for e in selectors.deposits_of_organisation(organisation=organisation, limit=100)
    ]


class StatementRowOut(Schema):
    at: datetime
    transaction_id: int
    kind: str
    description: str
    account: str
    project_id: int | None
    amount: Decimal
    currency: str
    balance_after: Decimal


class StatementOut(Schema):
    count: int
    items: list[StatementRowOut]


@router.get("/money/statement", response=responses(StatementOut))
def statement(request: HttpRequest, limit: PageLimit = 100, offset: Offset = 0) -> StatementOut:
    """Every entry on the caller's accounts, newest first, with each account's balance after
    it: an organisation's with a requester token, the worker's own otherwise."""
    user = request_user(request)
    who = caller(request)
    if who.organisation is not None:
        accounts = selectors.requester_accounts(organisation=who.organisation)
    else:
        access_worker(user=user)
        accounts = selectors.worker_accounts(user=user)
    count, rows = selectors.statement_page(
        accounts=accounts, limit=max(1, min(limit, 500)), offset=max(0, offset)
    )
    return StatementOut(
        count=count,
        items=[
            StatementRowOut(
                at=e.transaction.created_at,
                transaction_id=e.transaction_id,
                kind=e.transaction.kind,
                description=e.transaction.memo,
                account=e.account.kind,
                project_id=e.transaction.project_id,
                amount=e.amount,
                currency=e.currency,
                balance_after=after,
            )
            for e, after in rows
        ],
    )
