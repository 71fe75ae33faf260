"""Worker voice pages: a requester's record, rating projects, the feedback channel and its
public summary. Thin: access helper, one selector or service, render."""

import secrets

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from microwork.accounts.access import access_worker
from microwork.accounts.auth import request_user
from microwork.lib.errors import ApplicationError
from microwork.lib.views import page
from microwork.voice import selectors, services
from microwork.voice.access import access_organisation_for_worker, access_project_for_rating
from microwork.voice.models import MARK_CHOICES, Feedback, ProjectRating
from microwork.voice.record import FORMULAS, RECORD_WINDOW


@page
def requester_record(request: HttpRequest, organisation_id: int) -> HttpResponse:
    user = request_user(request)
    organisation = access_organisation_for_worker(user=user, organisation_id=organisation_id)
    context = {
        "record": selectors.requester_record(organisation=organisation),
        "formulas": FORMULAS,
        "window_days": RECORD_WINDOW.days,
    }
    return render(request, "voice/record.html", context)


@page
def ratings(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    return render(request, "voice/ratings.html", {"rows": selectors.projects_to_rate(worker=user)})


@page
def rate(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_rating(user=user, project_id=project_id)
    rating = ProjectRating.objects.filter(worker=user, project=project).first()
    values = {name: getattr(rating, name, None) for name in ("instructions", "fairness", "pay")}
    error = None
    if request.method == "POST":
        values = {name: request.POST.get(name) for name in values}
        try:
            services.project_rating_save(worker=user, project=project, **values)
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("Thank you: your rating of %(project)s is saved.") % {"project": project.name},
            )
            return redirect("voice:ratings")
    fields = [
        {"name": name, "label": services.MARK_FIELDS[name], "value": str(values[name] or "")}
        for name in ("instructions", "fairness", "pay")
    ]
    context = {
        "project": project,
        "fields": fields,
        "marks": [str(n) for n, _label in MARK_CHOICES],
        "error": error,
        "rated": rating is not None,
    }
    return render(request, "voice/rate.html", context, status=error.status if error else 200)


@page
def feedback(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if user.is_authenticated and user.is_staff and not hasattr(user, "worker_profile"):
        # Operators read and answer the workers' messages in their own tool.
        return redirect("admin:voice_feedback_changelist")
    access_worker(user=user)
    error = None
    form = {"subject": "", "message": "", "key": secrets.token_urlsafe(16)}
    if request.method == "POST":
        form = {name: request.POST.get(name, "") for name in form}
        try:
            services.feedback_create(
                worker=user, subject=form["subject"], message=form["message"], key=form["key"]
            )
        except ApplicationError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("Sent. An operator will answer here; you will see the answer on this page."),
            )
            return redirect("voice:feedback")
    context = {
        "form": form,
        "error": error,
        "subjects": Feedback.Subject.choices,
        "sent": selectors.feedback_for_worker(worker=user),
        "max_chars": services.FEEDBACK_MAX_CHARS,
    }
    return render(request, "voice/feedback.html", context, status=error.status if error else 200)


def feedback_summary(request: HttpRequest) -> HttpResponse:
    """Public: anyone may read what workers raise and how quickly it is answered."""
    return render(
        request,
        "voice/summary.html",
        {"summary": selectors.feedback_summary(), "window_days": RECORD_WINDOW.days},
    )
