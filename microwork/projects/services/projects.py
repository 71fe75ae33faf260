"""Projects: their settings, checked field by field, and their lifecycle (draft, live,
paused, completed, archived), each change logged as a ProjectEvent."""

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.registry import loaded, run_hooks
from microwork.lib.status import status_change
from microwork.projects import disturbing, hooks, selectors
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Batch, Project, ProjectEvent, Task
from microwork.projects.personal_data import FIELDS as PERSONAL_DATA_FIELDS
from microwork.projects.personal_data import check_declared
from microwork.projects.services.project_checks import (
    DEFAULT_AUTO_APPROVE_SECONDS,
    EDITABLE_FIELDS,
    FAIR_SHARING_FIELDS,
    LOCKED_ONCE_ANSWERED,
    check_opening,
    opening_text,
    project_values_clean,
    text_clean,
)

S = Project.Status
# The lifecycle. Live → archived is not allowed directly: a project is paused or completed
# first, so workers holding a lease are not cut off by a click on "archive".
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.LIVE, S.ARCHIVED}),
    S.LIVE: frozenset({S.PAUSED, S.COMPLETED}),
    S.PAUSED: frozenset({S.LIVE, S.COMPLETED, S.ARCHIVED}),
    S.COMPLETED: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
}


def _current(project: Project) -> dict[str, Any]:
    return {name: getattr(project, name) for name in EDITABLE_FIELDS}


def _fair_sharing_events(
    project: Project, old: Mapping[str, Any], actor: User | None, now: datetime
) -> None:
    """One event per fair-sharing setting that changed, in words a requester and a worker read."""
    for name in FAIR_SHARING_FIELDS:
        if name not in old or old[name] == getattr(project, name):
            continue
        value = getattr(project, name)
        if name == "opens_at":
            reason = (
                _("Work opens at %(time)s UTC.") % {"time": opening_text(value)}
                if value
                else _("No opening time: work is open while the project is live.")
            )
        else:
            reason = (
                _("At most %(n)d tasks per worker per hour.") % {"n": value}
                if value
                else _("No hourly cap per worker.")
            )
        ProjectEvent.objects.create(
            project=project,
            old_status=project.status,
            new_status=project.status,
            actor=actor,
            reason=reason,
            at=now,
        )


@transaction.atomic
def project_create(
    *,
    organisation: Organisation,
    actor: User,
    name: str,
    description: str,
    interface: str,
    reward: Decimal | str,
    estimated_seconds: int,
    instructions: str = "",
    config: Mapping[str, Any] | None = None,
    currency: str = "USD",
    overlap: int = 3,
    time_limit_seconds: int = 600,
    gold_rate: Decimal | str = Decimal("0.1"),
    max_open_per_worker: int = 1,
    order: str = Project.Order.DEPTH_FIRST,
    auto_approve_seconds: int = DEFAULT_AUTO_APPROVE_SECONDS,
    opens_at: datetime | str | None = None,
    hourly_cap_per_worker: int | None = None,
    review_overlap: int = 0,
    review_reward: Decimal | str | None = None,
    review_threshold: Decimal | str = Decimal("0.5"),
    personal_data: list[str] | None = None,
    personal_data_purpose: str = "",
    personal_data_retention_days: int | None = None,
    personal_data_recipients: str = "",
    disturbing_content: list[str] | None = None,
) -> Project:
    now = timezone.now()
    values = project_values_clean(
        {
            "name": name,
            "description": description,
            "instructions": instructions,
            "interface": interface,
            "config": config,
            "reward": reward,
            "currency": currency,
            "estimated_seconds": estimated_seconds,
            "overlap": overlap,
            "time_limit_seconds": time_limit_seconds,
            "gold_rate": gold_rate,
            "max_open_per_worker": max_open_per_worker,
            "order": order,
            "auto_approve_seconds": auto_approve_seconds,
            "opens_at": opens_at,
            "hourly_cap_per_worker": hourly_cap_per_worker,
            "review_overlap": review_overlap,
            "review_reward": review_reward,
            "review_threshold": review_threshold,
            "personal_data": personal_data,
            "personal_data_purpose": personal_data_purpose,
            "personal_data_retention_days": personal_data_retention_days,
            "personal_data_recipients": personal_data_recipients,
            "disturbing_content": disturbing_content,
        }
    )
    check_opening(values["opens_at"], field="opens_at", now=now)
    project = Project.objects.create(organisation=organisation, created_by=actor, **values)
    ProjectEvent.objects.create(
        project=project,
        old_status="",
        new_status=project.status,
        actor=actor,
        reason=_("created"),
        at=now,
    )
    _fair_sharing_events(project, dict.fromkeys(FAIR_SHARING_FIELDS), actor, now)
    return project


