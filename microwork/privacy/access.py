"""May this person touch this? One helper per thing."""

from django.utils.translation import gettext as _

from microwork.accounts.access import access_worker
from microwork.accounts.models import User
from microwork.lib.errors import NotFound
from microwork.privacy.models import Consent
from microwork.projects.models import Project
from microwork.work.access import access_project_for_worker


def access_project_for_consent(*, user: User, project_id: int) -> Project:
    """A project a worker may read the declaration of and agree to: one open to workers."""
    return access_project_for_worker(user=user, project_id=project_id)


def access_project_for_withdrawal(*, user: User, project_id: int) -> Project:
    """A project the worker agreed to at some time, whatever its state now: a consent can be
    withdrawn after the project closed, and its data is erased all the same."""
    access_worker(user=user)
    consent = (
        Consent.objects.select_related("project")
        .filter(worker=user, project_id=project_id)
        .order_by("-given_at")
        .first()
    )
    if consent is None:
        raise NotFound(
            _("You have not agreed to anything for this project: there is nothing to withdraw."),
            code="no_consent",
        )
    return consent.project
