"""The quality-rule catalogues. Each registry is the one place a rule is added: key → dotted
path of a class with the interface of `base.Rule` (rules that warn and sanction) or
`base.ApprovalRule` (rules that approve answers early). Built-ins register like any plug-in."""

from django.utils.translation import gettext as _

from microwork.lib.registry import plugin
from microwork.quality.rules.base import ApprovalRule, Measurement, Rule

RULES: dict[str, str] = {
    "gold_accuracy": "microwork.quality.rules.builtin.GoldAccuracy",
    "too_fast": "microwork.quality.rules.builtin.TooFast",
    "skips_in_row": "microwork.quality.rules.builtin.SkipsInRow",
    "disagreement": "microwork.quality.rules.builtin.Disagreement",
    "daily_cap": "microwork.quality.rules.builtin.DailyCap",
}


# Approval rules approve answers early (docs/quality.md, "Approval by a rule"); the same kind
# of registry, a separate catalogue: they never sanction anyone.
APPROVAL_RULES: dict[str, str] = {
    "trusted_worker": "microwork.quality.rules.approval.TrustedWorker",
    "agrees_with_label": "microwork.quality.rules.approval.AgreesWithLabel",
}


def get_rule(key: str) -> Rule:
    return plugin(
        RULES,
        key,
        unknown=_("Unknown quality rule %(key)s. Choose one of: %(keys)s."),
        code="unknown_rule",
        field="rule_key",
    )


def get_approval_rule(key: str) -> ApprovalRule:
    return plugin(
        APPROVAL_RULES,
        key,
        unknown=_("Unknown approval rule %(key)s. Choose one of: %(keys)s."),
        code="unknown_rule",
        field="rule_key",
    )


__all__ = [
    "APPROVAL_RULES",
    "RULES",
    "ApprovalRule",
    "Measurement",
    "Rule",
    "get_approval_rule",
    "get_rule",
]
