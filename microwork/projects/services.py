"""Writes for projects, batches and tasks. Views and API handlers call these and nothing else."""

import hashlib
import json
import logging
import os
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.limits import InputLimitExceeded, check_depth
from microwork.lib.money import check_currency, parse_amount
from microwork.lib.registry import run_hooks
from microwork.lib.status import status_change
from microwork.projects import hooks, selectors
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Batch, Project, ProjectEvent, Task, UploadCleanup
from microwork.projects.uploads import (
    CheckReport,
    CleanRow,
    check_csv_header,
    detect_format,
    iter_clean_records,
    iter_clean_rows,
)

logger = logging.getLogger(__name__)

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
# Projects that take new tasks.
UPLOAD_STATUSES = frozenset({S.DRAFT, S.LIVE, S.PAUSED})
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
# Openings are announced to people: a year ahead is plenty, and a whole minute is precise enough.
MAX_OPENING_AHEAD = timedelta(days=366)
INSERT_CHUNK = 2_000
# Uploads at least this big refresh the planner's statistics of the task table.
ANALYZE_AFTER_ROWS = 1000
INLINE_MAX_BYTES = getattr(settings, "UPLOAD_INLINE_MAX_BYTES", 1024 * 1024)
MAX_BODY_TASKS = 1_000


# --- projects -------------------------------------------------------------------------------


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


def _moment(value: Any, *, field: str) -> datetime | None:
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
    out["opens_at"] = _moment(values.get("opens_at"), field="opens_at")
    out["hourly_cap_per_worker"] = _optional_whole(
        values.get("hourly_cap_per_worker"),
        field="hourly_cap_per_worker",
        low=1,
        high=MAX_HOURLY_CAP,
    )
    # A time limit shorter than the estimate would expire honest workers' leases.
    if out["time_limit_seconds"] < out["estimated_seconds"]:
        raise ApplicationError(
            _("The time limit must be at least the estimated time per task."),
            field="time_limit_seconds",
        )
    return out


def _current(project: Project) -> dict[str, Any]:
    return {name: getattr(project, name) for name in EDITABLE_FIELDS}


def _opening_text(value: datetime) -> str:
    return formats.date_format(value, "Y-m-d H:i")


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
                _("Work opens at %(time)s UTC.") % {"time": _opening_text(value)}
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
    _clean(_current(project))
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


# --- uploads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UploadOutcome:
    batch: Batch
    # True when this exact file was already uploaded: the earlier batch is returned, nothing added.
    duplicate: bool = False

    @property
    def queued(self) -> bool:
        return not self.batch.is_finished


class UploadRefused(ApplicationError):
    """The file had problems; `details` lists them as {row, field, reason}."""

    default_code = "upload_refused"

    def __init__(self, report: CheckReport) -> None:
        shown = len(report.errors)
        if report.errors_total > shown:
            message = _(
                "The file was refused: %(total)d problems (the first %(shown)d are listed). "
                "Nothing was added."
            ) % {"total": report.errors_total, "shown": shown}
        else:
            message = _("The file was refused: %(total)d problems. Nothing was added.") % {
                "total": report.errors_total
            }
        super().__init__(message, field="file", details=report.errors)
        self.report = report


def _check_project_takes_uploads(project: Project) -> None:
    # Read afresh: the caller's instance may predate a status change.
    project.refresh_from_db(fields=["status"])
    if project.status not in UPLOAD_STATUSES:
        raise Conflict(
            _("A %(status)s project takes no new tasks.")
            % {"status": S(project.status).label.lower()},
            code="project_closed",
            field="project_id",
        )


def _existing_ids(project: Project) -> set[str]:
    return set(
        Task.objects.filter(project=project)
        .exclude(external_id="")
        .values_list("external_id", flat=True)
    )


def _duplicate(project: Project, digest: str) -> Batch | None:
    return (
        Batch.objects.filter(project=project, sha256=digest)
        .exclude(status=Batch.Status.FAILED)
        .order_by("id")
        .first()
    )


