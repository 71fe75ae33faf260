"""Disturbing content a project's tasks show, declared by the requester (Project.
disturbing_content): None until declared, [] for "no disturbing content", else a list of the
categories below. A project whose tasks show pictures or video must declare before it goes
live; workers see only the categories they chose to see (the wellbeing app's settings), such
items are blurred until tapped, and a worker's daily exposure is capped.

The list is closed and drawn from what content moderation asks people to look at. Sexual
abuse of children is not a category: such material is never allowed on the platform, and a
project that shows it is stopped and reported, not declared (docs/wellbeing.md)."""

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.lib.errors import ApplicationError

# key → (name, what it covers), in the order pages list them.
CATEGORIES: dict[str, tuple[Any, Any]] = {
    "violence": (
        gettext_lazy("Violence and gore"),
        gettext_lazy("Injuries, blood, dead bodies, fights, accidents, weapons used on people."),
    ),
    "sexual": (
        gettext_lazy("Sexual content and nudity"),
        gettext_lazy("Naked adults, sexual acts, pornography."),
    ),
    "self_harm": (
        gettext_lazy("Self-harm and suicide"),
        gettext_lazy("Cutting, suicide, eating disorders, and messages that encourage them."),
    ),
    "hate": (
        gettext_lazy("Hate and extremism"),
        gettext_lazy("Slurs, hate symbols, terrorist propaganda, attacks on a group of people."),
    ),
    "animal_cruelty": (
        gettext_lazy("Cruelty to animals"),
        gettext_lazy("Animals hurt, tortured or killed."),
    ),
    "medical": (
        gettext_lazy("Graphic medical content"),
        gettext_lazy("Surgery, open wounds, disease, bodily fluids."),
    ),
}
NONE = "none"
MAX_CATEGORIES = len(CATEGORIES)
# Task data fields that put a picture or a video in front of a worker, whatever the kind:
# a project whose tasks carry any of them must declare before going live.
MEDIA_FIELDS = ("image_url", "a_image_url", "b_image_url", "video_url")


def category_choices() -> list[tuple[str, Any]]:
    return [(key, name) for key, (name, _what) in CATEGORIES.items()]


def category_names(keys: Iterable[str]) -> list[str]:
    """The categories' names, in the list's order; unknown keys are left out."""
    chosen = set(keys)
    return [str(name) for key, (name, _what) in CATEGORIES.items() if key in chosen]


def declaration_text(value: Sequence[str] | None) -> str:
    """A project's declaration in words, for its card and the worker's offer."""
    if value is None:
        return _("Not declared yet whether the tasks show disturbing content.")
    if not value:
        return _("No disturbing content.")
    return _("Shows disturbing content: %(names)s.") % {"names": ", ".join(category_names(value))}


def clean_declaration(value: Any, *, field: str = "disturbing_content") -> list[str] | None:
    """None (not declared), [] (no disturbing content) or the categories, each once, in the
    list's order; anything else raises naming the field."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ApplicationError(
            _(
                "%(field)s must be a list of categories (%(keys)s), or an empty list for no "
                "disturbing content."
            )
            % {"field": field, "keys": ", ".join(CATEGORIES)},
            field=field,
        )
    if len(value) > MAX_CATEGORIES + 1:
        raise ApplicationError(
            _("%(field)s lists too many categories.") % {"field": field}, field=field
        )
    keys = []
    for item in value:
        if not isinstance(item, str) or item not in (*CATEGORIES, NONE):
            raise ApplicationError(
                _("%(field)s: unknown category %(value)s. Choose from: %(keys)s.")
                % {"field": field, "value": str(item)[:40], "keys": ", ".join(CATEGORIES)},
                code="unknown_category",
                field=field,
            )
        keys.append(item)
    if NONE in keys:
        if len(set(keys)) > 1:
            raise ApplicationError(
                _("%(field)s: choose either “no disturbing content” or categories, not both.")
                % {"field": field},
                field=field,
            )
        return []
    return [key for key in CATEGORIES if key in keys]


def media_tasks_filter() -> Q:
    """Tasks whose data shows a picture or a video (a JSON key test, the same on SQLite and
    PostgreSQL)."""
    query = Q()
    for name in MEDIA_FIELDS:
        query |= Q(data__has_key=name)
    return query
