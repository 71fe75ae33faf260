"""Workers' earnings page, requesters' billing and the page listing answers to review (its
buttons post to review/views.py). Each view: parse, one access helper, one service or
selector, render."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts.access import access_organisation_for_requester, access_worker
from microwork.accounts.auth import request_user
from microwork.ledger import selectors as ledger_selectors
from microwork.ledger.providers import (
    deposit_providers_enabled,
    get_deposit_provider,
    method_text,
)
from microwork.ledger.services.deposits import deposit_request
from microwork.ledger.services.payouts import payout_minimum
from microwork.ledger.services.posting import round_down_to_minor
from microwork.ledger.services.rates import exchange_estimate
from microwork.ledger.views import statement_response
from microwork.lib.errors import ApplicationError
from microwork.lib.redirects import safe_next_url
from microwork.lib.views import in_words, keep_typed, page, typed_values
from microwork.payments import charts, golive, selectors
from microwork.payments.services import accounts as payments_accounts
from microwork.payments.services.floor import floor_per_hour, worker_floor_per_hour
from microwork.projects.access import access_project_for_requester
from microwork.projects.services.projects import allowed_transitions as project_transitions


@page
def worker_dashboard(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    profile = access_worker(user=user)
    now = timezone.now()
    currency = settings.PLATFORM_CURRENCY
    balances = ledger_selectors.worker_balances(user=user, currency=currency)
    projects = selectors.worker_project_earnings(user=user)
    local = selectors.COUNTRY_CURRENCY.get(profile.country)
    estimates = None
    if local and local != currency:
        convert = lambda amount: exchange_estimate(amount, currency, local)  # noqa: E731
        if convert(balances.available) is not None:
            estimates = {
                "currency": local,
                "pending": convert(balances.pending),
                "available": convert(balances.available),
                "paid": convert(balances.paid),
            }
    methods = list(ledger_selectors.payout_methods_active(user=user))
    return render(
        request,
        "payments/worker.html",
        {
            "currency": currency,
            "balances": balances,
            "estimates": estimates,
            "projects": projects,
            "rates": selectors.worker_overall_rates(projects, currency),
            "floor": settings.PAY_FLOOR_PER_HOUR,
            # Raised to the worker's country's figure where operators set a higher one.
            "own_floor": _own_floor(profile.country, currency),
            "country": profile.country,
            "bars": charts.weekly_bars(
                ledger_selectors.worker_earnings_by_week(user=user, currency=currency, now=now)
            ),
            "chart": {"width": charts.WIDTH, "height": charts.HEIGHT},
            "methods": [
                (m, method_text(provider=m.provider, label=m.label, details=m.details))
                for m in methods
            ],
            "all_available": round_down_to_minor(balances.available, currency),
            "minimum": payout_minimum(),
            "request_key": uuid.uuid4().hex,
            "bonuses": ledger_selectors.bonus_messages(user=user),
            "reviews": selectors.worker_recent_reviews(user=user),
            "reasons": payments_accounts.rejection_reasons(),
        },
    )


@page
def requester_billing(request: HttpRequest) -> HttpResponse:
    organisation = access_organisation_for_requester(user=request_user(request))
    spend = selectors.requester_project_spend(organisation=organisation)
    currency = settings.PLATFORM_CURRENCY
    main = [s for s in spend if s.project.currency == currency]
    return render(
        request,
        "payments/requester.html",
        {
            "organisation": organisation,
            "balances": selectors.requester_balances(organisation=organisation),
            "spend": spend,
            # Totals in the platform currency only: amounts of two currencies never add up.
            "currency": currency,
            "total_fees": sum((s.fees for s in main), Decimal(0)),
            "total_paid": sum((s.paid_to_workers for s in main), Decimal(0)),
            "total_escrow": sum((s.escrow for s in main), Decimal(0)),
            "deposits": ledger_selectors.deposits_of_organisation(organisation=organisation),
            "deposit_providers": [
                (key, get_deposit_provider(key).label) for key in deposit_providers_enabled()
            ],
            "request_key": uuid.uuid4().hex,
            "fee_rate": settings.PLATFORM_FEE_RATE * 100,
            "typed": typed_values(request),
        },
    )


@page
@require_POST
def deposit(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    organisation = access_organisation_for_requester(user=user)
    try:
        deposit_request(
            organisation=organisation,
            amount=request.POST.get("amount", ""),
            currency=request.POST.get("currency") or settings.PLATFORM_CURRENCY,
            provider=request.POST.get("provider", ""),
            actor=user,
            request_key=request.POST.get("request_key", ""),
        )
    except ApplicationError as exc:
        # Back to the page it came from, which shows what was typed and the input at fault.
        labels = {"amount": _("Amount"), "provider": _("Pay with"), "currency": _("Currency")}
        messages.error(request, in_words(exc.message, labels))
        keep_typed(request, exc.field)
    else:
        messages.success(request, _("Funds added."))
    back = safe_next_url(request.POST.get("next"))
    if back:
        return HttpResponseRedirect(back)
    return redirect("payments:billing")


@page
def requester_statement(request: HttpRequest) -> HttpResponseBase:
    organisation = access_organisation_for_requester(user=request_user(request))
    entries = ledger_selectors.statement_entries(
        accounts=ledger_selectors.requester_accounts(organisation=organisation)
    )
    return statement_response(entries, f"microwork-statement-{organisation.slug}.csv")


@page
def project_review(request: HttpRequest, project_id: int) -> HttpResponse:
    """The review page moved beside the review actions, which read the tasks' labels for its
    agreement filter; this address, bookmarked and linked from mails, leads there."""
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    return HttpResponseRedirect(reverse("review:page", args=[project.pk]))


@page
def go_live(request: HttpRequest, project_id: int) -> HttpResponse:
    """The page before going live: what it will cost and whether the funds cover it, with the
    way to add funds, a preview of a task as workers will see it, and the button itself."""
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    cost = golive.go_live_cost(project=project)
    return render(
        request,
        "payments/go_live.html",
        {
            "project": project,
            "cost": cost,
            "fee_rate": settings.PLATFORM_FEE_RATE * 100,
            "can_go_live": "live" in project_transitions(project),
            "deposit_providers": [
                (key, get_deposit_provider(key).label) for key in deposit_providers_enabled()
            ],
            "request_key": uuid.uuid4().hex,
            "typed": typed_values(request),
        },
    )


def _own_floor(country: str, currency: str) -> Decimal | None:
    """The worker's floor when their country's figure is above the platform's, else None."""
    own = worker_floor_per_hour(currency=currency, country=country)
    return own if own > floor_per_hour(currency) else None