def _insert(project: Project, batch: Batch, rows: Iterator[CleanRow], report: CheckReport) -> None:
    chunk: list[Task] = []
    for clean in rows:
        chunk.append(
            Task(
                project=project,
                batch=batch,
                row_number=clean.row,
                external_id=clean.external_id,
                data=clean.data,
                is_gold=clean.is_gold,
                gold_answer=clean.gold_answer,
                gold_explanation=clean.explanation,
                priority=clean.priority,
            )
        )
        if len(chunk) >= INSERT_CHUNK:
            Task.objects.bulk_create(chunk)
            chunk = []
    if chunk:
        Task.objects.bulk_create(chunk)
    if not report.ok:
        # Something changed between the two passes (another upload took an id): undo it all.
        raise UploadRefused(report)
    if batch.opens_at is not None:
        ProjectEvent.objects.create(
            project=project,
            old_status=project.status,
            new_status=project.status,
            actor=batch.uploaded_by,
            reason=_("Batch %(id)d (%(file)s): its tasks open at %(time)s UTC.")
            % {"id": batch.pk, "file": batch.filename, "time": _opening_text(batch.opens_at)},
            at=timezone.now(),
        )
    if report.rows >= ANALYZE_AFTER_ROWS and connection.vendor == "postgresql":
        # Until autovacuum catches up, the planner would take the task table for empty and sort
        # every open task on each claim (47 ms instead of 0.05 ms at 20,000 tasks).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + connection.ops.quote_name(Task._meta.db_table))
    run_hooks(hooks.TASKS_ADDED, project=project)


def upload_max_bytes() -> int:
    return int(settings.MAX_UPLOAD_BYTES)


