"""A project's quality configuration: its settings (reveal, appeal deadline, rejection
confirmation), the rules that warn or sanction and the rules that approve answers early."""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError
from microwork.projects.models import Project
from microwork.quality.models import (
    APPEAL_WINDOW,
    ApprovalRuleConfig,
    ProjectRequirement,
    Qualification,
    QualificationTest,
    QualitySettings,
    RuleConfig,
)
from microwork.quality.rules import get_approval_rule, get_rule
from microwork.quality.rules.base import check_int, check_share


@transaction.atomic
def quality_settings_update(
    *,
    project: Project,
    reveal: str | None = None,
    gold_reveal_delay_hours: Any = None,
    appeal_deadline_hours: Any = None,
    rejection_confirm_share: Any = None,
) -> QualitySettings:
    """Change the project's quality settings; None leaves a setting as it is. Every value is
    checked before any is saved, so a bad one changes nothing."""
    row, _created = QualitySettings.objects.select_for_update().get_or_create(project=project)
    delay = None
    if gold_reveal_delay_hours is not None and gold_reveal_delay_hours != "":
        # At least an hour, so control answers cannot be collected while in use; at most the
        # appeal window, so a worker can still see a missed control task and appeal over it.
        delay = check_int(
            gold_reveal_delay_hours,
            field="gold_reveal_delay_hours",
            minimum=1,
            maximum=APPEAL_WINDOW.days * 24,
        )
    fields = []
    if reveal is not None:
        if reveal not in QualitySettings.Reveal.values:
            raise ApplicationError(_("reveal must be delay or batch."), field="reveal")
        row.reveal = reveal
        fields.append("reveal")
    if appeal_deadline_hours is not None:
        row.appeal_deadline_hours = check_int(
            appeal_deadline_hours, field="appeal_deadline_hours", minimum=1, maximum=24 * 14
        )
        fields.append("appeal_deadline_hours")
    if rejection_confirm_share is not None:
        row.rejection_confirm_share = check_share(
            rejection_confirm_share, field="rejection_confirm_share"
        ).quantize(Decimal("0.001"), ROUND_HALF_UP)
        fields.append("rejection_confirm_share")
    if fields:
        row.save(update_fields=fields)
    if delay is not None:
        # The delay is a column of the project (it predates these settings).
        locked = Project.objects.select_for_update().get(pk=project.pk)
        locked.gold_reveal_delay_seconds = delay * 3600
        locked.save(update_fields=["gold_reveal_delay_seconds", "updated_at"])
        project.gold_reveal_delay_seconds = locked.gold_reveal_delay_seconds
    return row


@transaction.atomic
def rule_configure(
    *,
    project: Project,
    rule_key: str,
    params: Mapping[str, Any] | None = None,
    action: str | None = None,
    pause_seconds: Any = 24 * 3600,
    enabled: bool = True,
) -> RuleConfig:
    """Switch a rule on (or off) with its numbers. No action: warn, or for a limit such as the
    daily cap, pause (its only action)."""
    rule = get_rule(rule_key)
    cleaned = rule.check_params(dict(params or {}))
    if action is None:
        action = RuleConfig.Action.PAUSE if rule.stops_at_limit else RuleConfig.Action.WARN
    if rule.stops_at_limit and action != RuleConfig.Action.PAUSE:
        raise ApplicationError(
            _("%(rule)s always pauses until the limit resets; action must be pause.")
            % {"rule": rule.title},
            field="action",
        )
    if action not in RuleConfig.Action.values:
        raise ApplicationError(
            _("action must be one of: %(choices)s.")
            % {"choices": ", ".join(RuleConfig.Action.values)},
            field="action",
        )
    seconds = check_int(pause_seconds, field="pause_seconds", minimum=60, maximum=90 * 24 * 3600)
    config, _created = RuleConfig.objects.update_or_create(
        project=project,
        rule_key=rule_key,
        defaults={
            "params": cleaned,
            "action": action,
            "pause_seconds": seconds,
            "enabled": enabled,
        },
    )
    return config


@transaction.atomic
def approval_rule_configure(
    *,
    project: Project,
    rule_key: str,
    params: Mapping[str, Any] | None = None,
    enabled: bool = True,
) -> ApprovalRuleConfig:
    rule = get_approval_rule(rule_key)
    cleaned = rule.check_params(dict(params or {}))
    config, _created = ApprovalRuleConfig.objects.update_or_create(
        project=project, rule_key=rule_key, defaults={"params": cleaned, "enabled": enabled}
    )
    return config


@transaction.atomic
def quality_clone(
    *, source: Project, project: Project, actor: Any, task_map: Mapping[int, int]
) -> None:
    """The projects app's PROJECT_CLONED hook: the copy gets the original's quality settings,
    rules, approval rules, tests (each with its own qualification, on the copied control
    tasks) and requirements (a requirement on a copied test's qualification names the copy's)."""
    settings_row = QualitySettings.objects.filter(project=source).first()
    if settings_row is not None:
        QualitySettings.objects.update_or_create(
            project=project,
            defaults={
                "reveal": settings_row.reveal,
                "appeal_deadline_hours": settings_row.appeal_deadline_hours,
                "rejection_confirm_share": settings_row.rejection_confirm_share,
            },
        )
    RuleConfig.objects.bulk_create(
        RuleConfig(
            project=project,
            rule_key=r.rule_key,
            params=r.params,
            action=r.action,
            pause_seconds=r.pause_seconds,
            enabled=r.enabled,
        )
        for r in RuleConfig.objects.filter(project=source).order_by("pk")
    )
    ApprovalRuleConfig.objects.bulk_create(
        ApprovalRuleConfig(project=project, rule_key=r.rule_key, params=r.params, enabled=r.enabled)
        for r in ApprovalRuleConfig.objects.filter(project=source).order_by("pk")
    )
    qualifications: dict[int, int] = {}
    for test in QualificationTest.objects.filter(project=source).select_related("qualification"):
        old = test.qualification
        new = Qualification.objects.create(
            organisation_id=project.organisation_id,
            name=_("%(name)s (copy)") % {"name": old.name} if len(old.name) < 110 else old.name,
            description=old.description,
            kind=old.kind,
        )
        qualifications[old.pk] = new.pk
        copy = QualificationTest.objects.create(
            project=project,
            qualification=new,
            mode=test.mode,
            name=test.name,
            pass_mark=test.pass_mark,
            question_count=test.question_count,
            retake_cooldown_seconds=test.retake_cooldown_seconds,
            max_attempts=test.max_attempts,
        )
        copy.tasks.set(
            [task_map[t] for t in test.tasks.values_list("pk", flat=True) if t in task_map]
        )
    ProjectRequirement.objects.bulk_create(
        ProjectRequirement(
            project=project,
            subject=r.subject,
            qualification_id=qualifications.get(r.qualification_id, r.qualification_id)
            if r.qualification_id
            else None,
            comparator=r.comparator,
            values=r.values,
        )
        for r in ProjectRequirement.objects.filter(project=source).order_by("pk")
    )
