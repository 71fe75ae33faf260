"""The review actions a requester's pages post to: approve, bulk approve, bonus (from the
review page, which payments shows), reject one answer or several (the reject form). Each
view: parse, one access helper, one service, redirect or render."""

import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from microwork.accounts.auth import request_user
from microwork.accounts.models import User
from microwork.lib.bounds import MAX_ID, whole_number
from microwork.lib.csvfile import csv_writer
from microwork.lib.errors import ApplicationError
from microwork.lib.l10n import progress_in_words
from microwork.lib.redirects import safe_next_url
from microwork.lib.views import action, in_words, keep_typed, page, typed_values
from microwork.payments import selectors as payments_selectors
from microwork.projects.access import access_project_for_requester
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project
from microwork.quality import access as quality_access
from microwork.quality import selectors as quality_selectors
from microwork.quality import texts as quality_texts
from microwork.review import answers, approvals, selectors, services
from microwork.review.dashboard import project_dashboard
from microwork.work.models import Submission


def _ids(values: list[str]) -> list[int]:
    # isdigit() alone let through ids past the database's integers (a 500 on SQLite).
    return [n for n in (whole_number(v, low=1) for v in values) if n is not None]


@page
@require_POST
def project_review_act(request: HttpRequest, project_id: int) -> HttpResponse:
    """The review page's buttons; a refusal is shown back on the review page."""
    user = request_user(request)
    project = access_project_for_requester(user=user, project_id=project_id)
    back = _review_page_back(request.POST.get("next"), project)
    action_name = request.POST.get("action")
    try:
        if action_name == "approve_all":
            approved = approvals.approve_all_start(project=project, actor=user)
            if approved is None:
                messages.info(
                    request,
                    _("The pending answers are being approved; the progress is shown below."),
                )
            else:
                messages.success(request, _approved(approved))
        elif action_name == "approve":
            ids = _ids(request.POST.getlist("submission"))
            n = services.submissions_approve(project=project, actor=user, submission_ids=ids)
            messages.success(request, _approved(n))
        elif action_name == "reject":
            # Rejecting has its own form (a reason, the daily-share confirmation, a decision
            # the worker can appeal); the chosen answers go there.
            chosen = [str(i) for i in _ids(request.POST.getlist("submission"))]
            if not chosen:
                raise ApplicationError(_("Choose the answers to reject."), field="submission")
            query = urlencode([("submission", i) for i in chosen] + [("next", back)])
            return redirect(f"{reverse('review:reject_many', args=[project.pk])}?{query}")
        elif action_name == "bonus":
            ids = _ids(request.POST.getlist("worker"))
            workers = list(User.objects.filter(pk__in=ids))
            services.bonus_pay(
                organisation=project.organisation,
                actor=user,
                workers=workers,
                amount=request.POST.get("amount", ""),
                message=request.POST.get("message", ""),
                request_key=request.POST.get("request_key", ""),
                project=project,
            )
            n = len(workers)
            messages.success(
                request,
                ngettext("Bonus sent to %(n)d worker.", "Bonus sent to %(n)d workers.", n)
                % {"n": n},
            )
    except ApplicationError as exc:
        # The review page shows the bonus form again with what was typed.
        labels = {"amount": _("Amount per worker"), "message": _("Message"), "worker": _("Workers")}
        messages.error(request, in_words(exc.message, labels))
        keep_typed(request, exc.field)
    return HttpResponseRedirect(back)


def _approved(n: int) -> str:
    return ngettext("%(n)d answer approved.", "%(n)d answers approved.", n) % {"n": n}


def _review_page_back(value: object, project: Project) -> str:
    """The review page with the filters the requester had, when `next` is that page; the
    bare review page otherwise, so a forged `next` cannot send the browser anywhere else."""
    page = reverse("review:page", args=[project.pk])
    back = safe_next_url(value)
    if back == page or back.startswith(page + "?"):
        return back
    return page


