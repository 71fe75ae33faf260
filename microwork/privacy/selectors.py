"""Reads of consents and deletions that pages, the API and the checks share."""

from collections.abc import Sequence
from typing import Any

from django.db.models import QuerySet

from microwork.accounts.models import User
from microwork.privacy.models import Consent, Deletion
from microwork.projects.models import Project
from microwork.projects.personal_data import declaration_version, declares


def consent_standing(*, project: Project, worker: User) -> Consent | None:
    """The worker's consent to the project's declaration as it stands now, if they gave one."""
    return Consent.objects.filter(
        project=project,
        worker=worker,
        version=declaration_version(project),
        withdrawn_at__isnull=True,
    ).first()


def consents_standing(*, project: Project, worker: User) -> QuerySet[Consent]:
    """Every consent of the worker to the project not withdrawn, whatever its version."""
    return Consent.objects.filter(project=project, worker=worker, withdrawn_at__isnull=True)


def projects_consented(*, projects: Sequence[Any], worker: User) -> set[int]:
    """Of `projects`, those whose current declaration the worker agreed to, in one query (work's
    CONSENT_RECORDS and the eligibility check)."""
    wanted = {p.pk: declaration_version(p) for p in projects if declares(p)}
    if not wanted:
        return set()
    rows = Consent.objects.filter(
        worker=worker, project_id__in=list(wanted), withdrawn_at__isnull=True
    ).values_list("project_id", "version")
    return {pk for pk, version in rows if wanted.get(pk) == version}


def consents_of_worker(*, worker: User) -> QuerySet[Consent]:
    return Consent.objects.filter(worker=worker).select_related("project").order_by("-given_at")


def deletions_of_worker(*, worker: User) -> QuerySet[Deletion]:
    return Deletion.objects.filter(worker=worker).select_related("project").order_by("-at")
