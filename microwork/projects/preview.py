"""A task shown to its requester exactly as a worker will see it, before going live: the
project's instructions, one of its tasks (or the kind's example when none is uploaded yet)
drawn by the kind's own worker template, and the answer checked as a worker's would be, so
the requester sees what a worker's Submit would say."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from microwork.accounts.auth import request_user
from microwork.lib.bounds import MAX_ID
from microwork.lib.errors import ApplicationError
from microwork.lib.text import render_markdown
from microwork.lib.views import page
from microwork.projects.access import access_project_for_requester
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Task


def _task_id(raw: str | None) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if 0 < value <= MAX_ID else None


@page
def task_preview(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    interface = get_interface(project.interface)
    source = request.POST if request.method == "POST" else request.GET
    tasks = Task.objects.filter(project=project).order_by("is_gold", "row_number", "pk")
    wanted = _task_id(source.get("task"))
    task = (tasks.filter(pk=wanted).first() if wanted else None) or tasks.first()
    data = task.data if task is not None else (interface.example or {}).get("data", {})
    following = (
        tasks.filter(is_gold=task.is_gold, row_number__gt=task.row_number).first()
        if task is not None
        else None
    )
    context: dict[str, Any] = {
        "project": project,
        "task": task,
        "next_task": following,
        "config": project.config,
        "data": data,
        "draft": None,
        "interface_template": interface.template_name,
        "instructions_html": render_markdown(project.instructions),
        "disturbing": project.is_disturbing,
    }
    status = 200
    if request.method == "POST":
        answer = interface.answer_from_form(project.config, request.POST)
        context["draft"] = answer
        try:
            checked = interface.check_answer(project.config, data, answer)
        except ApplicationError as exc:
            context["error"] = exc.message
            status = 400
        else:
            context["accepted"] = interface.answer_text(project.config, checked, data)
    return render(request, "projects/task_preview.html", context, status=status)
