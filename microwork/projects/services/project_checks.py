"""A project's settings checked field by field: each refused with the field's name and the
limit it broke, so the API, the forms and the MTurk operations all say the same thing."""

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError
from microwork.lib.l10n import datetime_text
from microwork.lib.money import check_currency, parse_amount
from microwork.projects import disturbing
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project
from microwork.projects.personal_data import FIELDS as PERSONAL_DATA_FIELDS
from microwork.projects.personal_data import clean_declaration

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


def text_clean(value: Any, *, field: str, limit: int, required: bool) -> str:
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


def project_values_clean(values: Mapping[str, Any]) -> dict[str, Any]:
    """Every editable field checked; the first problem raises, naming its field."""
    out: dict[str, Any] = {}
    out["name"] = text_clean(values.get("name"), field="name", limit=MAX_NAME, required=True)
    out["description"] = text_clean(
        values.get("description"), field="description", limit=MAX_DESCRIPTION, required=True
    )
    out["instructions"] = text_clean(
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


def opening_text(value: datetime) -> str:
    return datetime_text(value)
