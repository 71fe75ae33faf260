"""Worker pages: small, server-rendered, one short script. Each view: access helper, one
service or selector, render."""

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from microwork.accounts.access import access_worker
from microwork.accounts.auth import request_user
from microwork.accounts.models import User
from microwork.inbox import selectors as inbox_selectors
from microwork.lib.errors import ApplicationError
from microwork.lib.l10n import format_money
from microwork.lib.text import render_markdown
from microwork.lib.views import page
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project
from microwork.work import fairness, releases, selectors
from microwork.work.access import (
    access_assignment_for_worker,
    access_project_for_worker,
    access_work_request_for_worker,
)
from microwork.work.hooks import after_answer_url, requester_summaries, task_notices
from microwork.work.models import Assignment, Submission, WorkRequest
from microwork.work.services.giving_back import assignment_return, assignment_skip
from microwork.work.services.sharing import work_request_cancel, work_request_create
from microwork.work.services.submitting import submission_create

# Unread inbox lines shown on the work page; the inbox has the rest.
NEWS_LINES = 5
# Refusals that no second try on the same page can fix: explained on the work page instead.
LOST = {"lease_lost", "task_full", "project_archived", "project_stopped"}
# The work page offers a search once it lists this many projects.
SEARCH_FROM = 6
# Session keys of the sitting: when it began and when the worker was last on a task page.
SITTING_SINCE = "work_sitting_since"
SITTING_LAST = "work_sitting_last"


def _go(
    request: HttpRequest, outcome: Assignment | WorkRequest | None, project: Project
) -> HttpResponse:
    if isinstance(outcome, Assignment):
        return redirect("work:task", assignment_id=outcome.pk)
    if isinstance(outcome, WorkRequest):
        return redirect("work:waiting", project_id=project.pk)
    return _no_work(request, project)


def _no_work(request: HttpRequest, project: Project) -> HttpResponse:
    # The work page lists the project under "no work right now", with "tell me" beside it.
    later = selectors.project_next_release(project=project, now=timezone.now())
    messages.info(request, fairness.explain_no_work(later))
    return redirect("work:home")


