"""The quality-rule catalogue. This registry is the one place a rule is added: key → dotted
path of a class with the interface of `base.Rule`. Built-ins register like any plug-in."""

from functools import cache

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError
from microwork.quality.rules.base import Measurement, Rule

RULES: dict[str, str] = {
    "gold_accuracy": "microwork.quality.rules.builtin.GoldAccuracy",
    "too_fast": "microwork.quality.rules.builtin.TooFast",
    "skips_in_row": "microwork.quality.rules.builtin.SkipsInRow",
    "disagreement": "microwork.quality.rules.builtin.Disagreement",
    "daily_cap": "microwork.quality.rules.builtin.DailyCap",
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


__all__ = ["RULES", "Measurement", "Rule", "get_rule"]
