"""Worker payout pages and the operators' money pages. Each view: parse, one access helper,
one service or selector, render."""

import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts.access import access_worker
from microwork.accounts.auth import request_user
from microwork.accounts.models import Organisation
from microwork.ledger import selectors
from microwork.ledger.access import (
    access_operator,
    access_payout_for_operator,
    access_payout_method_for_worker,
)
from microwork.ledger.models import Entry
from microwork.ledger.providers import PAYOUT_PROVIDERS, get_provider, method_text
from microwork.ledger.services import deposits as ledger_deposits
from microwork.ledger.services import payouts as ledger_payouts
from microwork.ledger.services.posting import round_down_to_minor
from microwork.lib.bounds import whole_number
from microwork.lib.csvfile import csv_writer
from microwork.lib.errors import ApplicationError
from microwork.lib.money import CURRENCY_CHOICES
from microwork.lib.views import in_words, keep_typed, page, typed_now, typed_values


def _providers() -> list[tuple[str, str]]:
    keys = [
        k
        for k in PAYOUT_PROVIDERS
        if k != "simulated" or ledger_payouts.simulated_payments_enabled()
    ]
    return [(k, str(get_provider(k).label)) for k in keys]


# What the payouts page calls each input, for a refusal that names one.
def _payout_labels() -> dict[str, str]:
    return {
        "amount": _("Amount"),
        "method": _("Send to"),
        "provider": _("Service"),
        "phone": _("Mobile-money number"),
        "name": _("Name on the account"),
        "label": _("A name for this method (optional)"),
    }