def batch_upload(
    *,
    project: Project,
    actor: User,
    file: IO[bytes],
    filename: str,
    content_type: str,
    size: int,
    opens_at: datetime | str | None = None,
) -> UploadOutcome:
    """Take an uploaded file of tasks.

    Small files are checked and added now; bigger ones are saved under MEDIA_ROOT/uploads and
    handed to a background job (the batch shows its progress). Either way a file with any
    problem adds nothing. Not one transaction on purpose: the check pass runs outside any
    transaction so a long check never holds the database's write lock; each write below is
    atomic on its own. `opens_at` announces when the batch's tasks reach workers."""
    _check_project_takes_uploads(project)
    opens_at = _batch_opening(opens_at)
    if size > upload_max_bytes():
        raise ApplicationError(
            _("The file is %(size)d MB; the limit is %(limit)d MB. Split it into smaller files.")
            % {"size": size // (1024 * 1024), "limit": upload_max_bytes() // (1024 * 1024)},
            code="too_large",
            field="file",
        )
    if size <= 0:
        raise ApplicationError(_("The file is empty."), code="empty", field="file")
    head = file.read(8192)
    file.seek(0)
    fmt = detect_format(filename=filename, content_type=content_type, head=head)
    filename = os.path.basename(filename or "upload")[:255]
    if size <= INLINE_MAX_BYTES:
        digest = _hash(file)
        earlier = _duplicate(project, digest)
        if earlier is not None:
            return UploadOutcome(earlier, duplicate=True)
        report = CheckReport()
        for _row in iter_clean_rows(
            project=project,
            fmt=fmt,
            stream=file,
            size=size,
            existing_ids=_existing_ids(project),
            report=report,
        ):
            pass
        if not report.ok:
            raise UploadRefused(report)
        file.seek(0)
        return UploadOutcome(
            _batch_add_now(
                project=project,
                actor=actor,
                filename=filename,
                fmt=fmt,
                size=size,
                digest=digest,
                opens_at=opens_at,
                rows_factory=lambda report: iter_clean_rows(
                    project=project,
                    fmt=fmt,
                    stream=file,
                    size=size,
                    existing_ids=_existing_ids(project),
                    report=report,
                ),
            )
        )
    if fmt == "csv":
        report = CheckReport()
        check_csv_header(stream=file, report=report)
        if not report.ok:
            raise UploadRefused(report)
    relative, digest = _store(file, fmt)
    earlier = _duplicate(project, digest)
    if earlier is not None:
        (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)
        return UploadOutcome(earlier, duplicate=True)
    return UploadOutcome(
        _batch_queue(
            project=project,
            actor=actor,
            filename=filename,
            fmt=fmt,
            size=size,
            digest=digest,
            relative=relative,
            opens_at=opens_at,
        )
    )


def _batch_opening(value: datetime | str | None) -> datetime | None:
    opens_at = _moment(value, field="opens_at")
    check_opening(opens_at, field="opens_at", now=timezone.now())
    return opens_at


@transaction.atomic
def _batch_add_now(
    *,
    project: Project,
    actor: User,
    filename: str,
    fmt: str,
    size: int,
    digest: str,
    rows_factory: Any,
    opens_at: datetime | None = None,
) -> Batch:
    Project.objects.select_for_update().filter(pk=project.pk).first()
    now = timezone.now()
    batch = Batch.objects.create(
        project=project,
        uploaded_by=actor,
        filename=filename,
        file_format=fmt,
        size_bytes=size,
        sha256=digest,
        status=Batch.Status.PROCESSING,
        bytes_checked=size,
        opens_at=opens_at,
    )
    report = CheckReport()
    _insert(project, batch, rows_factory(report), report)
    batch.status = Batch.Status.DONE
    batch.rows_seen = report.rows
    batch.rows_added = report.rows
    batch.gold_added = report.gold
    batch.ignored_columns = report.ignored_columns
    batch.finished_at = now
    batch.save(
        update_fields=[
            "status",
            "rows_seen",
            "rows_added",
            "gold_added",
            "ignored_columns",
            "finished_at",
        ]
    )
    run_hooks(hooks.BATCH_DONE, batch=batch)
    return batch


@transaction.atomic
def _batch_queue(
    *,
    project: Project,
    actor: User,
    filename: str,
    fmt: str,
    size: int,
    digest: str,
    relative: str,
    opens_at: datetime | None = None,
) -> Batch:
    from microwork.projects.tasks import process_batch

    batch = Batch.objects.create(
        project=project,
        uploaded_by=actor,
        filename=filename,
        file_format=fmt,
        size_bytes=size,
        sha256=digest,
        stored_path=relative,
        status=Batch.Status.PENDING,
        opens_at=opens_at,
    )
    transaction.on_commit(lambda: process_batch.enqueue(batch_id=batch.pk))
    return batch


def _hash(file: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := file.read(1024 * 1024):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _store(file: IO[bytes], fmt: str) -> tuple[str, str]:
    relative = f"uploads/{uuid.uuid4().hex}.{fmt}"
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    with path.open("wb") as out:
        while chunk := file.read(1024 * 1024):
            written += len(chunk)
            # The declared size can lie (a streamed body); the real bytes are what count.
            if written > upload_max_bytes():
                out.close()
                path.unlink(missing_ok=True)
                raise ApplicationError(
                    _("The file is bigger than the %(limit)d MB limit.")
                    % {"limit": upload_max_bytes() // (1024 * 1024)},
                    code="too_large",
                    field="file",
                )
            digest.update(chunk)
            out.write(chunk)
    return relative, digest.hexdigest()


def batch_process(*, batch_id: int) -> Batch:
    """Check and add a stored upload (the background job's body). Running it twice is harmless:
    only the run that moves the batch from pending to processing does anything, and its writes
    are guarded by its attempt number (see Batch.attempts)."""
    claimed = Batch.objects.filter(pk=batch_id, status=Batch.Status.PENDING).update(
        status=Batch.Status.PROCESSING, attempts=F("attempts") + 1
    )
    batch = Batch.objects.select_related("project").get(pk=batch_id)
    if claimed != 1:
        return batch
    path = Path(settings.MEDIA_ROOT) / batch.stored_path
    project = batch.project
    mine = Batch.objects.filter(
        pk=batch_id, status=Batch.Status.PROCESSING, attempts=batch.attempts
    )

    def progress(rows: int, bytes_read: int) -> None:
        mine.update(rows_seen=rows, bytes_checked=bytes_read)

    try:
        _check_project_takes_uploads(project)
        report = CheckReport()
        with path.open("rb") as stream:
            for _row in iter_clean_rows(
                project=project,
                fmt=batch.file_format,
                stream=stream,
                size=batch.size_bytes,
                existing_ids=_existing_ids(project),
                report=report,
                on_progress=progress,
            ):
                pass
        if not report.ok:
            raise UploadRefused(report)
        _batch_insert_stored(batch=batch, path=path)
    except ApplicationError as exc:
        refused = exc.report if isinstance(exc, UploadRefused) else None
        mine.update(
            status=Batch.Status.FAILED,
            errors=refused.errors
            if refused
            else [{"row": None, "field": exc.field or "file", "reason": exc.message}],
            errors_total=refused.errors_total if refused else 1,
            finished_at=timezone.now(),
        )
    except BatchRunSuperseded:
        logger.warning("batch %s: run %d was superseded", batch_id, batch.attempts)
    except Exception:
        logger.exception("batch %s failed", batch_id)
        mine.update(
            status=Batch.Status.FAILED,
            errors=[
                {
                    "row": None,
                    "field": "file",
                    "reason": _(
                        "The file could not be processed; nothing was added. Try again or contact support."
                    ),
                }
            ],
            errors_total=1,
            finished_at=timezone.now(),
        )
        raise
    finally:
        # Unless a later run of the batch is waiting for it (this one was taken for dead).
        later = Q(status=Batch.Status.PENDING) | (
            Q(status=Batch.Status.PROCESSING) & ~Q(attempts=batch.attempts)
        )
        if not Batch.objects.filter(later, pk=batch_id).exists():
            path.unlink(missing_ok=True)
    batch.refresh_from_db()
    return batch


class BatchRunSuperseded(Exception):  # noqa: N818
    """A background run of a batch that another run (or a failure) has replaced."""


def batch_recover(*, batch_id: int, reason: str, retry: bool) -> Batch | None:
    """Settle a batch whose job ended badly (microwork/clock/recovery.py). A run that never
    finished because its worker died is run again while attempts remain and the stored file is
    there; otherwise the batch fails with the reason, so the project can go live without it and
    the same file can be sent again."""
    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None or batch.is_finished:
        return batch
    path = Path(settings.MEDIA_ROOT) / batch.stored_path if batch.stored_path else None
    unfinished = Batch.objects.filter(
        pk=batch_id,
        status__in=[Batch.Status.PENDING, Batch.Status.PROCESSING],
        attempts=batch.attempts,
    )
    if retry and batch.attempts < settings.BATCH_MAX_ATTEMPTS and path and path.exists():
        from microwork.projects.tasks import process_batch

        with transaction.atomic():
            if unfinished.update(status=Batch.Status.PENDING, rows_seen=0, bytes_checked=0):
                transaction.on_commit(lambda: process_batch.enqueue(batch_id=batch_id))
        batch.refresh_from_db()
        return batch
    if retry:
        reason = _(
            "%(reason)s It was tried %(n)d times. Nothing was added; upload the file again, "
            "or split it into smaller files."
        ) % {"reason": reason, "n": batch.attempts}
    else:
        reason = _("%(reason)s Nothing was added; split the file or upload it again.") % {
            "reason": reason
        }
    if (
        unfinished.update(
            status=Batch.Status.FAILED,
            errors=[{"row": None, "field": "file", "reason": reason}],
            errors_total=1,
            stored_path="",
            finished_at=timezone.now(),
        )
        and path is not None
    ):
        path.unlink(missing_ok=True)
    batch.refresh_from_db()
    return batch


@transaction.atomic
def _batch_insert_stored(*, batch: Batch, path: Path) -> None:
    project = Project.objects.select_for_update().get(pk=batch.project_id)
    mine = Batch.objects.filter(
        pk=batch.pk, status=Batch.Status.PROCESSING, attempts=batch.attempts
    )
    if not mine.exists():
        # This run was taken for dead and the batch settled or handed to another run.
        raise BatchRunSuperseded(batch.pk)
    report = CheckReport()
    with path.open("rb") as stream:
        _insert(
            project,
            batch,
            iter_clean_rows(
                project=project,
                fmt=batch.file_format,
                stream=stream,
                size=batch.size_bytes,
                existing_ids=_existing_ids(project),
                report=report,
            ),
            report,
        )
    mine.update(
        status=Batch.Status.DONE,
        rows_seen=report.rows,
        rows_added=report.rows,
        gold_added=report.gold,
        bytes_checked=batch.size_bytes,
        ignored_columns=report.ignored_columns,
        stored_path="",
        finished_at=timezone.now(),
    )
    run_hooks(hooks.BATCH_DONE, batch=batch)


def batch_create_from_records(
    *,
    project: Project,
    actor: User,
    records: list[Any],
    name: str = "api",
    opens_at: datetime | str | None = None,
) -> UploadOutcome:
    """Tasks sent as JSON in a request body (small batches); the same checks as a file."""
    _check_project_takes_uploads(project)
    opens_at = _batch_opening(opens_at)
    if len(records) > MAX_BODY_TASKS:
        raise ApplicationError(
            _("Send at most %(n)d tasks in a request body; upload a file for more.")
            % {"n": MAX_BODY_TASKS},
            code="too_many_rows",
            field="tasks",
        )
    try:
        # API bodies are bounded by their parser already; other callers pass Python values.
        check_depth(records)
    except InputLimitExceeded as exc:
        raise ApplicationError(str(exc), code="too_large", field="tasks") from None
    body = json.dumps(records, sort_keys=True, ensure_ascii=False, default=str).encode()
    digest = hashlib.sha256(body).hexdigest()
    earlier = _duplicate(project, digest)
    if earlier is not None:
        return UploadOutcome(earlier, duplicate=True)
    report = CheckReport()
    for _row in iter_clean_records(
        project=project, records=records, existing_ids=_existing_ids(project), report=report
    ):
        pass
    if not report.ok:
        raise UploadRefused(report)
    return UploadOutcome(
        _batch_add_now(
            project=project,
            actor=actor,
            filename=name,
            fmt="json",
            size=len(body),
            digest=digest,
            opens_at=opens_at,
            rows_factory=lambda report: iter_clean_records(
                project=project, records=records, existing_ids=_existing_ids(project), report=report
            ),
        )
    )


CLEANUP_RECORDS_KEPT = timedelta(days=30)
LOST_JOB_AFTER = timedelta(hours=1)


def _old_files(folder: Path, *, before: float) -> Iterator[Path]:
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < before:
                yield path
        except FileNotFoundError:
            continue


def uploads_cleanup(*, now: datetime | None = None) -> UploadCleanup:
    """The periodic cleanup: stored uploads no unfinished batch needs, temporary upload files
    of requests that crashed, and waiting batches whose job was lost (run again, or failed).
    Leaves one record per run; records older than a month are dropped."""
    from microwork.projects.tasks import process_batch

    now = now or timezone.now()
    before = (now - timedelta(hours=settings.UPLOAD_ORPHAN_HOURS)).timestamp()
    record = UploadCleanup(at=now)

    waiting = Batch.objects.filter(status__in=[Batch.Status.PENDING, Batch.Status.PROCESSING])
    needed = set(waiting.exclude(stored_path="").values_list("stored_path", flat=True))
    folders = [Path(settings.MEDIA_ROOT) / "uploads"]
    if settings.FILE_UPLOAD_TEMP_DIR:
        folders.append(Path(settings.FILE_UPLOAD_TEMP_DIR))
    for folder in folders:
        for path in _old_files(folder, before=before):
            if f"uploads/{path.name}" in needed and folder.name == "uploads":
                continue
            size = path.stat().st_size
            path.unlink(missing_ok=True)
            record.files_removed += 1
            record.bytes_removed += size
            if len(record.removed) < 100:
                record.removed.append(path.name)

    # A pending batch with no job to run it: the process died between commit and enqueue.
    if _tasks_are_stored():
        from django_tasks_db.compat import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        live = DBTaskResult.objects.filter(
            task_path=process_batch.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        )
        live_ids = {
            (r.get("kwargs") or {}).get("batch_id")
            for r in live.values_list("args_kwargs", flat=True)
        }
        for batch in waiting.filter(
            status=Batch.Status.PENDING, created_at__lt=now - LOST_JOB_AFTER
        ):
            if batch.pk in live_ids:
                continue
            settled = batch_recover(
                batch_id=batch.pk, reason=_("The job checking this file was lost."), retry=True
            )
            if settled is not None and settled.status == Batch.Status.FAILED:
                record.batches_failed += 1
            else:
                record.batches_requeued += 1
    record.save()
    UploadCleanup.objects.filter(at__lt=now - CLEANUP_RECORDS_KEPT).delete()
    return record


def _tasks_are_stored() -> bool:
    from django.tasks import task_backends

    return task_backends["default"].__class__.__module__.startswith("django_tasks_db")
