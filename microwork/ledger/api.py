"""Worker money API: balances, payout methods, payouts. Amounts travel as decimal strings."""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema

from microwork.accounts.access import access_worker
from microwork.ledger import selectors, services
from microwork.ledger.access import access_payout_method_for_worker
from microwork.ledger.models import Payout
from microwork.ledger.providers import get_provider

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
    method_id: int
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


@router.get("/money/balance", response=BalanceOut)
def balance(request: HttpRequest, currency: str | None = None) -> BalanceOut:
    access_worker(user=request.user)
    b = selectors.worker_balances(
        user=request.user, currency=(currency or settings.PLATFORM_CURRENCY).upper()
    )
    return BalanceOut(
        currency=b.currency,
        pending=b.pending,
        available=b.available,
        in_flight=b.in_flight,
        paid=b.paid,
        payout_minimum=services.payout_minimum(),
    )


@router.get("/money/payout-methods", response=list[MethodOut])
def methods(request: HttpRequest) -> list[MethodOut]:
    access_worker(user=request.user)
    return [
        MethodOut(
            id=m.pk,
            provider=m.provider,
            label=m.label,
            description=get_provider(m.provider).describe(m.details),
        )
        for m in selectors.payout_methods_active(user=request.user)
    ]


@router.post("/money/payout-methods", response={201: MethodOut})
def method_add(request: HttpRequest, payload: MethodIn) -> tuple[int, MethodOut]:
    access_worker(user=request.user)
    m = services.payout_method_add(
        user=request.user,
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


@router.get("/money/payouts", response=list[PayoutOut])
def payouts(request: HttpRequest) -> list[PayoutOut]:
    access_worker(user=request.user)
    return [_payout(p) for p in selectors.payouts_of_worker(user=request.user, limit=100)]


@router.post("/money/payouts", response={201: PayoutOut})
def payout_request(request: HttpRequest, payload: PayoutIn) -> tuple[int, PayoutOut]:
    access_worker(user=request.user)
    method = access_payout_method_for_worker(user=request.user, method_id=payload.method_id)
    p = services.payout_request(
        user=request.user,
        method=method,
        amount=payload.amount,
        currency=payload.currency,
        request_key=payload.request_key,
    )
    return 201, _payout(p)
