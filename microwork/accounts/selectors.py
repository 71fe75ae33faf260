from django.db.models import QuerySet
from django.utils import timezone

from microwork.accounts.models import ApiToken, Organisation, User


def organisations_for_user(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def organisation_members(*, organisation_id: int) -> QuerySet[User]:
    """Everyone who acts for the organisation: who is told about its projects."""
    return User.objects.filter(memberships__organisation_id=organisation_id).order_by("id")


def login_username(*, name: str) -> str:
    """The username to authenticate for what a person typed in the log-in box: their username,
    or the email address of an account (matched without case)."""
    if "@" in name:
        match = User.objects.filter(email__iexact=name).values_list("username", flat=True).first()
        if match is not None:
            return match
    return name


def api_token_by_key(*, key: str) -> ApiToken | None:
    token = (
        # The worker profile too: every worker endpoint checks it (access_worker).
        ApiToken.objects.select_related("user__worker_profile", "organisation")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Written at most once a minute so a busy script does not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
