"""The worker's live page: each live project's statement and standby rate, opt-in, the
availability toggle, and the offer pushed to the open page (static/live/live.js)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts.access import access_worker
from microwork.accounts.auth import request_user
from microwork.lib.l10n import format_money
from microwork.lib.views import action, page
from microwork.live import selectors
from microwork.live.access import access_live_project_for_worker, access_offer_for_worker
from microwork.live.services.dispatch import live_offer_accept, live_offer_decline
from microwork.live.services.setup import live_opt_in
from microwork.live.services.standby import standby_rate_for, standby_set


@page
def home(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    rows = selectors.worker_live_projects(worker=user, now=timezone.now())
    for row in rows:
        # The worker's own rate: the project's, or their country's floor where that is higher.
        rate = standby_rate_for(setup=row["setup"], worker=user)
        row["standby"] = format_money(rate, row["project"].currency)
        row["reward"] = format_money(row["project"].reward, row["project"].currency)
    return render(
        request,
        "live/home.html",
        {"rows": rows, "any_available": any(r["available"] for r in rows)},
    )


@action
@require_POST
def opt_in(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project, _setup = access_live_project_for_worker(user=user, project_id=project_id)
    live_opt_in(project=project, worker=user)
    messages.success(request, _("Thank you. You can now mark yourself available."))
    return redirect("live:home")


@action
@require_POST
def availability(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project, _setup = access_live_project_for_worker(user=user, project_id=project_id)
    standby_set(project=project, worker=user, available=request.POST.get("available") == "1")
    return redirect("live:home")


@action
@require_POST
def accept(request: HttpRequest, offer_id: int) -> HttpResponse:
    user = request_user(request)
    offer = access_offer_for_worker(user=user, offer_id=offer_id)
    accepted = live_offer_accept(offer=offer, worker=user)
    return redirect("work:task", assignment_id=accepted.assignment_id)


@action
@require_POST
def decline(request: HttpRequest, offer_id: int) -> HttpResponse:
    user = request_user(request)
    offer = access_offer_for_worker(user=user, offer_id=offer_id)
    live_offer_decline(offer=offer, worker=user)
    return redirect("live:home")
