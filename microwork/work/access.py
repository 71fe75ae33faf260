"""May this worker touch this? One helper per thing; every view and endpoint goes through them."""

from django.utils.translation import gettext as _

from microwork.accounts.access import access_worker
from microwork.accounts.models import Organisation, User
from microwork.lib.errors import NotFound
from microwork.projects.models import Project
from microwork.work.models import Assignment, WorkerFile, WorkRequest

# Drafts and archived projects are not shown to workers at all; paused and completed ones are
# found, so that a worker who follows an old link is told why there is no work.
VISIBLE_TO_WORKERS = (Project.Status.LIVE, Project.Status.PAUSED, Project.Status.COMPLETED)


def access_project_for_worker(*, user: User, project_id: int) -> Project:
    access_worker(user=user)
    project = Project.objects.filter(pk=project_id, status__in=VISIBLE_TO_WORKERS).first()
    if project is None:
        raise NotFound(_("There is no such project open to workers."), code="project_not_found")
    return project


def access_assignment_for_worker(*, user: User, assignment_id: int) -> Assignment:
    """The worker's own assignment. Someone else's is 'not found', so ids reveal nothing."""
    access_worker(user=user)
    assignment = (
        Assignment.objects.select_related("project", "task")
        .filter(pk=assignment_id, worker=user)
        .first()
    )
    if assignment is None:
        raise NotFound(_("You have no such task."), code="assignment_not_found")
    return assignment


def access_work_request_for_worker(*, user: User, project: Project) -> WorkRequest | None:
    access_worker(user=user)
    return (
        WorkRequest.objects.select_related("project", "assignment")
        .filter(project=project, worker=user)
        .order_by("-requested_at")
        .first()
    )


def access_upload_for_worker(*, user: User, upload_key: str) -> WorkerFile:
    """The worker's own upload. Someone else's is 'not found'."""
    access_worker(user=user)
    upload = (
        WorkerFile.objects.select_related("assignment", "project")
        .filter(upload_key=upload_key, worker=user)
        .first()
    )
    if upload is None:
        raise NotFound(_("There is no such upload."), code="upload_not_found")
    return upload


def access_worker_file(
    *, user: User, ref: str, organisation: Organisation | None = None, own_only: bool = False
) -> WorkerFile:
    """A complete worker's file, for the worker who sent it or a member of the organisation
    that owns the project (a token made for one organisation reaches only its projects; a
    token made for none is a worker's, `own_only`, and reaches only their own files).
    Nobody else, other workers above all: for them the file does not exist."""
    file = (
        WorkerFile.objects.select_related("project")
        .filter(ref=ref, status=WorkerFile.Status.COMPLETE)
        .first()
    )
    if file is None or not user.is_authenticated:
        raise NotFound(_("No such file."), code="file_not_found")
    if file.worker_id == user.pk and organisation is None:
        return file
    if own_only:
        raise NotFound(_("No such file."), code="file_not_found")
    members = file.project.organisation.memberships.filter(user=user)
    if organisation is not None and organisation.pk != file.project.organisation_id:
        members = members.none()
    if not members.exists():
        raise NotFound(_("No such file."), code="file_not_found")
    return file
