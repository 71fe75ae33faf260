from django.utils.translation import gettext as _

from microwork.accounts.access import access_worker
from microwork.accounts.models import Organisation, User
from microwork.lib.errors import NotFound
from microwork.projects.models import Project
from microwork.voice.models import Feedback
from microwork.work.models import Submission


def access_project_for_rating(*, user: User, project_id: int) -> Project:
    """A worker rates only a project they answered in; any other is as if it did not exist."""
    access_worker(user=user)
    project = Project.objects.filter(pk=project_id).select_related("organisation").first()
    if project is None or not Submission.objects.filter(project=project, worker=user).exists():
        raise NotFound(_("You have not worked on that project."))
    return project


def access_organisation_for_worker(*, user: User, organisation_id: int) -> Organisation:
    """Any worker may read the record of a requester that has offered work (a project that went
    live); one that never did has no record to read."""
    access_worker(user=user)
    organisation = (
        Organisation.objects.filter(pk=organisation_id)
        .filter(projects__status__in=_OFFERED)
        .distinct()
        .first()
    )
    if organisation is None:
        raise NotFound(_("No such requester."))
    return organisation


_OFFERED = [
    Project.Status.LIVE,
    Project.Status.PAUSED,
    Project.Status.COMPLETED,
    Project.Status.ARCHIVED,
]


def access_feedback_for_worker(*, user: User, feedback_id: int) -> Feedback:
    access_worker(user=user)
    feedback = Feedback.objects.filter(pk=feedback_id, worker=user).first()
    if feedback is None:
        raise NotFound(_("No such message."))
    return feedback
