"""The requester's aggregation settings form: it parses types, the service checks the rules."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from microwork.aggregation.services.settings import categorical_methods

# How each method is named on the page; a method registered later shows under its key.
METHOD_NAMES = {
    "ds": _("Dawid–Skene: learns each worker's confusions, control tasks count as truth"),
    "mv": _("Majority vote: the answer given most often"),
    "wmv": _("Majority vote weighted by each worker's control-task accuracy"),
    "wawa": _("Majority vote weighted by each worker's agreement with the majority"),
    "onecoin": _("One-coin Dawid–Skene: one accuracy per worker"),
    "glad": _("GLAD: worker ability and task difficulty"),
    "mace": _("MACE: tells careful workers from spammers"),
}


def method_choices() -> list[tuple[str, Any]]:
    return [(key, METHOD_NAMES.get(key, key)) for key in categorical_methods()]


class AggregationSettingsForm(forms.Form):
    method = forms.ChoiceField(label=_("Method"), choices=method_choices)
    dynamic_overlap = forms.BooleanField(
        label=_("Stop collecting answers for a task once its label is confident enough"),
        required=False,
    )
    min_overlap = forms.IntegerField(label=_("Minimum answers per task"), min_value=1)
    target_confidence = forms.DecimalField(
        label=_("Target confidence"), max_digits=4, decimal_places=3
    )
