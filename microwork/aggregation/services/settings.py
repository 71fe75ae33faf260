"""The requester's choice of how a project's answers become labels: the method, and whether
tasks stop early (dynamic overlap) with its minimum answers and target confidence."""

import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.aggregation.algorithms.registry import kind_of, names
from microwork.aggregation.models import AggregationEvent, AggregationRun
from microwork.aggregation.services.events import aggregation_event_record
from microwork.aggregation.services.overlap import tasks_reopen_unmet
from microwork.aggregation.services.run_requests import aggregation_run_request
from microwork.lib.errors import ApplicationError
from microwork.projects.models import Project

logger = logging.getLogger(__name__)

Run = AggregationRun
TARGET_PLACES = Decimal("0.001")


def categorical_methods() -> list[str]:
    """Methods a project may use: every categorical aggregator in the registry."""
    return [name for name in names() if kind_of(name) == "categorical"]


def _clean_method(method: Any) -> str:
    allowed = categorical_methods()
    if not isinstance(method, str) or method not in allowed:
        raise ApplicationError(
            _("Unknown aggregation method %(method)s. Choose one of: %(methods)s.")
            % {"method": method, "methods": ", ".join(allowed)},
            code="unknown_method",
            field="method",
        )
    return method


def _clean_min_overlap(value: Any, overlap: int) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= overlap:
        raise ApplicationError(
            _(
                "The minimum answers per task must be a whole number from 1 to the project's "
                "answers per task (%(overlap)d)."
            )
            % {"overlap": overlap},
            code="invalid_min_overlap",
            field="min_overlap",
        )
    return value


def _clean_target(value: Any) -> Decimal:
    message = _("The target confidence must be a number above 0.5 and below 1, like 0.95.")
    if isinstance(value, bool) or value is None:
        raise ApplicationError(message, code="invalid_target", field="target_confidence")
    try:
        target = Decimal(str(value).strip())
    except InvalidOperation:
        raise ApplicationError(message, code="invalid_target", field="target_confidence") from None
    if not target.is_finite() or not Decimal("0.5") < target < 1:
        raise ApplicationError(message, code="invalid_target", field="target_confidence")
    if target != target.quantize(TARGET_PLACES):
        raise ApplicationError(
            _("The target confidence has at most three decimals, like 0.975."),
            code="invalid_target",
            field="target_confidence",
        )
    return target.quantize(TARGET_PLACES)


@transaction.atomic
def project_aggregation_configure(
    *,
    project: Project,
    method: str,
    dynamic_overlap: bool,
    min_overlap: int,
    target_confidence: Decimal | str,
    actor: User | None = None,
) -> Project:
    """Choose how a project's answers become labels and whether tasks stop early.

    A new method queues a full re-estimate. Tightening (or switching off) dynamic overlap
    reopens the tasks it had closed that no longer meet the rule, so they collect answers
    again up to the project's answers per task."""
    now = timezone.now()
    method = _clean_method(method)
    if not isinstance(dynamic_overlap, bool):
        raise ApplicationError(
            _("Dynamic overlap is either on (true) or off (false)."),
            code="invalid_dynamic_overlap",
            field="dynamic_overlap",
        )
    project = Project.objects.select_for_update().get(pk=project.pk)
    values = {
        "aggregation_method": method,
        "dynamic_overlap": dynamic_overlap,
        "min_overlap": _clean_min_overlap(min_overlap, project.overlap),
        "target_confidence": _clean_target(target_confidence),
    }
    changed = {k: v for k, v in values.items() if getattr(project, k) != v}
    if not changed:
        return project
    old = {k: str(getattr(project, k)) for k in changed}
    for name, value in changed.items():
        setattr(project, name, value)
    project.save(update_fields=[*changed, "updated_at"])
    aggregation_event_record(
        project=project,
        kind=AggregationEvent.Kind.CONFIGURED,
        at=now,
        actor=actor,
        details={"old": old, "new": {k: str(v) for k, v in changed.items()}},
    )
    reopened = tasks_reopen_unmet(project=project)
    if reopened:
        logger.info("project %s: %s tasks reopened by new overlap settings", project.pk, reopened)
    if "aggregation_method" in changed:
        aggregation_run_request(project=project, actor=actor, reason=Run.Reason.SETTINGS)
    return project