@transaction.atomic
def project_update(*, project: Project, actor: User, changes: Mapping[str, Any]) -> Project:
    """Change some settings. Unknown names are refused; locked fields name themselves."""
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise ApplicationError(
            _("%(field)s cannot be changed here.") % {"field": unknown[0]}, field=unknown[0]
        )
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status == S.ARCHIVED:
        raise Conflict(_("An archived project cannot be changed."), code="archived")
    merged = {**_current(project), **changes}
    values = project_values_clean(merged)
    changed = [name for name in EDITABLE_FIELDS if values[name] != getattr(project, name)]
    if not changed:
        return project
    now = timezone.now()
    if "opens_at" in changed:
        check_opening(values["opens_at"], field="opens_at", now=now)
    if selectors.project_has_answers(project=project):
        for name in LOCKED_ONCE_ANSWERED:
            if name in changed:
                raise Conflict(
                    _("%(field)s cannot change once tasks have answers.") % {"field": name},
                    code="locked",
                    field=name,
                )
        # Workers were told a price and a number of answers; both may rise, never fall.
        for name in ("overlap", "reward"):
            if name in changed and values[name] < getattr(project, name):
                raise Conflict(
                    _("%(field)s can only be raised once tasks have answers.") % {"field": name},
                    code="locked",
                    field=name,
                )
        # Answers already given wait for their money on the period in force: it may shorten.
        if (
            "auto_approve_seconds" in changed
            and values["auto_approve_seconds"] > project.auto_approve_seconds
        ):
            raise Conflict(
                _(
                    "auto_approve_seconds can only be shortened once tasks have answers: "
                    "workers are waiting for that money."
                ),
                code="locked",
                field="auto_approve_seconds",
            )
    declaration_changed = bool(set(PERSONAL_DATA_FIELDS) & set(changed))
    if declaration_changed and project.status in (S.LIVE, S.PAUSED):
        # Workers are at work: the kind's personal data stays declared.
        check_declared(
            collected=get_interface(values["interface"]).personal_data_for(values["config"]),
            declared=values["personal_data"],
        )
    if (
        "disturbing_content" in changed
        and values["disturbing_content"] is None
        and project.status != S.DRAFT
    ):
        raise Conflict(
            _(
                "disturbing_content cannot be withdrawn once the project has gone live: "
                "choose “no disturbing content” or the categories the tasks show."
            ),
            code="locked",
            field="disturbing_content",
        )
    run_hooks(
        hooks.SETTINGS_PROPOSED,
        project=project,
        changes={name: values[name] for name in changed},
        actor=actor,
    )
    old = {name: getattr(project, name) for name in changed}
    for name in changed:
        setattr(project, name, values[name])
    project.save(update_fields=[*changed, "updated_at"])
    _fair_sharing_events(project, old, actor, now)
    if declaration_changed:
        # Consent is to a version of the declaration: a changed one is asked for again.
        ProjectEvent.objects.create(
            project=project,
            old_status=project.status,
            new_status=project.status,
            actor=actor,
            reason=_("The personal data declaration changed: workers are asked to agree again."),
            at=now,
        )
    if "disturbing_content" in changed:
        # Workers' opt-ins are checked against the declaration at every claim; the log
        # says when it changed, for anyone asking why a project left their list.
        ProjectEvent.objects.create(
            project=project,
            old_status=project.status,
            new_status=project.status,
            actor=actor,
            reason=disturbing.declaration_text(project.disturbing_content)[:500],
            at=now,
        )
    if {"reward", "overlap"} & set(changed):
        run_hooks(hooks.SETTINGS_CHANGED, project=project, old=old, actor=actor)
    return project


