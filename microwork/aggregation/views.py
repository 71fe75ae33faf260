from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from microwork.aggregation import exports, results
from microwork.projects.access import access_project_for_requester
from microwork.projects.views import requester_page

PAGE_SIZE = 50


@requester_page
def results_page(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request.user, project_id=project_id)
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
        },
    )


@requester_page
def results_download(request: HttpRequest, project_id: int, kind: str, fmt: str) -> HttpResponse:
    if kind not in exports.KINDS or fmt not in exports.FORMATS:
        raise Http404
    project = access_project_for_requester(user=request.user, project_id=project_id)
    return exports.export_response(project=project, kind=kind, fmt=fmt)
