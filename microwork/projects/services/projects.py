"""Projects: their settings, checked field by field, and their lifecycle (draft, live,
paused, completed, archived), each change logged as a ProjectEvent."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.l10n import datetime_text
from microwork.lib.money import check_currency, parse_amount
from microwork.lib.registry import run_hooks
from microwork.lib.status import status_change
from microwork.projects import disturbing, hooks, selectors
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Batch, Project, ProjectEvent, Task
from microwork.projects.personal_data import FIELDS as PERSONAL_DATA_FIELDS
from microwork.projects.personal_data import check_declared, clean_declaration

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
# Fields that change what an answer means or what it costs: frozen once any task has an answer.
LOCKED_ONCE_ANSWERED = ("interface", "config", "currency")
EDITABLE_FIELDS = (
    "name",
    "description",
    "instructions",
    "interface",
    "config",
    "reward",
    "currency",
    "estimated_seconds",
    "overlap",
    "time_limit_seconds",
    "gold_rate",
    "max_open_per_worker",
    "order",
    "auto_approve_seconds",
    "opens_at",
    "hourly_cap_per_worker",
    "review_overlap",
    "review_reward",
    "review_threshold",
    *PERSONAL_DATA_FIELDS,
    "disturbing_content",
)
# Fair sharing: announced opening times (project or batch) and the per-worker hourly cap.
# Each change is written to the project's event log, which workers' disputes can point to.
FAIR_SHARING_FIELDS = ("opens_at", "hourly_cap_per_worker")

MAX_NAME = 200
MAX_DESCRIPTION = 2000
MAX_INSTRUCTIONS = 50_000
MAX_OVERLAP = 100
MAX_ESTIMATE_SECONDS = 24 * 3600
MIN_TIME_LIMIT_SECONDS = 10
MAX_TIME_LIMIT_SECONDS = 24 * 3600
MAX_OPEN_PER_WORKER = 100
# How long an answer waits for the requester's review before it is approved and paid by itself.
# Seven days at most (the table's constraint too): workers wait for this money.
DEFAULT_AUTO_APPROVE_SECONDS = 3 * 24 * 3600
MIN_AUTO_APPROVE_SECONDS = 3600
MAX_AUTO_APPROVE_SECONDS = 7 * 24 * 3600
MAX_HOURLY_CAP = 1000
# Peer review: at most this many reviewers per answer (each is paid).
MAX_REVIEW_OVERLAP = 5
# Openings are announced to people: a year ahead is plenty, and a whole minute is precise enough.
MAX_OPENING_AHEAD = timedelta(days=366)


def _text(value: Any, *, field: str, limit: int, required: bool) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ApplicationError(_("%(field)s is required.") % {"field": field}, field=field)
    if len(text) > limit:
        raise ApplicationError(
            _("%(field)s is longer than %(n)d characters.") % {"field": field, "n": limit},
            field=field,
        )
    return text


def _whole(value: Any, *, field: str, low: int, high: int, message: str | None = None) -> int:
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ApplicationError(
            _("%(field)s must be a whole number.") % {"field": field}, field=field
        ) from None
    if not low <= number <= high:
        raise ApplicationError(
            message
            or _("%(field)s must be between %(low)d and %(high)d.")
            % {"field": field, "low": low, "high": high},
            field=field,
        )
    return number


def _share(value: Any, *, field: str) -> Decimal:
    try:
        if isinstance(value, float):
            value = repr(value)
        share = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ApplicationError(
            _("%(field)s must be a number from 0 to 1, such as 0.1.") % {"field": field},
            field=field,
        ) from None
    if not share.is_finite() or not Decimal(0) <= share <= Decimal(1):
        raise ApplicationError(
            _("%(field)s must be from 0 to 1 (0.1 means one task in ten).") % {"field": field},
            field=field,
        )
    if share != share.quantize(Decimal("0.001")):
        raise ApplicationError(
            _("%(field)s has more than 3 decimal places.") % {"field": field}, field=field
        )
    return share


def clean_moment(value: Any, *, field: str) -> datetime | None:
    """An announced time: empty, or a date and time with its time zone, kept to the minute."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ApplicationError(
                _("%(field)s must be a date and time such as 2026-03-02T10:00:00Z.")
                % {"field": field},
                field=field,
            ) from None
    if not isinstance(value, datetime):
        raise ApplicationError(
            _("%(field)s must be a date and time such as 2026-03-02T10:00:00Z.") % {"field": field},
            field=field,
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise ApplicationError(
            _("%(field)s needs a time zone, such as 2026-03-02T10:00:00Z for UTC.")
            % {"field": field},
            field=field,
        )
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def check_opening(value: datetime | None, *, field: str, now: datetime) -> None:
    """A newly announced opening lies ahead: one in the past would announce nothing."""
    if value is None:
        return
    if value <= now:
        raise ApplicationError(
            _("%(field)s must be in the future; leave it empty to open at once.")
            % {"field": field},
            field=field,
        )
    if value > now + MAX_OPENING_AHEAD:
        raise ApplicationError(
            _("%(field)s can be at most a year ahead.") % {"field": field}, field=field
        )


def _optional_whole(value: Any, *, field: str, low: int, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return _whole(value, field=field, low=low, high=high)


def _clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every editable field checked; the first problem raises, naming its field."""
    out: dict[str, Any] = {}
    out["name"] = _text(values.get("name"), field="name", limit=MAX_NAME, required=True)
    out["description"] = _text(
        values.get("description"), field="description", limit=MAX_DESCRIPTION, required=True
    )
    out["instructions"] = _text(
        values.get("instructions"), field="instructions", limit=MAX_INSTRUCTIONS, required=False
    )
    interface = get_interface(str(values.get("interface") or ""))
    out["interface"] = interface.key
    config = values.get("config")
    if config is None:
        config = {}
    if not isinstance(config, Mapping):
        raise ApplicationError(_("config must be an object."), field="config")
    out["config"] = interface.check_config(config)
    out["reward"] = parse_amount(values.get("reward"), field="reward")
    out["currency"] = check_currency(str(values.get("currency") or ""))
    out["estimated_seconds"] = _whole(
        values.get("estimated_seconds"), field="estimated_seconds", low=1, high=MAX_ESTIMATE_SECONDS
    )
    out["overlap"] = _whole(
        values.get("overlap"),
        field="overlap",
        low=1,
        high=MAX_OVERLAP,
        message=_("overlap is the number of answers each task gets: at least 1, at most %(n)d.")
        % {"n": MAX_OVERLAP},
    )
    out["time_limit_seconds"] = _whole(
        values.get("time_limit_seconds"),
        field="time_limit_seconds",
        low=MIN_TIME_LIMIT_SECONDS,
        high=MAX_TIME_LIMIT_SECONDS,
    )
    out["gold_rate"] = _share(values.get("gold_rate"), field="gold_rate")
    out["max_open_per_worker"] = _whole(
        values.get("max_open_per_worker"),
        field="max_open_per_worker",
        low=1,
        high=MAX_OPEN_PER_WORKER,
    )
    order = str(values.get("order") or "")
    if order not in Project.Order.values:
        raise ApplicationError(
            _("order must be one of: %(values)s.") % {"values": ", ".join(Project.Order.values)},
            field="order",
        )
    out["order"] = order
    out["auto_approve_seconds"] = _whole(
        values.get("auto_approve_seconds"),
        field="auto_approve_seconds",
        low=MIN_AUTO_APPROVE_SECONDS,
        high=MAX_AUTO_APPROVE_SECONDS,
        message=_(
            "auto_approve_seconds is how long answers wait for your review before they are "
            "approved automatically: from %(low)d seconds (1 hour) to %(high)d (7 days)."
        )
        % {"low": MIN_AUTO_APPROVE_SECONDS, "high": MAX_AUTO_APPROVE_SECONDS},
    )
    out["opens_at"] = clean_moment(values.get("opens_at"), field="opens_at")
    out["hourly_cap_per_worker"] = _optional_whole(
        values.get("hourly_cap_per_worker"),
        field="hourly_cap_per_worker",
        low=1,
        high=MAX_HOURLY_CAP,
    )
    out.update(_clean_review(values, reviewed=interface.reviewed_for(out["config"])))
    out.update(clean_declaration(values))
    out["disturbing_content"] = disturbing.clean_declaration(values.get("disturbing_content"))
    # A time limit shorter than the estimate would expire honest workers' leases.
    if out["time_limit_seconds"] < out["estimated_seconds"]:
        raise ApplicationError(
            _("The time limit must be at least the estimated time per task."),
            field="time_limit_seconds",
        )
    return out


def _clean_review(values: Mapping[str, Any], *, reviewed: bool) -> dict[str, Any]:
    """Peer review's settings: off (0 reviewers) for any kind; on only for a kind whose
    answers are reviewed rather than aggregated, with a reward and a share to accept."""
    overlap = _whole(
        values.get("review_overlap") or 0,
        field="review_overlap",
        low=0,
        high=MAX_REVIEW_OVERLAP,
        message=_("review_overlap is the number of reviewers per answer: 0 (off) to %(n)d.")
        % {"n": MAX_REVIEW_OVERLAP},
    )
    threshold = values.get("review_threshold")
    threshold = _share(
        Decimal("0.5") if threshold is None or threshold == "" else threshold,
        field="review_threshold",
    )
    if threshold <= 0:
        raise ApplicationError(
            _("review_threshold is the share of reviewers who must accept: above 0, up to 1."),
            field="review_threshold",
        )
    reward = values.get("review_reward")
    if reward is None or (isinstance(reward, str) and not reward.strip()):
        reward = None
    if overlap == 0:
        cleaned = Decimal(0) if reward is None else _review_reward(reward, allow_zero=True)
        return {"review_overlap": 0, "review_reward": cleaned, "review_threshold": threshold}
    if not reviewed:
        raise ApplicationError(
            _(
                "Only kinds whose answers are reviewed rather than aggregated (free text, "
                "transcription checked by reviewers) can send answers to reviewers."
            ),
            code="not_reviewed",
            field="review_overlap",
        )
    if reward is None:
        raise ApplicationError(
            _("Set the reward each reviewer is paid (review_reward)."), field="review_reward"
        )
    return {
        "review_overlap": overlap,
        "review_reward": _review_reward(reward),
        "review_threshold": threshold,
    }


def _review_reward(value: Any, *, allow_zero: bool = False) -> Decimal:
    return parse_amount(value, field="review_reward", allow_zero=allow_zero)


def _current(project: Project) -> dict[str, Any]:
    return {name: getattr(project, name) for name in EDITABLE_FIELDS}


def opening_text(value: datetime) -> str:
    return datetime_text(value)


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
    values = _clean(
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
    values = _clean(merged)
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
    reason = _text(reason, field="reason", limit=500, required=False)
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
    values = _clean(_current(project))
    check_declared(
        collected=get_interface(values["interface"]).personal_data_for(values["config"]),
        declared=values["personal_data"],
    )
    if not Task.objects.filter(project=project, is_gold=False).exists():
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
