"""The frame an ExternalQuestion's page is shown in.

The page is the requester's, on their site: it runs in an <iframe sandbox="allow-scripts
allow-forms">, so its scripts and its form work, but it gets an opaque origin (it can read
nothing of this site, not even if it were served from it), cannot navigate the task page, and
opens no pop-ups. Its address gets MTurk's query parameters: the lease's unguessable
AssignmentId (the only thing that lets /mturk/externalSubmit take an answer), the HITId, the
worker's WorkerId for the requester's organisation and turkSubmitTo, this site's address."""

from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext as _

from microwork.mturk.interface import DEFAULT_HEIGHT
from microwork.mturk.keys import assignment_id_for
from microwork.mturk.models import Hit
from microwork.mturk.services.workers import worker_alias
from microwork.projects.models import Project
from microwork.work.models import Assignment

register = template.Library()


def frame_address(*, url: str, lease: Assignment, request: HttpRequest) -> str:
    hit_id = Hit.objects.filter(project_id=lease.project_id).values_list("hit_id", flat=True)
    query = urlencode(
        {
            "assignmentId": assignment_id_for(lease.pk),
            "hitId": hit_id.first() or f"T{lease.task_id}",
            "workerId": worker_alias(organisation=lease.project.organisation, worker=lease.worker),
            "turkSubmitTo": request.build_absolute_uri("/").rstrip("/"),
        }
    )
    return f"{url}{'&' if '?' in url else '?'}{query}"


@register.simple_tag
def external_question_frame(project: Project, config: dict, request: HttpRequest) -> str:
    lease = (
        Assignment.objects.filter(
            project=project, worker_id=request.user.pk, status=Assignment.Status.LEASED
        )
        .select_related("project__organisation", "worker")
        .order_by("-id")
        .first()
    )
    if lease is None:
        return ""
    return format_html(
        '<iframe class="external-question" sandbox="allow-scripts allow-forms" '
        'referrerpolicy="no-referrer" width="100%" height="{}" title="{}" src="{}"></iframe>',
        int(config.get("frame_height") or DEFAULT_HEIGHT),
        _("The requester's page"),
        frame_address(url=config["url"], lease=lease, request=request),
    )