def allowed_transitions(project: Project) -> list[str]:
    return [s for s in S.values if s in TRANSITIONS[project.status]]


@transaction.atomic
def project_set_status(
    *, project: Project, actor: User | None, status: str, reason: str = ""
) -> Project:
    """Move a project along its lifecycle (TRANSITIONS) and log the move as a ProjectEvent.

    The ledger reserves the project's budget from here when it goes live; keep every status
    change in this one function so that hook sees them all."""
    if status not in S.values:
        raise ApplicationError(
            _("status must be one of: %(values)s.") % {"values": ", ".join(S.values)},
            field="status",
        )
    reason = text_clean(reason, field="reason", limit=500, required=False)
    project = Project.objects.select_for_update().get(pk=project.pk)
    old = project.status
    if status == old:
        raise Conflict(
            _("The project is already %(status)s.") % {"status": S(old).label},
            code="same_status",
            field="status",
        )
    if status not in TRANSITIONS[old]:
        raise Conflict(
            _("A %(old)s project cannot become %(new)s.")
            % {"old": S(old).label.lower(), "new": S(status).label.lower()},
            code="transition_not_allowed",
            field="status",
        )
    if status == S.LIVE:
        _check_ready(project)
    status_change(
        project,
        status,
        ProjectEvent,
        update_fields=["updated_at"],
        actor=actor,
        reason=reason,
        at=timezone.now(),
    )
    run_hooks(hooks.STATUS_CHANGED, project=project, old_status=old, actor=actor)
    return project


def _check_ready(project: Project) -> None:
    # The settings are checked again: an interface's rules may have tightened since they were saved.
    values = project_values_clean(_current(project))
    check_declared(
        collected=get_interface(values["interface"]).personal_data_for(values["config"]),
        declared=values["personal_data"],
    )
    if _starter_instructions_left(project):
        raise Conflict(
            _(
                "The instructions still hold the template's placeholder text: write them for "
                "workers (what to look at, what a good answer is, worked examples) before "
                "going live."
            ),
            code="starter_instructions",
            field="instructions",
        )
    if not Task.objects.filter(project=project, is_gold=False).exists() and not any(
        loaded(path)(project=project) for path in hooks.TASKS_MADE_AS_THEY_COME.values()
    ):
        raise Conflict(
            _("Upload at least one task (not only gold tasks) before going live."),
            code="no_tasks",
            field="status",
        )
    if Batch.objects.filter(
        project=project, status__in=[Batch.Status.PENDING, Batch.Status.PROCESSING]
    ).exists():
        raise Conflict(
            _("Wait until every upload has been checked before going live."),
            code="upload_in_progress",
            field="status",
        )
    if (
        project.disturbing_content is None
        and Task.objects.filter(project=project).filter(disturbing.media_tasks_filter()).exists()
    ):
        raise Conflict(
            _(
                "The tasks show pictures or video: before going live, say whether they show "
                "disturbing content (disturbing_content): choose “no disturbing content” or "
                "the categories they show."
            ),
            code="disturbing_content_undeclared",
            field="disturbing_content",
        )


def _starter_instructions_left(project: Project) -> bool:
    """Whether the instructions still hold the opening sentence of the kind's template, in
    any of the site's languages (the template is written in the requester's)."""
    interface = get_interface(project.interface)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            opening = interface.starter()["instructions"].split("\n", 1)[0].strip()
        if opening and opening in project.instructions:
            return True
    return False
