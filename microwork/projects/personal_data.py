"""A project's personal data declaration: what it collects about the workers themselves
(their voice, face, identity documents, location, anything else about them), why, for how
long and who receives it. A worker reads it in plain words and agrees before their first task
(the privacy app keeps the consent); the text they agree to is built here, below the work
app, so the worker's project listing can carry it.

A consent is to one version of the declaration: the hash of its settings, the same in every
language. Changing any of them makes a new version, and every worker is asked again."""

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from microwork.lib.errors import ApplicationError


class Category(models.TextChoices):
    """The closed list of what a project may collect about a worker."""

    VOICE = "voice", gettext_lazy("Voice")
    FACE = "face", gettext_lazy("Face")
    IDENTITY_DOCUMENT = "identity_document", gettext_lazy("Identity documents")
    LOCATION = "location", gettext_lazy("Location")
    OTHER = "other", gettext_lazy("Other personal data")


# The same categories as a worker reads them, about themselves.
WORKER_WORDS = {
    Category.VOICE: gettext_lazy("your voice"),
    Category.FACE: gettext_lazy("your face"),
    Category.IDENTITY_DOCUMENT: gettext_lazy("your identity documents"),
    Category.LOCATION: gettext_lazy("where you are (location)"),
    Category.OTHER: gettext_lazy("other information about you"),
}


FIELDS = (
    "personal_data",
    "personal_data_purpose",
    "personal_data_retention_days",
    "personal_data_recipients",
)
MAX_PURPOSE = 2000
MAX_RECIPIENTS = 1000
# Ten years at most: data kept longer than that is not "for a period" any more.
MIN_RETENTION_DAYS = 1
MAX_RETENTION_DAYS = 3650


def _categories(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ApplicationError(
            _('personal_data must be a list of categories, such as ["voice"].'),
            field="personal_data",
        )
    chosen = set()
    for item in value:
        if item not in Category.values:
            raise ApplicationError(
                _("personal_data: %(value)s is not a category. Choose from: %(values)s.")
                % {"value": str(item)[:40], "values": ", ".join(Category.values)},
                field="personal_data",
            )
        chosen.add(item)
    # One canonical order, so the same choice is always the same version.
    return [c for c in Category.values if c in chosen]


def _text(value: Any, *, field: str, limit: int) -> str:
    text = "" if value is None else str(value).strip()
    if len(text) > limit:
        raise ApplicationError(
            _("%(field)s is longer than %(n)d characters.") % {"field": field, "n": limit},
            field=field,
        )
    return text


def _days(value: Any) -> int | None:
    field = "personal_data_retention_days"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        days = int(str(value).strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ApplicationError(
            _("%(field)s must be a whole number of days.") % {"field": field}, field=field
        ) from None
    if not MIN_RETENTION_DAYS <= days <= MAX_RETENTION_DAYS:
        raise ApplicationError(
            _("%(field)s must be from %(low)d to %(high)d days.")
            % {"field": field, "low": MIN_RETENTION_DAYS, "high": MAX_RETENTION_DAYS},
            field=field,
        )
    return days


def clean_declaration(values: Mapping[str, Any]) -> dict[str, Any]:
    """The four settings checked together: no categories and nothing else, or categories with
    a purpose, a retention period and the recipients. The first problem names its field."""
    categories = _categories(values.get("personal_data"))
    purpose = _text(
        values.get("personal_data_purpose"), field="personal_data_purpose", limit=MAX_PURPOSE
    )
    recipients = _text(
        values.get("personal_data_recipients"),
        field="personal_data_recipients",
        limit=MAX_RECIPIENTS,
    )
    days = _days(values.get("personal_data_retention_days"))
    if not categories:
        for field, given in (
            ("personal_data_purpose", purpose),
            ("personal_data_retention_days", days),
            ("personal_data_recipients", recipients),
        ):
            if given:
                raise ApplicationError(
                    _(
                        "%(field)s belongs to a personal data declaration: choose what the "
                        "project collects in personal_data first."
                    )
                    % {"field": field},
                    field=field,
                )
    else:
        missing = [
            (field, message)
            for field, given, message in (
                (
                    "personal_data_purpose",
                    purpose,
                    _("Say why the project collects this personal data (personal_data_purpose)."),
                ),
                (
                    "personal_data_retention_days",
                    days,
                    _(
                        "Say how many days the personal data is kept (personal_data_retention_days)."
                    ),
                ),
                (
                    "personal_data_recipients",
                    recipients,
                    _("Say who receives the personal data (personal_data_recipients)."),
                ),
            )
            if not given
        ]
        if missing:
            raise ApplicationError(missing[0][1], field=missing[0][0])
    return {
        "personal_data": categories,
        "personal_data_purpose": purpose,
        "personal_data_retention_days": days,
        "personal_data_recipients": recipients,
    }


def check_declared(*, collected: Sequence[str], declared: Sequence[str]) -> None:
    """A kind that collects personal data by nature (TaskInterface.personal_data) only runs
    with a declaration naming at least those categories."""
    undeclared = [c for c in collected if c not in declared]
    if undeclared:
        raise ApplicationError(
            _(
                "This kind of task collects %(what)s: declare it in personal_data, with the "
                "purpose, the retention period and who receives the data, before workers can "
                "take its tasks."
            )
            % {"what": category_names(undeclared)},
            code="personal_data_undeclared",
            field="personal_data",
        )


def category_names(categories: Sequence[str]) -> str:
    """For requesters: "Voice, Face"."""
    return ", ".join(str(Category(c).label) for c in categories)


def worker_words(categories: Sequence[str]) -> str:
    """For the worker: "your voice, your face"."""
    return ", ".join(str(WORKER_WORDS[Category(c)]) for c in categories)


def declares(project: Any) -> bool:
    return bool(project.personal_data)


def declaration_version(project: Any) -> str:
    """The hash of the declaration's settings: what a consent is given to."""
    body = json.dumps(
        [
            list(project.personal_data),
            project.personal_data_purpose,
            project.personal_data_retention_days,
            project.personal_data_recipients,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def retention_words(days: int) -> str:
    return ngettext(
        "%(n)d day after your last task in this project, then deleted",
        "%(n)d days after your last task in this project, then deleted",
        days,
    ) % {"n": days}


def declaration_text(project: Any) -> str:
    """What a worker reads and agrees to, in plain words, in the language active now."""
    lines = [
        _("The project “%(name)s” collects: %(what)s.")
        % {"name": project.name, "what": worker_words(project.personal_data)},
        _("Why: %(purpose)s") % {"purpose": project.personal_data_purpose},
        _("Who receives it: %(recipients)s") % {"recipients": project.personal_data_recipients},
        _("How long it is kept: %(period)s.")
        % {"period": retention_words(project.personal_data_retention_days)},
        _(
            "You can withdraw your consent at any time: your tasks of this project that are "
            "open are given back, your personal data of this project is deleted, the "
            "requester is told which items went, and you keep what you were paid."
        ),
    ]
    return "\n".join(lines)


def consent_offer(project: Any, *, agreed: bool) -> dict[str, Any] | None:
    """The `consent` object of the worker's project listing, or None when the project
    declares no personal data."""
    if not declares(project):
        return None
    return {
        "text": declaration_text(project),
        "version": declaration_version(project),
        "categories": [
            {"key": c, "name": str(WORKER_WORDS[Category(c)])} for c in project.personal_data
        ],
        "purpose": project.personal_data_purpose,
        "retention_days": project.personal_data_retention_days,
        "recipients": project.personal_data_recipients,
        "agreed": agreed,
    }
