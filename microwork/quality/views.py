"""Pages: the worker's My standing, decisions and appeals, test taking; the requester's
quality page per project; the operators' appeals page. Each view: parse, one access helper,
one service or selector, render."""

from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from microwork.accounts.auth import request_user
from microwork.inbox import selectors as inbox_selectors
from microwork.lib.bounds import MAX_ID, whole_number
from microwork.lib.errors import ApplicationError, NotFound
from microwork.lib.redirects import safe_next_url
from microwork.lib.text import render_markdown
from microwork.lib.views import action, typed_values
from microwork.projects.interfaces import get_interface
from microwork.quality import dashboards, selectors, texts
from microwork.quality.access import (
    access_appeal_for_decider,
    access_attempt_for_worker,
    access_decision_for_operator,
    access_decision_for_worker,
    access_operator,
    access_project_for_requester,
    access_qualification_for_requester,
    access_requirement_for_requester,
    access_test_for_worker,
)
from microwork.quality.models import APPEAL_WINDOW, Decision, ProjectRequirement, RuleConfig
from microwork.quality.rules import APPROVAL_RULES, RULES, get_approval_rule, get_rule
from microwork.quality.rules.base import check_int
from microwork.quality.services import appeals as quality_appeals
from microwork.quality.services import exams
from microwork.quality.services.configuration import (
    approval_rule_configure,
    quality_settings_update,
    rule_configure,
)
from microwork.quality.services.decisions import account_suspend, decision_reverse
from microwork.quality.services.qualifications import (
    project_requirement_add,
    project_requirement_remove,
    qualification_create,
    qualification_grant,
    worker_device_record,
)

DOCS = Path(settings.BASE_DIR) / "docs"


def _project_labels(request: HttpRequest) -> dict[str, Any]:
    """What the quality page calls each input, so a refusal names it in words (the services
    name them as the API does)."""
    labels: dict[str, Any] = {
        "pass_mark": gettext_lazy("Pass mark (0–1)"),
        "question_count": gettext_lazy("Questions"),
        "cooldown_hours": gettext_lazy("Hours before a retake"),
        "max_attempts": gettext_lazy("Attempts"),
        "pause_hours": gettext_lazy("Pause length (hours)"),
        "gold_reveal_delay_hours": gettext_lazy("The project's reveal delay, in hours (1 to 720)"),
        "appeal_deadline_hours": gettext_lazy("Hours to answer an appeal"),
        "rejection_confirm_share": gettext_lazy(
            "Ask for confirmation above this share of one worker's answers rejected in a day (0–1)"
        ),
        "subject": gettext_lazy("Subject"),
        "comparator": gettext_lazy("Comparator"),
        "values": gettext_lazy("Values, comma-separated (en, NG, phone, 80 …)"),
        "worker": gettext_lazy("Worker's username"),
        "value": gettext_lazy("Value"),
    }
    return labels


# A rule's numbers are named as that rule's form labels them (two rules may share a name).
def _rule_labels(request: HttpRequest) -> dict[str, Any]:
    key = request.POST.get("rule_key", "")
    params = get_rule(key).params if key in RULES else ()
    return {**_project_labels(request), **{p.name: p.label for p in params}}


def _approval_labels(request: HttpRequest) -> dict[str, Any]:
    key = request.POST.get("rule_key", "")
    params = get_approval_rule(key).params if key in APPROVAL_RULES else ()
    return {**_project_labels(request), **{p.name: p.label for p in params}}


def _operator_labels(request: HttpRequest) -> dict[str, Any]:
    return {
        "days": gettext_lazy("Days (empty: until lifted)"),
        "username": gettext_lazy("Username"),
    }


def _typed_worker(username: str, *, field: str, workers_only: bool = True) -> Any:
    """The worker a form names by username. A name that matches nobody is a mistake in the
    form, which goes back to it with what was typed, not a page that does not exist."""
    try:
        return dashboards.worker_by_username(
            username=username, field=field, workers_only=workers_only
        )
    except NotFound as exc:
        raise ApplicationError(exc.message, field=field) from None


