"""May this worker work on this project? A plug-in point: other apps (qualifications,
sanctions) add an entry here and the claim service asks all of them, without `work`
importing those apps.

Each entry is key → dotted path of `check(project, worker, now) -> str | None`; a string is
the refusal shown to the worker in plain words, None means "no objection". Built-in checks
register exactly the same way.
"""

from datetime import datetime
from functools import cache
from typing import Any, Protocol

from django.utils.module_loading import import_string


class EligibilityCheck(Protocol):
    def __call__(self, project: Any, worker: Any, now: datetime) -> str | None: ...


ELIGIBILITY_CHECKS: dict[str, str] = {
    "hourly_cap": "microwork.work.fairness.hourly_cap_check",
    "quality": "microwork.quality.eligibility.check",
}


@cache
def _load(path: str) -> EligibilityCheck:
    return import_string(path)


def eligibility_refusal(*, project: Any, worker: Any, now: datetime) -> tuple[str, str] | None:
    """The first objection as (check key, reason), or None when every check agrees."""
    for key, path in ELIGIBILITY_CHECKS.items():
        reason = _load(path)(project, worker, now)
        if reason:
            return key, str(reason)
    return None
