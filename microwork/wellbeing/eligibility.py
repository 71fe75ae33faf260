"""The wellbeing side of "may this worker work on this project?", registered in the work
engine's ELIGIBILITY_CHECKS under `disturbing_content`: a project that declares disturbing
content is offered only to workers who chose to see every category it declares, and only
until they reach their daily limit of disturbing items. Asked at every claim too, after the
claim has locked the worker's row, so two claims at once cannot both pass the limit."""

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from microwork.accounts.models import User
from microwork.projects.disturbing import category_names
from microwork.wellbeing import selectors


def _refusal(project: Any, choices: selectors.Choices, seen: int | None) -> str | None:
    missing = selectors.missing_categories(project, choices.categories)
    if missing:
        return _(
            "This project shows content you have not chosen to see (%(names)s). Choose what "
            "you are willing to see: %(url)s"
        ) % {"names": ", ".join(category_names(missing)), "url": reverse("wellbeing:settings")}
    if seen is not None and seen >= choices.daily_cap:
        return ngettext(
            "You have seen %(seen)d disturbing item today, your daily limit of %(cap)d. More "
            "from midnight UTC; other work is still open to you. Your limit: %(url)s",
            "You have seen %(seen)d disturbing items today, your daily limit of %(cap)d. More "
            "from midnight UTC; other work is still open to you. Your limit: %(url)s",
            seen,
        ) % {"seen": seen, "cap": choices.daily_cap, "url": reverse("wellbeing:settings")}
    return None


def check(*, project: Any, worker: User, now: datetime) -> str | None:
    if not project.disturbing_content:
        return None
    choices = selectors.choices_for(worker=worker)
    if selectors.missing_categories(project, choices.categories):
        return _refusal(project, choices, None)
    return _refusal(project, choices, selectors.exposure_today(worker=worker, now=now))


def _many(*, projects: list[Any], worker: User, now: datetime) -> dict[int, str | None]:
    out: dict[int, str | None] = {p.pk: None for p in projects}
    disturbing = [p for p in projects if p.disturbing_content]
    if not disturbing:
        return out
    choices = selectors.choices_for(worker=worker)
    seen = selectors.exposure_today(worker=worker, now=now)
    for project in disturbing:
        out[project.pk] = _refusal(project, choices, seen)
    return out


check.many = _many  # type: ignore[attr-defined]
