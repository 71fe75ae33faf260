"""No consent, no task: the privacy side of work's ELIGIBILITY_CHECKS. A project that declares
personal data is refused until the worker agreed to its declaration as it stands; the refusal
ends with the consent page, which the work page shows as "Read and agree"."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from microwork.privacy.selectors import projects_consented
from microwork.projects.personal_data import declares, worker_words


def _refusal(project: Any) -> str:
    return _(
        "This project collects %(what)s. Read what it does with it and agree before your first "
        "task: %(url)s"
    ) % {
        "what": worker_words(project.personal_data),
        "url": reverse("privacy:consent", args=[project.pk]),
    }


def consent_check(*, project: Any, worker: Any, now: datetime) -> str | None:
    if not declares(project) or project.pk in projects_consented(projects=[project], worker=worker):
        return None
    return _refusal(project)


def _many(*, projects: Sequence[Any], worker: Any, now: datetime) -> dict[int, str | None]:
    agreed = projects_consented(projects=projects, worker=worker)
    return {p.pk: None if not declares(p) or p.pk in agreed else _refusal(p) for p in projects}


consent_check.many = _many  # type: ignore[attr-defined]
