"""The quality-rule catalogues. Each registry is the one place a rule is added: key → dotted
path of a class with the interface of `base.Rule` (rules that warn and sanction) or
`base.ApprovalRule` (rules that approve answers early). Built-ins register like any plug-in."""

from functools import cache

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError
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


@cache
def get_rule(key: str) -> Rule:
    path = RULES.get(key)
    if path is None:
        raise ApplicationError(
            _("Unknown quality rule %(key)s. Choose one of: %(keys)s.")
            % {"key": key, "keys": ", ".join(sorted(RULES))},
            code="unknown_rule",
            field="rule_key",
        )
    return import_string(path)()


@cache
def get_approval_rule(key: str) -> ApprovalRule:
    path = APPROVAL_RULES.get(key)
    if path is None:
        raise ApplicationError(
            _("Unknown approval rule %(key)s. Choose one of: %(keys)s.")
            % {"key": key, "keys": ", ".join(sorted(APPROVAL_RULES))},
            code="unknown_rule",
            field="rule_key",
        )
    return import_string(path)()


__all__ = [
    "APPROVAL_RULES",
    "RULES",
    "ApprovalRule",
    "Measurement",
    "Rule",
    "get_approval_rule",
    "get_rule",
]