def _reject_page(
    request: HttpRequest, *, project: Any, submissions: list[Any], ids: list[int]
) -> HttpResponse:
    """The reject form for one answer or several: a reason from the list, an optional note,
    and a second step when the requester is rejecting an unusual share of a worker's work."""
    context: dict[str, Any] = {
        "project": project,
        "rows": [(s, quality_selectors.evidence_row(s)) for s in submissions],
        "ids": ids,
        "reasons": list(quality_texts.REJECTION_REASONS.items()),
        "chosen": request.POST.get("reason", ""),
        "note": request.POST.get("note", ""),
        "next": safe_next_url(request.POST.get("next") or request.GET.get("next")),
    }
    if request.method != "POST":
        return render(request, "review/reject.html", context)
    try:
        decisions = services.submissions_reject(
            project=project,
            requester=request_user(request),
            submission_ids=ids,
            reason_code=request.POST.get("reason", ""),
            note=request.POST.get("note", ""),
            confirm=request.POST.get("confirm") == "1",
        )
    except ApplicationError as exc:
        context["error"] = exc.message
        context["needs_confirm"] = exc.code == "confirm_needed"
        if context["needs_confirm"]:
            # The API's wording asks for a parameter; a person confirms with the button.
            details = exc.details if isinstance(exc.details, dict) else {}
            total = details.get("answers", 0)
            context["error"] = ngettext(
                "This would reject %(n)d of %(worker)s's %(total)d answer in the last 24 "
                "hours, more than your project's usual share. Check again, then press Reject "
                "once more to confirm.",
                "This would reject %(n)d of %(worker)s's %(total)d answers in the last 24 "
                "hours, more than your project's usual share. Check again, then press Reject "
                "once more to confirm.",
                total,
            ) % {
                "n": details.get("rejections", len(ids)),
                "worker": details.get("worker", ""),
                "total": total,
            }
        return render(request, "review/reject.html", context, status=exc.status)
    workers = sorted({d.worker.username for d in decisions})
    messages.success(
        request,
        ngettext(
            "Rejected. %(workers)s has been told why and can appeal.",
            "Rejected %(n)d answers. %(workers)s have been told why and can appeal.",
            len(decisions),
        )
        % {"n": len(decisions), "workers": ", ".join(workers)},
    )
    if context["next"]:
        return HttpResponseRedirect(context["next"])
    return redirect("quality:project", project_id=project.pk)


@action
def submission_reject(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = quality_access.access_submission_for_requester(
        user=request_user(request), submission_id=submission_id
    )
    return _reject_page(
        request, project=submission.project, submissions=[submission], ids=[submission.pk]
    )


def _int(value: Any) -> int:
    number = whole_number(value, low=0, high=MAX_ID)
    return 0 if number is None else number


@action
def submissions_reject(request: HttpRequest, project_id: int) -> HttpResponse:
    """Several answers of one project at once, chosen on the review page."""
    project = quality_access.access_project_for_requester(
        user=request_user(request), project_id=project_id
    )
    source = request.POST if request.method == "POST" else request.GET
    ids = sorted({_int(v) for v in source.getlist("submission") if _int(v) > 0})
    return _reject_page(
        request,
        project=project,
        submissions=list(quality_selectors.submissions_of_project(project=project, ids=ids)),
        ids=ids,
    )


@page
def peer_reviews(request: HttpRequest, project_id: int) -> HttpResponse:
    """The project's answers sent to other workers for review, with each verdict and reason."""
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    return render(
        request,
        "review/peer_reviews.html",
        {
            "project": project,
            "rows": selectors.peer_reviews_for_project(project=project),
            "limit": selectors.PAGE_ROWS,
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@page
def peer_reviews_csv(request: HttpRequest, project_id: int) -> StreamingHttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)

    def lines():
        writer = csv_writer(_Echo())
        yield writer.writerow(selectors.CSV_COLUMNS)
        for record in selectors.peer_review_records(project=project):
            yield writer.writerow([record[c] for c in selectors.CSV_COLUMNS])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="peer-reviews-{project.pk}.csv"'
    return response


@page
def dashboard(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    return render(
        request,
        "review/dashboard.html",
        {"project": project, **project_dashboard(project=project, now=timezone.now())},
    )


@page
def answers_page(request: HttpRequest, project_id: int) -> HttpResponse:
    """The answers to review, each beside its task in words, with the expected answer on
    control tasks, filtered by worker, label, agreement and status."""
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    filters = answers.ReviewFilters.from_query(request.GET)
    page_number = whole_number(request.GET.get("page"), low=1, high=10_000) or 1
    rows, has_next, truncated = answers.review_rows(
        project=project, filters=filters, page=page_number
    )
    interface = get_interface(project.interface)
    query = {k: v for k, v in vars(filters).items() if v}
    return render(
        request,
        "review/answers.html",
        {
            "project": project,
            "rows": rows,
            "filters": filters,
            "page_number": page_number,
            "has_next": has_next,
            "truncated": truncated,
            "scan_limit": answers.SCAN_LIMIT,
            "next_query": urlencode({**query, "page": page_number + 1}),
            "previous_query": urlencode({**query, "page": page_number - 1}),
            "worker_choices": answers.review_workers(project=project),
            "label_choices": answers.label_choices(interface, project.config),
            "status_choices": Submission.Status.choices,
            "bonus_workers": payments_selectors.project_workers(project=project),
            "request_key": uuid.uuid4().hex,
            "typed": typed_values(request),
            **approve_progress_words(approvals.approve_all_progress(project)),
        },
    )


def approve_progress_words(progress: Any) -> dict[str, Any]:
    """The approval job's phases in words, each with its count, and the time left."""
    if progress is None:
        return {"phases": [], "percent": 0, "time_left": ""}

    def describe(phase: Any) -> tuple[str, str]:
        if phase.key == "count":
            return _("Counting the pending answers"), ""
        return _("Approving and paying"), _("%(done)d of %(total)d answers approved") % {
            "done": phase.done,
            "total": phase.total,
        }

    return progress_in_words(progress, describe)


@page
def approve_progress(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    return render(
        request,
        "review/_approve_progress.html",
        {"project": project, **approve_progress_words(approvals.approve_all_progress(project))},
    )
