"""Who may touch which live object: one helper per thing and role. A hidden object is a 404
(NotFound), so ids cannot be probed."""

from django.utils.translation import gettext as _

from microwork.accounts.access import access_worker
from microwork.accounts.models import Organisation, User
from microwork.lib.errors import NotFound
from microwork.live.models import LiveOffer, LiveSetup, LiveTask
from microwork.projects.access import access_project_for_requester
from microwork.projects.models import Project
from microwork.work.access import access_project_for_worker


def access_live_project_for_requester(
    *, user: User, project_id: int, organisation: Organisation | None = None
) -> Project:
    return access_project_for_requester(user=user, project_id=project_id, organisation=organisation)


def access_live_task_for_requester(
    *, user: User, live_task_id: int, organisation: Organisation | None = None
) -> LiveTask:
    live_task = LiveTask.objects.select_related("project").filter(pk=live_task_id).first()
    if live_task is None:
        raise NotFound(_("No such live task."), field="live_task_id")
    try:
        access_project_for_requester(
            user=user, project_id=live_task.project_id, organisation=organisation
        )
    except NotFound:
        raise NotFound(_("No such live task."), field="live_task_id") from None
    return live_task


def access_live_project_for_worker(*, user: User, project_id: int) -> tuple[Project, LiveSetup]:
    project = access_project_for_worker(user=user, project_id=project_id)
    setup = LiveSetup.objects.filter(project=project).first()
    if setup is None:
        raise NotFound(_("No such live project."), field="project_id")
    return project, setup


def access_offer_for_worker(*, user: User, offer_id: int) -> LiveOffer:
    access_worker(user=user)
    offer = LiveOffer.objects.filter(pk=offer_id, worker_id=user.pk).first()
    if offer is None:
        raise NotFound(_("No such offer."), field="offer_id")
    return offer
