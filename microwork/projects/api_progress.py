"""How far a project has come, in one small read: what a requester's script or the
`microwork watch` command polls."""

from django.http import HttpRequest
from ninja import Router, Schema

from microwork.accounts.api_auth import requester_scope
from microwork.accounts.auth import request_user
from microwork.lib.api_errors import responses
from microwork.projects.access import access_project_for_requester
from microwork.projects.selectors import project_counts

router = Router(tags=["projects"])


class ProgressOut(Schema):
    project_id: int
    status: str
    tasks: int
    gold: int
    regular: int
    complete: int
    percent_complete: int
    answers: int
    answers_wanted: int


@router.get("/projects/{project_id}/progress", response=responses(ProgressOut))
def project_progress(request: HttpRequest, project_id: int):
    """Tasks complete (every answer in, or closed early by dynamic overlap) out of the
    project's regular tasks; controls are counted apart."""
    project = access_project_for_requester(
        user=request_user(request), project_id=project_id, organisation=requester_scope(request)
    )
    counts = project_counts(project=project)
    return {
        "project_id": project.pk,
        "status": project.status,
        "tasks": counts["tasks"],
        "gold": counts["gold"],
        "regular": counts["regular"],
        "complete": counts["complete"],
        "percent_complete": counts["percent_complete"],
        "answers": counts["answers"],
        "answers_wanted": counts["answers_wanted"],
    }