def _hours(request: HttpRequest, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """A number of hours typed on a form, refused naming its own input (the services count
    seconds, which the person never typed)."""
    raw = request.POST.get(name)
    if raw is None or not raw.strip():
        return default
    return check_int(raw, field=name, minimum=minimum, maximum=maximum)


def _int(value: Any, default: int = 0) -> int:
    number = whole_number(value, low=0, high=MAX_ID)
    return default if number is None else number


# --- worker ---------------------------------------------------------------------------


def _warning_rows(decisions: list[Decision]) -> list[dict[str, Any]]:
    rows = []
    for d in decisions:
        if d.kind != Decision.Kind.WARNING:
            continue
        rows.append(
            {
                "decision": d,
                "rule": texts.rule_title(d.rule_key),
                "numbers": texts.rule_numbers_text(d.rule_key, d.inputs or {}),
                "text": texts.decision_text(d),
            }
        )
    return rows


@action
def standing(request: HttpRequest) -> HttpResponse:
    data = dashboards.standing_for_worker(worker=request_user(request), now=timezone.now())
    live = data["live"]
    return render(
        request,
        "quality/standing.html",
        {
            "skills": data["skills"],
            "warnings": _warning_rows(live),
            "sanctions": [d for d in live if d.kind != Decision.Kind.WARNING],
            "decisions": [
                (d, texts.decision_headline(d), d.pk in data["live_ids"]) for d in data["decisions"]
            ],
            "missed": data["missed"],
            "release_delay_hours": settings.CONTROL_FEEDBACK_DELAY,
            "release_min_answers": settings.CONTROL_FEEDBACK_MIN_ANSWERS,
            "early": [(r, texts.approval_text(r.inputs or {})) for r in data["early"]],
            "appeal_window_days": APPEAL_WINDOW.days,
        },
    )


@action
def decision_detail(request: HttpRequest, decision_id: int) -> HttpResponse:
    user = request_user(request)
    decision = access_decision_for_worker(user=user, decision_id=decision_id)
    evidence, waiting = selectors.evidence_for_worker(
        decision=decision, cutoffs=selectors.released_cutoffs(worker=user)
    )
    return render(
        request,
        "quality/decision.html",
        {
            "decision": decision,
            "evidence": evidence,
            "evidence_waiting": waiting,
            "headline": texts.decision_headline(decision),
            "text": texts.decision_text(decision),
            "reason": texts.REJECTION_REASONS.get(decision.reason_code, ""),
            **dashboards.decision_appeal_state(decision=decision, now=timezone.now()),
            # A refused appeal (empty, too long) comes back with what the worker wrote.
            "typed": typed_values(request),
        },
    )


@action
@require_POST
def appeal_create(request: HttpRequest, decision_id: int) -> HttpResponse:
    user = request_user(request)
    decision = access_decision_for_worker(user=user, decision_id=decision_id)
    quality_appeals.appeal_create(
        worker=user, decision=decision, message=request.POST.get("message", "")
    )
    messages.success(request, _("Your appeal was sent. You will get an answer here."))
    return redirect("quality:decision", decision_id=decision.pk)


# Workers read docs/quality.md (docs/quality.fr.md in French) up to this line, where the part
# for requesters and operators starts; the line is the same in both files.
WORKER_DOC_END = "<!-- Workers' pages show this file up to here. -->"


def _doc_path(language: str) -> Path:
    localised = DOCS / f"quality.{language}.md"
    return localised if language != "en" and localised.exists() else DOCS / "quality.md"


@cache
def _doc_html(path: Path, mtime: float) -> str:
    text = path.read_text(encoding="utf-8")
    return render_markdown(text.split(WORKER_DOC_END, 1)[0])


def rules_doc(request: HttpRequest) -> HttpResponse:
    # The same words as the docs: one source per language, rendered for workers.
    path = _doc_path((translation.get_language() or "en").split("-")[0])
    html = _doc_html(path, path.stat().st_mtime) if path.exists() else ""
    return render(request, "quality/rules_doc.html", {"html": html})


@action
def test_intro(request: HttpRequest, test_id: int) -> HttpResponse:
    user = request_user(request)
    test = access_test_for_worker(user=user, test_id=test_id)
    return render(
        request,
        "quality/test_intro.html",
        {
            "test": test,
            "project": test.project,
            "rate": exams.test_pay_rate(test.project),
            "pass_percent": int(test.pass_mark * 100),
            "open": test.project.status == test.project.Status.LIVE,
            **dashboards.attempt_stats(test=test, worker=user),
        },
    )


@action
@require_POST
def test_start(request: HttpRequest, test_id: int) -> HttpResponse:
    user = request_user(request)
    test = access_test_for_worker(user=user, test_id=test_id)
    worker_device_record(worker=user, user_agent=request.headers.get("User-Agent", ""))
    attempt = exams.test_attempt_start(test=test, worker=user)
    return redirect("quality:attempt", attempt_id=attempt.pk)


@action
def attempt_page(request: HttpRequest, attempt_id: int) -> HttpResponse:
    attempt = access_attempt_for_worker(user=request_user(request), attempt_id=attempt_id)
    project = attempt.test.project
    interface = get_interface(project.interface)
    if request.method == "POST":
        position = _int(request.POST.get("position"))
        answer = interface.answer_from_form(project.config, request.POST)
        row = exams.test_answer_submit(
            attempt=attempt,
            position=position,
            answer=answer,
            active_ms=max(_int(request.POST.get("active_ms")), 0),
        )
        if attempt.test.is_training:
            return redirect(
                f"{reverse('quality:attempt', args=[attempt.pk])}?feedback={row.position}"
            )
        attempt.refresh_from_db()
        if attempt.is_finished:
            return redirect("quality:attempt_result", attempt_id=attempt.pk)
        return redirect("quality:attempt", attempt_id=attempt.pk)
    feedback = None
    if attempt.test.is_training and request.GET.get("feedback"):
        feedback = dashboards.attempt_feedback(
            attempt=attempt, position=_int(request.GET["feedback"])
        )
    if feedback is not None:
        return render(
            request,
            "quality/training_feedback.html",
            {
                "attempt": attempt,
                "row": feedback,
                "answer": selectors.answer_text(project, feedback.answer, feedback.task.data),
                "expected": selectors.answer_text(
                    project, feedback.task.gold_answer, feedback.task.data
                ),
                "finished": attempt.is_finished,
            },
        )
    if attempt.is_finished:
        return redirect("quality:attempt_result", attempt_id=attempt.pk)
    question, total = dashboards.attempt_question(attempt=attempt)
    return render(
        request,
        "quality/attempt.html",
        {
            "attempt": attempt,
            "test": attempt.test,
            "project": project,
            "row": question,
            "total": total,
            # Only the task's data goes to the page; its gold answer stays on the server.
            "task_template": interface.template_name,
            "config": project.config,
            "data": question.task.data if question else {},
            "draft": None,
        },
    )


@action
def attempt_result(request: HttpRequest, attempt_id: int) -> HttpResponse:
    user = request_user(request)
    attempt = access_attempt_for_worker(user=user, attempt_id=attempt_id)
    if not attempt.is_finished:
        return redirect("quality:attempt", attempt_id=attempt.pk)
    project = attempt.test.project
    rows = dashboards.attempt_review_rows(attempt=attempt)
    payment = getattr(attempt, "payment", None)
    return render(
        request,
        "quality/attempt_result.html",
        {
            "attempt": attempt,
            "test": attempt.test,
            "project": project,
            "rows": rows,
            "payment": payment,
            "percent": int((attempt.score or 0) * 100),
            "project_open": project.status == project.Status.LIVE,
            "closed_during": attempt.project_status_at_finish != project.Status.LIVE,
            **dashboards.attempt_stats(test=attempt.test, worker=user),
        },
    )


# --- requester --------------------------------------------------------------------------


def _catalogue_forms(
    keys: Iterable[str],
    get: Callable[[str], Any],
    configured: Iterable[Any],
    typed: dict[str, Any],
    extra: Callable[[str], dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """One form per rule of a catalogue (sanction rules or approval rules): the rule, the
    project's settings of it if any, and each number with its value (the rule's default
    where the project set none; what was typed when the rule's form was just refused)."""
    by_key = {r.rule_key: r for r in configured}
    forms = []
    for key in keys:
        rule = get(key)
        config = by_key.get(key)
        values = {**rule.defaults(), **(config.params if config else {})}
        refused = typed["values"] if typed["values"].get("rule_key") == key else {}
        values.update({p.name: refused[p.name] for p in rule.params if p.name in refused})
        forms.append(
            {
                "key": key,
                "rule": rule,
                "config": config,
                "params": [(p, values.get(p.name)) for p in rule.params],
                "invalid": typed["field"] if refused else "",
                "pause_hours": refused.get("pause_hours")
                or (getattr(config, "pause_seconds", 0) // 3600 or 24),
                "enabled": refused.get("enabled") == "on"
                if refused
                else bool(config and config.enabled),
                **(extra(key) if extra else {}),
            }
        )
    return forms


def _rule_forms(project: Any, typed: dict[str, Any]) -> list[dict[str, Any]]:
    return _catalogue_forms(RULES, get_rule, selectors.rules_for_project(project=project), typed)


def _approval_forms(project: Any, typed: dict[str, Any]) -> list[dict[str, Any]]:
    counts = selectors.early_approval_counts(project=project)
    return _catalogue_forms(
        APPROVAL_RULES,
        get_approval_rule,
        selectors.approval_rules_for_project(project=project),
        typed,
        extra=lambda key: {"approved": counts.get(key, 0)},
    )


@action
def project_quality(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    # A refused form (a test without enough control tasks, a rule's number) comes back as typed.
    typed = typed_values(request)
    return render(
        request,
        "quality/project.html",
        {
            "project": project,
            **dashboards.project_quality_overview(project=project, now=timezone.now()),
            "rule_forms": _rule_forms(project, typed),
            "approval_forms": _approval_forms(project, typed),
            "actions": RuleConfig.Action.choices,
            "subjects": ProjectRequirement.Subject.choices,
            "comparators": ProjectRequirement.Comparator.choices,
            "typed": typed,
            "appeal_typed": typed,
        },
    )


@action(labels=_rule_labels)
@require_POST
def rule_save(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    key = request.POST.get("rule_key", "")
    rule = get_rule(key)
    params = {p.name: request.POST.get(p.name, "") for p in rule.params}
    rule_configure(
        project=project,
        rule_key=key,
        params=params,
        action=request.POST.get("action") or None,
        pause_seconds=_hours(request, "pause_hours", default=24, minimum=1, maximum=90 * 24) * 3600,
        enabled=request.POST.get("enabled") == "on",
    )
    messages.success(request, _("Rule saved."))
    return redirect("quality:project", project_id=project.pk)


@action(labels=_approval_labels)
@require_POST
def approval_rule_save(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    key = request.POST.get("rule_key", "")
    rule = get_approval_rule(key)
    approval_rule_configure(
        project=project,
        rule_key=key,
        params={p.name: request.POST.get(p.name, "") for p in rule.params},
        enabled=request.POST.get("enabled") == "on",
    )
    messages.success(request, _("Rule saved."))
    return redirect("quality:project", project_id=project.pk)


@action(labels=_project_labels)
@require_POST
def settings_save(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    quality_settings_update(
        project=project,
        reveal=request.POST.get("reveal"),
        gold_reveal_delay_hours=request.POST.get("gold_reveal_delay_hours"),
        appeal_deadline_hours=request.POST.get("appeal_deadline_hours"),
        rejection_confirm_share=request.POST.get("rejection_confirm_share"),
    )
    messages.success(request, _("Settings saved."))
    return redirect("quality:project", project_id=project.pk)


@action
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    user = request_user(request)
    appeal = access_appeal_for_decider(user=user, appeal_id=appeal_id)
    quality_appeals.appeal_decide(
        appeal=appeal,
        actor=user,
        reverse=request.POST.get("outcome") == "reverse",
        response=request.POST.get("response", ""),
    )
    messages.success(request, _("Answer recorded; the worker has been told."))
    back = safe_next_url(request.POST.get("next"))
    if back:
        return HttpResponseRedirect(back)
    if appeal.decision.project_id and not user.is_staff:
        return redirect("quality:project", project_id=appeal.decision.project_id)
    if appeal.decision.organisation_id and not user.is_staff:
        return redirect("quality:blocks")
    return redirect("quality:operator")


@action(labels=_project_labels)
@require_POST
def test_create(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    exams.qualification_test_create(
        project=project,
        name=request.POST.get("name", ""),
        task_ids=[_int(v) for v in request.POST.getlist("task_ids")],
        all_gold=request.POST.get("all_gold") == "on",
        mode=request.POST.get("mode", "test"),
        pass_mark=request.POST.get("pass_mark", "0.8"),
        question_count=request.POST.get("question_count", "10"),
        retake_cooldown_seconds=_hours(
            request, "cooldown_hours", default=24, minimum=0, maximum=24 * 365
        )
        * 3600,
        max_attempts=request.POST.get("max_attempts", "3"),
        required=request.POST.get("required") == "on",
    )
    messages.success(request, _("Created."))
    warning = dashboards.control_pool_warning(project=project)
    if warning:
        messages.warning(request, warning)
    return redirect("quality:project", project_id=project.pk)


@action(labels=_project_labels)
@require_POST
def requirement_add(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_requester(user=user, project_id=project_id)
    qualification = None
    if request.POST.get("qualification_id"):
        qualification = access_qualification_for_requester(
            user=user,
            qualification_id=_int(request.POST["qualification_id"]),
            organisation=project.organisation,
        )
    values = [v.strip() for v in request.POST.get("values", "").split(",") if v.strip()]
    project_requirement_add(
        project=project,
        subject=request.POST.get("subject", ""),
        comparator=request.POST.get("comparator", ""),
        values=values,
        qualification=qualification,
    )
    messages.success(request, _("Requirement added."))
    return redirect("quality:project", project_id=project.pk)


@action
@require_POST
def requirement_remove(request: HttpRequest, project_id: int, requirement_id: int) -> HttpResponse:
    requirement = access_requirement_for_requester(
        user=request_user(request), project_id=project_id, requirement_id=requirement_id
    )
    project_requirement_remove(requirement=requirement)
    return redirect("quality:project", project_id=requirement.project_id)


@action(labels=_project_labels)
@require_POST
def grant_add(request: HttpRequest, project_id: int) -> HttpResponse:
    user = request_user(request)
    project = access_project_for_requester(user=user, project_id=project_id)
    qualification = access_qualification_for_requester(
        user=user,
        qualification_id=_int(request.POST.get("qualification_id")),
        organisation=project.organisation,
    )
    qualification_grant(
        qualification=qualification,
        worker=_typed_worker(request.POST.get("worker", ""), field="worker"),
        value=request.POST.get("value") or 1,
        granted_by=user,
    )
    messages.success(request, _("Granted."))
    return redirect("quality:project", project_id=project.pk)


@action(labels=_project_labels)
@require_POST
def qualification_add(request: HttpRequest, project_id: int) -> HttpResponse:
    project = access_project_for_requester(user=request_user(request), project_id=project_id)
    qualification_create(
        organisation=project.organisation,
        name=request.POST.get("name", ""),
        description=request.POST.get("description", ""),
    )
    messages.success(request, _("Qualification created."))
    return redirect("quality:project", project_id=project.pk)


# --- operators --------------------------------------------------------------------------


@action
def operator_page(request: HttpRequest) -> HttpResponse:
    access_operator(user=request_user(request))
    now = timezone.now()
    typed = typed_values(request)
    return render(
        request,
        "quality/operator.html",
        {
            **dashboards.operator_overview(now=now),
            "now": now,
            "typed": typed,
            "appeal_typed": typed,
        },
    )


@action(labels=_operator_labels)
@require_POST
def operator_suspend(request: HttpRequest) -> HttpResponse:
    operator = access_operator(user=request_user(request))
    account_suspend(
        operator=operator,
        worker=_typed_worker(
            request.POST.get("username", ""), field="username", workers_only=False
        ),
        reason=request.POST.get("reason", ""),
        days=request.POST.get("days"),
    )
    messages.success(request, _("Suspended; the worker has been told and can appeal."))
    return redirect("quality:operator")


@action
@require_POST
def operator_lift(request: HttpRequest, decision_id: int) -> HttpResponse:
    user = request_user(request)
    decision = access_decision_for_operator(user=user, decision_id=decision_id)
    decision_reverse(
        decision=decision,
        actor=user,
        reason=request.POST.get("reason", "") or _("Lifted"),
    )
    return redirect("quality:operator")


def worker_badge_count(request: HttpRequest) -> int:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    return inbox_selectors.unread_count(user=user)
