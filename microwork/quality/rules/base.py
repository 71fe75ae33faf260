from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from microwork.lib.bounds import MAX_COUNT
from microwork.lib.errors import ApplicationError


@dataclass(frozen=True)
class Param:
    """One setting of a rule. `kind` is "share" (a number from 0 to 1), "int" (a whole number
    from `minimum`) or "choice" (one of `choices`)."""

    name: str
    kind: str
    default: Any
    label: str | Promise
    minimum: int = 0
    choices: tuple[str, ...] = ()


@dataclass
class Measurement:
    """What a rule found for one worker. `value` and `threshold` are in the rule's own unit;
    `distance` is how far the worker is from being sanctioned, in that unit (≤ 0: breached)."""

    enough: bool
    breached: bool = False
    near: bool = False
    value: float | None = None
    threshold: float | None = None
    distance: float | None = None
    numbers: dict[str, Any] = field(default_factory=dict)
    evidence: list[int] = field(default_factory=list)
    # A rule may end its pause at a natural boundary (the daily cap: midnight UTC).
    pause_until: datetime | None = None


class Configurable:
    """A catalogue entry a requester switches on for a project and sets the numbers of."""

    key: ClassVar[str]
    title: ClassVar[str | Promise]
    description: ClassVar[str | Promise]
    params: ClassVar[tuple[Param, ...]] = ()

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def check_params(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        known = {p.name for p in self.params}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise ApplicationError(
                _("Unknown setting %(name)s for this rule. Settings: %(known)s.")
                % {"name": unknown[0], "known": ", ".join(sorted(known))},
                code="invalid_rule",
                field=unknown[0],
            )
        cleaned: dict[str, Any] = {}
        for p in self.params:
            value = raw.get(p.name, p.default)
            if value is None or value == "":
                value = p.default
            cleaned[p.name] = _check_param(p, value)
        return cleaned


class Rule(Configurable):
    """A quality rule.

    - `params`: the settings a requester may change, with defaults.
    - `measure(project, worker, params, since, now)`: a Measurement from the worker's answers
      on this project submitted at or after `since` (None: all of them).
    - `value_format`: "share" shows numbers as percentages, "count" as whole numbers.
    """

    value_format: ClassVar[str] = "share"
    # False for rules too costly to run inside every submit; the periodic sweep runs them.
    per_submission: ClassVar[bool] = True
    # A limit rather than a judgement (the daily cap): the worker is warned as they approach
    # it, and reaching it pauses them at once until `Measurement.pause_until`, with no
    # further warning or grace. Its only action is the pause.
    stops_at_limit: ClassVar[bool] = False

    def measure(
        self,
        *,
        project: Any,
        worker: Any,
        params: Mapping[str, Any],
        since: datetime | None,
        now: datetime,
    ) -> Measurement:
        raise NotImplementedError


def check_share(value: Any, *, field: str, code: str | None = None) -> Decimal:
    """A typed-in share (0.8 for 80 %), for a rule's parameter or a project's quality setting."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        number = Decimal("NaN")
    if not number.is_finite() or number < 0 or number > 1:
        raise ApplicationError(
            _("%(field)s must be a number from 0 to 1 (for example 0.8 for 80 %%).")
            % {"field": field},
            code=code,
            field=field,
        )
    return number


def check_int(
    value: Any, *, field: str, minimum: int, maximum: int | None = None, code: str | None = None
) -> int:
    # Without a maximum of its own, a number still has to fit the integer columns it is kept
    # in and the timedelta it may become.
    bound = MAX_COUNT if maximum is None else maximum
    try:
        number = int(str(value).strip())
    except ValueError:
        number = minimum - 1
    if number < minimum or number > bound:
        if maximum is None and number < minimum:
            message = _("%(field)s must be a whole number of at least %(min)d.")
        else:
            message = _("%(field)s must be a whole number from %(min)d to %(max)d.")
        raise ApplicationError(
            message % {"field": field, "min": minimum, "max": bound}, code=code, field=field
        )
    return number


def _check_param(p: Param, value: Any) -> Any:
    if p.kind == "share":
        return float(check_share(value, field=p.name, code="invalid_rule"))
    if p.kind == "int":
        return check_int(value, field=p.name, minimum=p.minimum, code="invalid_rule")
    if str(value) not in p.choices:
        raise ApplicationError(
            _("%(field)s must be one of: %(choices)s.")
            % {"field": p.name, "choices": ", ".join(p.choices)},
            code="invalid_rule",
            field=p.name,
        )
    return str(value)


class ApprovalRule(Configurable):
    """A rule that approves an answer before its approval period ends.

    `verdict(submission, skill, label, params)` returns the numbers that approve the answer
    now (kept on its review and shown to the worker), or None. `skill` is the worker's
    WorkerSkill on the project, `label` the task's label as aggregation keeps it
    (microwork.aggregation.selectors.AggregatedLabel: label, confidence, answers, method; None
    before aggregation saw the task). It must be cheap: it runs on the submit path."""

    def verdict(
        self, *, submission: Any, skill: Any, label: Any, params: Mapping[str, Any]
    ) -> dict[str, Any] | None:
        raise NotImplementedError
