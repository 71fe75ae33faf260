from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import Forbidden, NotFound
from microwork.projects.models import Batch, Project


def access_project_for_requester(
    *, user: User, project_id: int, organisation: Organisation | None = None
) -> Project:
    """The project if this requester's organisation owns it.

    Another organisation's project answers 404, not 403, so ids cannot be probed. An API token
    made for one organisation (`organisation`) reaches only that organisation's projects even
    when its user belongs to several."""
    if not user.is_authenticated:
        raise Forbidden(_("Log in as a requester."))
    if not user.memberships.exists():
        raise Forbidden(_("This page is for requesters; your account has no organisation."))
    qs = Project.objects.select_related("organisation").filter(
        pk=project_id, organisation__memberships__user=user
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    project = qs.first()
    if project is None:
        raise NotFound(_("No such project."), field="project_id")
    return project


def access_batch_for_requester(
    *, user: User, batch_id: int, organisation: Organisation | None = None
) -> Batch:
    batch = Batch.objects.select_related("project").filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(_("No such batch."), field="batch_id")
    try:
        access_project_for_requester(
            user=user, project_id=batch.project_id, organisation=organisation
        )
    except NotFound:
        raise NotFound(_("No such batch."), field="batch_id") from None
    return batch