@page
def payouts(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    return _payouts_page(request, user)


def _payouts_refused(request: HttpRequest, user, exc: ApplicationError) -> HttpResponse:
    """The page again, as a 400, with what was typed and the problem naming its input."""
    messages.error(request, in_words(exc.message, _payout_labels()))
    return _payouts_page(request, user, typed=typed_now(request, exc.field), status=400)


def _payouts_page(
    request: HttpRequest, user, *, typed: dict | None = None, status: int = 200
) -> HttpResponse:
    typed = typed or {"values": {}, "field": ""}
    currency = (
        typed["values"].get("currency") or request.GET.get("currency") or _default_currency(user)
    )
    methods = list(selectors.payout_methods_active(user=user))
    balances = selectors.worker_balances(user=user, currency=currency)
    return render(
        request,
        "ledger/payouts.html",
        {
            "balances": balances,
            "minimum": ledger_payouts.payout_minimum(),
            "all_available": round_down_to_minor(balances.available, currency),
            "methods": [
                (m, method_text(provider=m.provider, label=m.label, details=m.details))
                for m in methods
            ],
            "payouts": selectors.payouts_of_worker(user=user),
            "providers": _providers(),
            "request_key": uuid.uuid4().hex,
            "currency": currency,
            "typed": typed,
        },
        status=status,
    )


def _default_currency(user) -> str:
    currencies = selectors.worker_currencies(user=user)
    if settings.PLATFORM_CURRENCY in currencies or not currencies:
        return settings.PLATFORM_CURRENCY
    return currencies[0]


@page
@require_POST
def payout_request(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    method_id = whole_number(request.POST.get("method"), low=1)
    if method_id is None:
        return _payouts_refused(
            request, user, ApplicationError(_("Choose where to send the money."), field="method")
        )
    method = access_payout_method_for_worker(user=user, method_id=method_id)
    try:
        payout = ledger_payouts.payout_request(
            user=user,
            method=method,
            amount=request.POST.get("amount", ""),
            currency=request.POST.get("currency") or None,
            request_key=request.POST.get("request_key") or None,
        )
    except ApplicationError as exc:
        return _payouts_refused(request, user, exc)
    else:
        messages.success(
            request,
            _("Payout of %(amount)s requested; it is on its way to %(to)s.")
            % {"amount": f"{payout.amount:.2f} {payout.currency}", "to": method.label},
        )
    return redirect("ledger:payouts")


@page
@require_POST
def payout_method_add(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    try:
        ledger_payouts.payout_method_add(
            user=user,
            provider=request.POST.get("provider", ""),
            label=request.POST.get("label", ""),
            details={"phone": request.POST.get("phone", ""), "name": request.POST.get("name", "")},
        )
    except ApplicationError as exc:
        return _payouts_refused(request, user, exc)
    else:
        messages.success(request, _("Payout method saved."))
    return redirect("ledger:payouts")


@page
@require_POST
def payout_method_remove(request: HttpRequest, method_id: int) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    ledger_payouts.payout_method_remove(
        method=access_payout_method_for_worker(user=user, method_id=method_id)
    )
    messages.success(request, _("Payout method removed."))
    return redirect("ledger:payouts")


class _Echo:
    def write(self, value: str) -> str:
        return value


def statement_response(entries, filename: str) -> StreamingHttpResponse:
    """A CSV of entries with a running balance per account, streamed row by row."""

    def rows() -> Iterator[str]:
        writer = csv_writer(_Echo())
        yield writer.writerow(
            ["date_utc", "transaction", "kind", "description", "account", "project_id",
             "amount", "currency", "balance_after"]
        )  # fmt: skip
        running: dict[int, Any] = {}
        entry: Entry
        for entry in entries.iterator(chunk_size=2000):
            running[entry.account_id] = running.get(entry.account_id, 0) + entry.amount
            tx = entry.transaction
            yield writer.writerow(
                [
                    tx.created_at.strftime("%Y-%m-%d %H:%M:%S"),
                    tx.pk,
                    tx.kind,
                    tx.memo,
                    entry.account.get_kind_display(),
                    tx.project_id or "",
                    f"{entry.amount:f}",
                    entry.currency,
                    f"{running[entry.account_id]:f}",
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@page
def worker_statement(request: HttpRequest) -> StreamingHttpResponse:
    user = request_user(request)
    access_worker(user=user)
    entries = selectors.statement_entries(accounts=selectors.worker_accounts(user=user))
    return statement_response(entries, f"microwork-statement-{user.username}.csv")


@page
def operator_payouts(request: HttpRequest) -> HttpResponse:
    access_operator(user=request_user(request))
    rows = [
        (
            p,
            get_provider(p.provider).describe(p.method.details),
            p.method.details,
            get_provider(p.provider).operator_settles,
        )
        for p in selectors.payouts_to_complete()
    ]
    return render(
        request,
        "ledger/operator_payouts.html",
        {"rows": rows, "check": selectors.ledger_check_latest(), "typed": typed_values(request)},
    )


@page
@require_POST
def operator_payout_finish(request: HttpRequest, payout_id: int) -> HttpResponse:
    user = request_user(request)
    payout = access_payout_for_operator(user=user, payout_id=payout_id)
    try:
        outcome = request.POST.get("outcome")
        if outcome == "retry":
            payout = ledger_payouts.payout_redrive(payout=payout, actor=user)
            messages.success(
                request,
                _("Payout %(id)s: its provider was asked again; it is now %(status)s.")
                % {"id": payout.pk, "status": payout.get_status_display().lower()},
            )
        elif outcome == "failed":
            ledger_payouts.payout_mark_failed(
                payout=payout, reason=request.POST.get("reason", ""), actor=user
            )
            messages.success(
                request, _("Payout %(id)s marked failed; the money went back.") % {"id": payout.pk}
            )
        else:
            ledger_payouts.payout_mark_sent(
                payout=payout,
                reference=request.POST.get("reference", ""),
                actor=user,
            )
            messages.success(request, _("Payout %(id)s marked sent.") % {"id": payout.pk})
    except ApplicationError as exc:
        # The page goes back to the list: what was typed in this payout's form is kept there.
        labels = {"reference": _("transfer reference"), "reason": _("why it failed")}
        messages.error(request, in_words(exc.message, labels))
        keep_typed(request, exc.field)
    return redirect("ledger:operator_payouts")


@page
def operator_deposit(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_operator(user=user)
    status = 200
    if request.method == "POST":
        organisation = Organisation.objects.filter(
            pk=whole_number(request.POST.get("organisation"), low=1) or 0
        ).first()
        try:
            if organisation is None:
                raise ApplicationError(
                    _("Choose the organisation that paid."), field="organisation"
                )
            ledger_deposits.deposit_record(
                organisation=organisation,
                amount=request.POST.get("amount", ""),
                currency=request.POST.get("currency", ""),
                reference=request.POST.get("reference", ""),
                actor=user,
                memo=request.POST.get("memo", ""),
            )
        except ApplicationError as exc:
            labels = {
                "organisation": _("Organisation"),
                "amount": _("Amount received"),
                "currency": _("Currency"),
                "reference": _("Payment reference"),
                "memo": _("Note"),
            }
            messages.error(request, in_words(exc.message, labels))
            status = 400
        else:
            messages.success(
                request, _("Deposit recorded for %(org)s.") % {"org": organisation.name}
            )
            return redirect("ledger:operator_deposit")
    return render(
        request,
        "ledger/operator_deposit.html",
        {
            "organisations": Organisation.objects.order_by("name"),
            "currencies": CURRENCY_CHOICES,
            "recent": selectors.deposits_recent(),
            "post": request.POST,
        },
        status=status,
    )
