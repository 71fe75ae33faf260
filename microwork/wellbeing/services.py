"""A worker's choices about disturbing content: which categories they agree to see and their
own daily limit, never above the platform's."""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from microwork.accounts.models import User, WorkerProfile
from microwork.lib.errors import ApplicationError
from microwork.projects.disturbing import CATEGORIES
from microwork.wellbeing.models import WorkerWellbeing


def _categories(value: Iterable[Any]) -> list[str]:
    if isinstance(value, str):
        raise ApplicationError(_("categories must be a list."), field="categories")
    chosen = list(value)
    if len(chosen) > len(CATEGORIES):
        raise ApplicationError(_("categories lists too many entries."), field="categories")
    for item in chosen:
        if not isinstance(item, str) or item not in CATEGORIES:
            raise ApplicationError(
                _("categories: unknown category %(value)s. Choose from: %(keys)s.")
                % {"value": str(item)[:40], "keys": ", ".join(CATEGORIES)},
                code="unknown_category",
                field="categories",
            )
    return [key for key in CATEGORIES if key in chosen]


def _daily_cap(value: Any) -> int | None:
    platform = settings.WELLBEING_DAILY_CAP
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError
        number = int(value.strip()) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ApplicationError(_("daily_cap must be a whole number."), field="daily_cap") from None
    if not 1 <= number <= platform:
        raise ApplicationError(
            _(
                "daily_cap can be from 1 to %(n)d: you may set a lower limit than the "
                "platform's %(n)d items a day, not a higher one."
            )
            % {"n": platform},
            code="above_platform_cap",
            field="daily_cap",
        )
    return None if number == platform else number


@transaction.atomic
def wellbeing_update(
    *, worker: User, categories: Iterable[Any], daily_cap: int | str | None
) -> WorkerWellbeing:
    """Store the worker's choices. A daily limit equal to the platform's is stored as "the
    platform's", so a later lower platform limit applies to them too."""
    if not WorkerProfile.objects.filter(user=worker).exists():
        raise ApplicationError(_("Only workers have these settings."), code="not_a_worker")
    chosen = _categories(categories)
    cap = _daily_cap(daily_cap)
    row, created = WorkerWellbeing.objects.select_for_update().get_or_create(
        worker=worker, defaults={"categories": chosen, "daily_cap": cap}
    )
    if not created:
        row.categories = chosen
        row.daily_cap = cap
        row.save(update_fields=["categories", "daily_cap", "updated_at"])
    return row