def _refused(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect("work:home")


@page
def work_home(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    now = timezone.now()
    search = request.GET.get("q", "")[: selectors.SEARCH_MAX_CHARS]
    offers = selectors.projects_open_for_worker(worker=user, now=now, search=search)
    records = requester_summaries(organisation_ids=[o.project.organisation_id for o in offers])
    offers = [
        replace(o, requester_record=records.get(o.project.organisation_id, "")) for o in offers
    ]
    context = {
        "search": search,
        # The search box appears once the list is long enough to need it (or is in use).
        "show_search": bool(search) or len(offers) >= SEARCH_FROM,
        "open_assignments": selectors.assignments_open_for_worker(worker=user, now=now),
        "offers": [o for o in offers if o.has_work and not o.refusal],
        "refused": [o for o in offers if o.refusal],
        "quiet": [o for o in offers if not o.has_work and not o.refusal],
        "news": inbox_selectors.inbox_lines(user=user, unread_only=True, limit=NEWS_LINES),
        "now": now,
    }
    return render(request, "work/home.html", context)


@page
@require_POST
def project_start(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_worker(user=user, project_id=project_id)
    try:
        outcome = work_request_create(worker=user, project=project)
    except ApplicationError as exc:
        return _refused(request, exc)
    return _go(request, outcome, project)


@page
def preview(request: HttpRequest, project_id: int) -> HttpResponse:
    """What a project asks, before taking a task: its instructions and an example task (never
    one of its own: see selectors.project_example), pay, time and who the requester is."""
    user = request_user(request)
    project = access_project_for_worker(user=user, project_id=project_id)
    config, data = selectors.project_example(project)
    context = {
        "project": project,
        "config": config,
        "data": data,
        "interface_template": get_interface(project.interface).template_name,
        "instructions_html": render_markdown(project.instructions),
        "record": requester_summaries(organisation_ids=[project.organisation_id]).get(
            project.organisation_id, ""
        ),
        "disturbing": project.is_disturbing,
        "open": project.status == Project.Status.LIVE,
        "reward_display": format_money(project.reward, project.currency),
    }
    return render(request, "work/preview.html", context)


@page
@require_POST
def project_notify(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_worker(user=user, project_id=project_id)
    try:
        releases.opening_subscribe(worker=user, project=project)
    except ApplicationError as exc:
        return _refused(request, exc)
    messages.success(request, fairness.explain_subscribed(project, timezone.now()))
    return redirect("work:home")


@page
def waiting(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_worker(user=user, project_id=project_id)
    work_request = access_work_request_for_worker(user=user, project=project)
    if work_request is None or work_request.status != WorkRequest.Status.WAITING:
        if work_request is not None and work_request.assignment_id:
            return redirect("work:task", assignment_id=work_request.assignment_id)
        if work_request is not None and work_request.status == WorkRequest.Status.DRY:
            return _no_work(request, project)
        return redirect("work:home")
    now = timezone.now()
    first_round = releases.first_round_at(project=project, now=now)
    context = {
        "project": project,
        "work_request": work_request,
        "explanation": fairness.explain_waiting(work_request, first_round),
        "check_in_after": fairness.check_in_after(first_round, now),
        "rules": fairness.project_rules(project, now=now),
        "policy": fairness.policy_summary(),
        "release_policy": fairness.release_summary(),
        "round_seconds": fairness.ROUND_SECONDS,
    }
    return render(request, "work/waiting.html", context)


@page
@require_POST
def leave(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_worker(user=user, project_id=project_id)
    work_request = access_work_request_for_worker(user=user, project=project)
    if work_request is not None:
        work_request_cancel(request=work_request, worker=user)
    return redirect("work:home")


def _task_context(
    assignment: Assignment,
    *,
    draft: Any,
    error: ApplicationError | None,
    sitting: selectors.Sitting | None = None,
) -> dict:
    project = assignment.project
    now = timezone.now()
    return {
        "assignment": assignment,
        "project": project,
        "config": project.config,
        "data": assignment.task.data,
        "draft": draft,
        "interface_template": get_interface(project.interface).template_name,
        "instructions_html": render_markdown(project.instructions),
        # Open the instructions until the worker has answered something in this project.
        "instructions_open": not Submission.objects.filter(
            project=project, worker_id=assignment.worker_id
        ).exists(),
        "seconds_left": max(0, int((assignment.expires_at - now).total_seconds())),
        "error": error,
        "notices": task_notices(assignment=assignment, worker=assignment.worker, now=now),
        # Pictures and video of a project that declares disturbing content are blurred until
        # the worker taps to show them; nothing the requester sets turns this off.
        "disturbing": project.is_disturbing,
        "record": requester_summaries(organisation_ids=[project.organisation_id]).get(
            project.organisation_id, ""
        ),
        "sitting": sitting,
    }


def _sitting_since(request: HttpRequest, now: datetime) -> datetime:
    """When this sitting began: kept in the session, restarted after SITTING_GAP away."""
    since = _session_time(request, SITTING_SINCE)
    last = _session_time(request, SITTING_LAST)
    if since is None or last is None or now - last > selectors.SITTING_GAP:
        since = now
        request.session[SITTING_SINCE] = since.isoformat()
    request.session[SITTING_LAST] = now.isoformat()
    return since


def _session_time(request: HttpRequest, key: str) -> datetime | None:
    try:
        return datetime.fromisoformat(request.session.get(key) or "")
    except ValueError:
        return None


def _sitting(request: HttpRequest, user: User) -> selectors.Sitting:
    since = _sitting_since(request, timezone.now())
    return selectors.sitting_summary(worker=user, since=since)


@page
def task(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """GET shows the task; POST submits it and moves on to the next one."""
    user = request_user(request)
    assignment = access_assignment_for_worker(user=user, assignment_id=assignment_id)
    if request.method == "POST":
        interface = get_interface(assignment.project.interface)
        answer = interface.answer_from_form(assignment.project.config, request.POST)
        try:
            active_ms = int(request.POST.get("active_ms") or 0)
        except ValueError:
            active_ms = 0
        try:
            submission_create(
                assignment=assignment,
                worker=user,
                answer=answer,
                active_ms=active_ms,
            )
        except ApplicationError as exc:
            assignment.refresh_from_db()
            # Only a wrong answer is worth another try on the same page; a lost place or a
            # closed task is explained on the work page instead.
            if assignment.status != Assignment.Status.LEASED or exc.code in LOST:
                return _refused(request, exc)
            context = _task_context(
                assignment, draft=answer, error=exc, sitting=_sitting(request, user)
            )
            return render(request, "work/task.html", context, status=exc.status)
        sitting = _sitting(request, user)
        messages.success(request, _confirmation(_("Answer sent."), sitting))
        return _next(request, assignment, saved=True)
    if assignment.status != Assignment.Status.LEASED:
        messages.info(request, _ended_message(assignment))
        return redirect("work:home")
    context = _task_context(
        assignment, draft=assignment.draft, error=None, sitting=_sitting(request, user)
    )
    return render(request, "work/task.html", context)


def _confirmation(done: str, sitting: selectors.Sitting) -> str:
    """ "Answer sent." with the sitting's count and earnings so far."""
    if not sitting.answers:
        return done
    so_far = ngettext(
        "%(n)d answer this sitting", "%(n)d answers this sitting", sitting.answers
    ) % {"n": sitting.answers}
    if sitting.earned:
        so_far = _("%(answers)s, %(earned)s earned") % {
            "answers": so_far,
            "earned": sitting.earned_display,
        }
    return _("%(done)s %(so_far)s.") % {"done": done, "so_far": so_far}


def _ended_message(assignment: Assignment) -> str:
    return _("That task is closed (%(status)s).") % {"status": assignment.get_status_display()}


def _next(request: HttpRequest, assignment: Assignment, *, saved: bool = False) -> HttpResponse:
    elsewhere = after_answer_url(assignment=assignment)
    if elsewhere:
        return redirect(elsewhere)
    try:
        outcome = work_request_create(worker=request_user(request), project=assignment.project)
    except ApplicationError as exc:
        if saved:
            # The answer is stored (and paid as any other); only the next task is refused,
            # e.g. the project was paused while the worker was answering.
            messages.info(
                request,
                _("Your answer was saved and counts as usual. No next task here: %(why)s")
                % {"why": exc.message},
            )
            return redirect("work:home")
        return _refused(request, exc)
    return _go(request, outcome, assignment.project)


@page
@require_POST
def skip(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = request_user(request)
    assignment = access_assignment_for_worker(user=user, assignment_id=assignment_id)
    try:
        assignment_skip(assignment=assignment, worker=user)
    except ApplicationError as exc:
        return _refused(request, exc)
    messages.success(request, _("Task skipped: it costs you nothing and goes to someone else."))
    return _next(request, assignment)


@page
@require_POST
def give_back(request: HttpRequest, assignment_id: int) -> HttpResponse:
    user = request_user(request)
    assignment = access_assignment_for_worker(user=user, assignment_id=assignment_id)
    try:
        assignment_return(assignment=assignment, worker=user)
    except ApplicationError as exc:
        return _refused(request, exc)
    messages.success(
        request,
        _confirmation(
            _("Task given back; you can start again at any time."), _sitting(request, user)
        ),
    )
    return redirect(after_answer_url(assignment=assignment) or reverse("work:home"))


@page
def history(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    access_worker(user=user)
    rows = [selectors.history_row(s) for s in selectors.submissions_for_worker(worker=user)[:200]]
    return render(request, "work/history.html", {"rows": rows})


def fair_sharing(request: HttpRequest) -> HttpResponse:
    context = {
        "policy": fairness.policy_summary(),
        "release_policy": fairness.release_summary(),
        "round_seconds": fairness.ROUND_SECONDS,
        "opening_seconds": fairness.OPENING_ROUND_SECONDS,
    }
    return render(request, "work/fair.html", context)
