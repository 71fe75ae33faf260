from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User, WorkerProfile
from microwork.lib.errors import Forbidden


def access_organisation_for_requester(
    *, user: User, organisation_id: int | None = None
) -> Organisation:
    """The organisation this requester acts for: the one asked for if they belong to it,
    otherwise their first."""
    if not user.is_authenticated:
        raise Forbidden(_("Log in as a requester."))
    qs = Organisation.objects.filter(memberships__user=user).order_by("id")
    if organisation_id is not None:
        qs = qs.filter(pk=organisation_id)
    organisation = qs.first()
    if organisation is None:
        raise Forbidden(_("This page is for requesters; your account has no organisation."))
    return organisation


def access_worker(*, user: User) -> WorkerProfile:
    if not user.is_authenticated:
        raise Forbidden(_("Log in as a worker."))
    try:
        return user.worker_profile
    except WorkerProfile.DoesNotExist:
        raise Forbidden(
            _("This page is for workers; your account has no worker profile.")
        ) from None


def access_operator(*, user: User) -> User:
    """Operators are staff accounts: the tools' start page and every tool it links."""
    if not user.is_authenticated or not user.is_staff:
        raise Forbidden(_("This page is for operators."))
    return user
