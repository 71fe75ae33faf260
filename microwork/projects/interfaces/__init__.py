"""Task interfaces are plug-ins. This registry is the one place a new task type is added:
each entry names a class that declares its config schema, input schema, answer schema and
template. Built-ins register exactly like a third-party type would."""

from functools import cache
from typing import Any

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces.base import TaskInterface

REGISTRY: dict[str, str] = {
    "single_choice": "microwork.projects.interfaces.choice.SingleChoice",
    "multiple_choice": "microwork.projects.interfaces.choice.MultipleChoice",
    "graded_relevance": "microwork.projects.interfaces.relevance.GradedRelevance",
}


@cache
def get_interface(key: str) -> TaskInterface:
    path = REGISTRY.get(key)
    if path is None:
        raise ApplicationError(
            _("Unknown task interface %(key)s. Choose one of: %(keys)s.")
            % {"key": key, "keys": ", ".join(sorted(REGISTRY))},
            code="unknown_interface",
            field="interface",
        )
    return import_string(path)()


def interface_choices() -> list[tuple[str, Any]]:
    return [(key, get_interface(key).title) for key in REGISTRY]


__all__ = ["REGISTRY", "TaskInterface", "get_interface", "interface_choices"]
