from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.lib.errors import Forbidden, NotFound
from microwork.lib.registry import loaded
from microwork.projects import hooks
from microwork.projects.models import Batch, MediaFile, Project


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


def media_file_visible(*, user: User, media_file: MediaFile) -> bool:
    """Whether `user` may see an uploaded file: a member of the organisation that owns it, an
    operator, or someone another app vouches for (hooks.MEDIA_VIEWERS: the worker holding a
    task whose data uses it)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_operator:
        return True
    if user.memberships.filter(organisation_id=media_file.organisation_id).exists():
        return True
    return any(
        loaded(path)(user=user, media_file=media_file) for path in hooks.MEDIA_VIEWERS.values()
    )


def access_media_visible(*, user: User, name: str) -> bool:
    """Whether `user` may have the file stored under `name`. Files no requester uploaded (the
    demo's pictures) are not registered: for them the page that made the address has already
    checked the object using the file. Answers are kept on the user object for the request, so
    a results page of fifty pictures asks once per file."""
    seen: dict[str, bool] = user.__dict__.setdefault("_media_visible", {})
    if name not in seen:
        media_file = MediaFile.objects.filter(storage_name=name).first()
        seen[name] = media_file is None or media_file_visible(user=user, media_file=media_file)
    return seen[name]
