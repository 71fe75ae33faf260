"""May this worker work on this project? A plug-in point: other apps (qualifications,
sanctions) add an entry here and the claim service asks all of them, without `work`
importing those apps.

Each entry is key → dotted path of `check(*, project, worker, now) -> str | None`, asked
before a claim and when the work page lists projects; a string is the refusal shown to the
worker in plain words, None means "no objection". Checks are asked in the order listed and
the first refusal is the one shown. Built-in checks register exactly the same way. A check
may also offer `check.many(*, projects, worker, now)`, returning {project id: refusal or
None}, so a page listing many projects asks it once.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from microwork.lib.registry import loaded


class EligibilityCheck(Protocol):
    def __call__(self, *, project: Any, worker: Any, now: datetime) -> str | None: ...


def _many(check: EligibilityCheck, projects: Sequence[Any], worker: Any, now: datetime):
    bulk = getattr(check, "many", None)
    if bulk is not None:
        return bulk(projects=projects, worker=worker, now=now)
    return {project.pk: check(project=project, worker=worker, now=now) for project in projects}


# Control tasks a worker must never be given, whatever the draw: key → dotted path of
# `exclude(*, project, worker_id) -> QuerySet of task ids`, asked when the scheduler draws a
# control task for a worker; every entry is asked and their task ids are all excluded, so
# the order does not matter. Quality names the control tasks a worker met in a test or
# training, whose expected answers they were shown there.
CONTROL_EXCLUSIONS: dict[str, str] = {
    "quality": "microwork.quality.eligibility.controls_seen_in_tests",
}

ELIGIBILITY_CHECKS: dict[str, str] = {
    # The order decides only which refusal a worker reads when several apply. The cap first:
    # it costs at most one query for a whole page, and each later check is asked only about
    # the projects no earlier one refused.
    "hourly_cap": "microwork.work.selectors.hourly_cap_check",
    # No consent to the project's personal data declaration, no task. Before quality: a
    # project's test collects the same personal data as its tasks.
    "consent": "microwork.privacy.eligibility.consent_check",
    "quality": "microwork.quality.eligibility.check",
    # Disturbing content: only the categories the worker chose to see, up to their daily
    # limit of such items (docs/wellbeing.md).
    "disturbing_content": "microwork.wellbeing.eligibility.check",
    # A HIT past its expiry (docs/mturk.md).
    "mturk": "microwork.mturk.eligibility.check",
    # A live project's tasks are offered one at a time to available workers (docs/live.md),
    # never taken from the work page; last, so the other refusals are read first.
    "live": "microwork.live.eligibility.check",
}

# Whether a worker agreed to a project's personal data declaration as it stands (the
# `consent` object of the worker's project listing): key → dotted path of
# `consented(*, projects, worker) -> set of project ids`; a project is agreed to when an entry
# names it. The privacy app keeps the consents.
CONSENT_RECORDS: dict[str, str] = {
    "privacy": "microwork.privacy.selectors.projects_consented",
}


def _load(path: str) -> EligibilityCheck:
    check: EligibilityCheck = loaded(path)
    return check


def eligibility_refusal(
    *, project: Any, worker: Any, now: datetime, skip: Sequence[str] = ()
) -> tuple[str, str] | None:
    """The first objection as (check key, reason), or None when every check agrees. `skip`
    names checks the caller answers itself (live tasks choose their worker their own way)."""
    for key, path in ELIGIBILITY_CHECKS.items():
        if key in skip:
            continue
        reason = _load(path)(project=project, worker=worker, now=now)
        if reason:
            return key, str(reason)
    return None


def eligibility_refusals(
    *, projects: Sequence[Any], worker: Any, now: datetime
) -> dict[int, tuple[str, str]]:
    """For a list of projects: project id → (check key, reason) of the first objection, for
    the projects some check objects to. Checks are asked in the registry's order, each only
    about the projects no earlier check refused."""
    refused: dict[int, tuple[str, str]] = {}
    for key, path in ELIGIBILITY_CHECKS.items():
        remaining = [p for p in projects if p.pk not in refused]
        if not remaining:
            break
        for pk, reason in _many(_load(path), remaining, worker, now).items():
            if reason:
                refused[pk] = (key, str(reason))
    return refused


def projects_consented(*, projects: Sequence[Any], worker: Any) -> set[int]:
    """The ids of `projects` whose current declaration the worker agreed to."""
    agreed: set[int] = set()
    for path in CONSENT_RECORDS.values():
        agreed |= set(loaded(path)(projects=projects, worker=worker))
    return agreed


def control_exclusions(*, project: Any, worker_id: int) -> list[Any]:
    """Every registered exclusion's task ids, for `.exclude(pk__in=…)` on control tasks."""
    return [
        loaded(path)(project=project, worker_id=worker_id) for path in CONTROL_EXCLUSIONS.values()
    ]
