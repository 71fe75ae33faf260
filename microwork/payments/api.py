"""Requester money API: billing. Approving, rejecting and bonusing answers is review/api.py."""

from decimal import Decimal

from django.http import HttpRequest
from ninja import Router, Schema

from microwork.accounts.api_auth import requester_organisation
from microwork.lib.api_errors import responses
from microwork.payments import selectors

router = Router(tags=["money"])


class ProjectMoneyOut(Schema):
    project_id: int
    name: str
    currency: str
    escrow: Decimal
    paid_to_workers: Decimal
    fees: Decimal
    pending_answers: int


class BillingOut(Schema):
    available: dict[str, Decimal]
    projects: list[ProjectMoneyOut]


@router.get("/billing", response=responses(BillingOut))
def billing(request: HttpRequest) -> BillingOut:
    organisation = requester_organisation(request)
    return BillingOut(
        available=dict(selectors.requester_balances(organisation=organisation)),
        projects=[
            ProjectMoneyOut(
                project_id=s.project.pk,
                name=s.project.name,
                currency=s.project.currency,
                escrow=s.escrow,
                paid_to_workers=s.paid_to_workers,
                fees=s.fees,
                pending_answers=s.pending_answers,
            )
            for s in selectors.requester_project_spend(organisation=organisation)
        ],
    )
