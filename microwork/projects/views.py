"""Requester pages. Each view: parse, one access helper, one service or selector, render."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from microwork.accounts.access import access_organisation_for_requester
from microwork.accounts.auth import request_user
from microwork.lib.errors import ApplicationError
from microwork.lib.l10n import format_money, progress_in_words
from microwork.lib.redirects import safe_next_url
from microwork.lib.text import render_markdown
from microwork.lib.views import form_labels, form_status, in_words, keep_typed, page, typed_values
from microwork.projects import selectors
from microwork.projects.access import access_batch_for_requester, access_project_for_requester
from microwork.projects.forms import ProjectForm, StatusForm, UploadForm, duration_text
from microwork.projects.interfaces import get_interface, interfaces_all
from microwork.projects.models import Project
from microwork.projects.personal_data import category_names
from microwork.projects.services import batch_runs, batches, cloning
from microwork.projects.services import media as media_services
from microwork.projects.services import projects as project_services

# Multipart framing around the file; the limit applies to the file itself.
MULTIPART_SLACK = 64 * 1024


@page
def project_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    organisation = access_organisation_for_requester(user=user)
    projects = selectors.projects_for_requester(user=user)
    return render(
        request, "projects/list.html", {"projects": projects, "organisation": organisation}
    )


@page
def project_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    organisation = access_organisation_for_requester(user=user)
    keys = [i.key for i in interfaces_all()]
    template_key = request.GET.get("template", "")
    chosen = get_interface(template_key if template_key in keys else keys[0])
    form = ProjectForm(request.POST or None, initial=ProjectForm.initial_for_template(chosen))
    if request.method == "POST" and form.is_valid():
        try:
            project = project_services.project_create(
                organisation=organisation, actor=user, **form.values()
            )
        except ApplicationError as exc:
            form.service_error(exc)
        else:
            messages.success(request, _("Project created. Upload tasks, then go live."))
            return redirect("projects:detail", project_id=project.pk)
    return render(
        request,
        "projects/form.html",
        {
            "form": form,
            "project": None,
            "templates": [(i.key, i.title) for i in interfaces_all()],
            "template_key": chosen.key,
        },
        status=form_status(form),
    )


@page
def project_edit(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_requester(user=user, project_id=project_id)
    locked = selectors.project_has_answers(project=project)
    form = ProjectForm(
        request.POST or None, initial=ProjectForm.initial_for(project), locked=locked
    )
    if request.method == "POST" and form.is_valid():
        try:
            project_services.project_update(project=project, actor=user, changes=form.values())
        except ApplicationError as exc:
            form.service_error(exc)
        else:
            messages.success(request, _("Project saved."))
            return redirect("projects:detail", project_id=project.pk)
    return render(
        request,
        "projects/form.html",
        {"form": form, "project": project, "locked": locked},
        status=form_status(form),
    )


@page
def project_detail(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "counts": selectors.project_counts(project=project),
            "batches": selectors.batches_for_project(project=project)[:50],
            "transitions": [
                Project.Status(s) for s in project_services.allowed_transitions(project)
            ],
            "events": project.events.select_related("actor").order_by("-at", "-id")[:20],
            "reward": format_money(project.reward, project.currency),
            "hourly": format_money(project.estimated_hourly_rate, project.currency),
            "below_floor": project.currency == settings.PLATFORM_CURRENCY
            and project.estimated_hourly_rate < settings.PAY_FLOOR_PER_HOUR,
            "instructions_html": render_markdown(project.instructions),
            "approval_period": duration_text(project.auto_approve_seconds),
            "personal_data_names": category_names(project.personal_data),
            "typed": typed_values(request),
        },
    )


@require_POST
@page
def project_status(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_requester(user=user, project_id=project_id)
    form = StatusForm(request.POST)
    back = safe_next_url(request.POST.get("next")) or reverse("projects:detail", args=[project.pk])
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        keep_typed(request, "status")
    else:
        try:
            project_services.project_set_status(
                project=project,
                actor=user,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            # Back to the page the form was on, with the reason typed kept for it.
            messages.error(request, exc.message)
            keep_typed(request, exc.field)
            return HttpResponseRedirect(back)
        else:
            messages.success(
                request,
                _("The project is now %(status)s.")
                % {"status": Project.Status(form.cleaned_data["status"]).label.lower()},
            )
            return redirect("projects:detail", project_id=project.pk)
    return HttpResponseRedirect(back)


@page
def project_upload(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_requester(user=user, project_id=project_id)
    interface = get_interface(project.interface)
    context: dict[str, Any] = {
        "project": project,
        "max_mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024),
        "columns": interface.input_columns(project.config),
        "column_groups": interface.input_groups_for(project.config),
    }
    if request.method != "POST":
        context["form"] = UploadForm()
        return render(request, "projects/upload.html", context)
    # Refuse an oversized body before Django spools it to disk.
    body_limit = settings.MAX_UPLOAD_BYTES + settings.MEDIA_ZIP_MAX_BYTES + MULTIPART_SLACK
    if int(request.META.get("CONTENT_LENGTH") or 0) > body_limit:
        form = UploadForm()
        form.add_error(
            None,
            _("The file is bigger than the %(limit)d MB limit. Split it into smaller files.")
            % {"limit": context["max_mb"]},
        )
        context["form"] = form
        return render(request, "projects/upload.html", context, status=413)
    form = UploadForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "projects/upload.html", context, status=400)
    upload = form.cleaned_data["file"]
    try:
        outcome, stored = media_services.batch_upload_with_media(
            project=project,
            actor=user,
            media=form.cleaned_data["media_zip"],
            upload=lambda: batches.batch_upload(
                project=project,
                actor=user,
                file=upload,
                filename=upload.name,
                content_type=upload.content_type or "",
                size=upload.size,
                opens_at=form.cleaned_data["opens_at"],
            ),
        )
    except ApplicationError as exc:
        form.add_error(
            exc.field if exc.field in ("opens_at", "media_zip") else None,
            in_words(exc.message, form_labels(form)),
        )
        context["problems"] = exc.details or []
        return render(request, "projects/upload.html", context, status=exc.status)
    batch = outcome.batch
    if stored:
        messages.info(
            request,
            ngettext("%(n)d media file stored.", "%(n)d media files stored.", len(stored))
            % {"n": len(stored)},
        )
    if outcome.duplicate:
        messages.info(
            request,
            _("This file was already uploaded (batch %(id)d); nothing was added.")
            % {"id": batch.pk},
        )
    elif outcome.queued:
        messages.info(request, _("The file is being checked; its progress is shown below."))
    else:
        messages.success(
            request,
            ngettext(
                "%(n)d task added (%(gold)d gold).",
                "%(n)d tasks added (%(gold)d gold).",
                batch.rows_added,
            )
            % {"n": batch.rows_added, "gold": batch.gold_added},
        )
    return redirect("projects:detail", project_id=project.pk)


@page
def batch_progress(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = access_batch_for_requester(user=request_user(request), batch_id=batch_id)
    return render(
        request,
        "projects/_batch_progress.html",
        {"batch": batch, **progress_words(batch_runs.batch_progress_view(batch), batch)},
    )


def progress_words(progress: Any, batch: Any) -> dict[str, Any]:
    """A running upload's phases in words, each with its count, and the time left."""
    if progress is None:
        return {"phases": [], "percent": batch.percent_checked, "time_left": ""}

    def describe(phase: Any) -> tuple[str, str]:
        if phase.key == "check":
            return _("Checking the file"), ngettext(
                "%(n)d row checked", "%(n)d rows checked", batch.rows_seen
            ) % {"n": batch.rows_seen}
        return _("Adding the tasks"), _("%(done)d of %(total)d tasks stored") % {
            "done": phase.done,
            "total": phase.total,
        }

    return progress_in_words(progress, describe)


@require_POST
@page
def instructions_preview(request: HttpRequest) -> HttpResponse:
    access_organisation_for_requester(user=request_user(request))
    return HttpResponse(render_markdown(request.POST.get("instructions", "")))


@page
def project_clone(request: HttpRequest, project_id: int) -> HttpResponse:
    """A new draft with this project's settings, instructions, control tasks, tests and rules."""
    user = request_user(request)
    project = access_project_for_requester(user=user, project_id=project_id)
    name = request.POST.get("name", "") if request.method == "POST" else ""
    error = ""
    if request.method == "POST":
        try:
            clone = cloning.project_clone(project=project, actor=user, name=name)
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Copied from %(name)s: settings, instructions, control tasks, tests and rules.")
                % {"name": project.name},
            )
            return redirect("projects:detail", project_id=clone.pk)
    return render(
        request,
        "projects/clone.html",
        {
            "project": project,
            "name": name or _("%(name)s (copy)") % {"name": project.name},
            "error": error,
        },
        status=400 if error else 200,
    )
