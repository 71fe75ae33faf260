"""The requester's blocks page: block a worker from all of the organisation's projects with a
reason, see the blocks in force with their appeals, lift one. A form that fails is drawn
again with what was typed and the reason beside its field."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts.access import access_organisation_for_requester
from microwork.accounts.auth import request_user
from microwork.lib.bounds import MAX_ID, whole_number
from microwork.lib.errors import ApplicationError
from microwork.lib.views import action, page, typed_values
from microwork.projects.models import Project
from microwork.quality import dashboards, selectors
from microwork.quality.models import Decision
from microwork.quality.services.blocks import worker_block_create, worker_block_delete


def _project(organisation_id: int, raw: str | None) -> Project | None:
    try:
        project_id = whole_number(raw, low=1, high=MAX_ID) if raw else None
    except ApplicationError:
        return None
    if project_id is None:
        return None
    return Project.objects.filter(pk=project_id, organisation_id=organisation_id).first()


@page
def blocks(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    organisation = access_organisation_for_requester(user=user)
    source = request.POST if request.method == "POST" else request.GET
    typed = {
        "worker": source.get("worker", "").strip()[:150],
        "reason": source.get("reason", "")[:4000],
        "project": source.get("project", ""),
    }
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        try:
            worker = dashboards.worker_by_username(username=typed["worker"], field="worker")
            worker_block_create(
                organisation=organisation,
                worker=worker,
                reason=typed["reason"],
                actor=user,
                project=_project(organisation.pk, typed["project"]),
            )
        except ApplicationError as exc:
            errors[exc.field or "worker"] = exc.message
            status = 400
        else:
            messages.success(request, _("Blocked; the worker has been told why and can appeal."))
            return redirect("quality:blocks")
    return render(
        request,
        "quality/blocks.html",
        {
            "organisation": organisation,
            "blocks": selectors.blocks_for_organisation(organisation_id=organisation.pk),
            "typed": typed,
            # A refused answer to an appeal comes back with what was written.
            "appeal_typed": typed_values(request),
            "errors": errors,
            "now": timezone.now(),
            "active": Decision.Status.ACTIVE,
        },
        status=status,
    )


@action
@require_POST
def block_lift(request: HttpRequest, decision_id: int) -> HttpResponse:
    user = request_user(request)
    organisation = access_organisation_for_requester(user=user)
    decision = (
        selectors.blocks_for_organisation(organisation_id=organisation.pk)
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        return render(request, "refused.html", {"message": _("No such block.")}, status=404)
    worker_block_delete(
        organisation=organisation,
        worker=decision.worker,
        actor=user,
        reason=request.POST.get("reason", "")[:2000],
    )
    messages.success(request, _("Block lifted; the worker has been told."))
    return redirect("quality:blocks")
