from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from microwork.accounts.auth import request_user
from microwork.aggregation import exports, ranking, results, selectors
from microwork.aggregation.forms import METHOD_NAMES, AggregationSettingsForm
from microwork.aggregation.services import run_requests
from microwork.aggregation.services import settings as aggregation_settings
from microwork.lib.errors import ApplicationError
from microwork.lib.views import form_error, page
from microwork.projects.access import access_project_for_requester
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project

PAGE_SIZE = 50
# Items of a ranking listed on the results page; the downloads hold them all.
RANKING_SHOWN = 100


def _settings_form(project: Project, data=None) -> AggregationSettingsForm:
    return AggregationSettingsForm(
        data,
        initial={
            "method": project.aggregation_method,
            "dynamic_overlap": project.dynamic_overlap,
            "min_overlap": project.min_overlap,
            "target_confidence": project.target_confidence,
        },
    )


def _page(request: HttpRequest, project: Project, form: AggregationSettingsForm) -> HttpResponse:
    page = Paginator(results.tasks_for_results(project=project), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "aggregation/results.html",
        {
            "project": project,
            "page": page,
            "rows": results.task_results(project=project, tasks=list(page.object_list)),
            "summary": results.results_summary(project=project),
            "columns": exports.input_columns(project),
            "form": form,
            "method_name": METHOD_NAMES.get(project.aggregation_method, project.aggregation_method),
            "run": selectors.run_latest(project=project),
            "stopped_early": selectors.tasks_stopped_early(project=project),
            "ranking": ranking.project_ranking(project=project)
            if ranking.has_ranking(project)
            else None,
            "ranking_shown": RANKING_SHOWN,
            # Photos, recordings: the workers' files download beside the results.
            "has_files": bool(get_interface(project.interface).file_fields_for(project.config)),
        },
        status=400 if form.errors else 200,
    )


@page
def results_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    return _page(request, project, _settings_form(project))


@page
@require_POST
def results_configure(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_requester(user=user, project_id=project_id)
    form = _settings_form(project, request.POST)
    if form.is_valid():
        try:
            aggregation_settings.project_aggregation_configure(
                project=project, actor=user, **form.cleaned_data
            )
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Aggregation settings saved."))
            return redirect("results:page", project_id=project.pk)
    return _page(request, project, form)


@page
@require_POST
def results_reestimate(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_requester(user=user, project_id=project_id)
    run_requests.aggregation_run_request(project=project, actor=user)
    messages.success(request, _("Re-estimate queued. This page shows its progress."))
    return redirect("results:page", project_id=project.pk)


@page
def results_run_status(request: HttpRequest, project_id: int) -> HttpResponse:
    """The small fragment the results page polls while a re-estimate runs."""
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    return render(
        request,
        "aggregation/_run.html",
        {"project": project, "run": selectors.run_latest(project=project)},
    )


@page
def results_download(
    request: HttpRequest, project_id: int, kind: str, fmt: str
) -> HttpResponse | StreamingHttpResponse:
    if kind == "ranking" and fmt in exports.RANKING_FORMATS:
        project = access_project_for_requester(user=request_user(request), project_id=project_id)
        if not ranking.has_ranking(project):
            raise Http404
        return exports.ranking_response(project=project, fmt=fmt)
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        raise Http404
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    return exports.export_response(project=project, kind=kind, fmt=fmt)
