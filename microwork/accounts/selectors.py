from django.db.models import Q, QuerySet
from django.utils import timezone

from microwork.accounts.models import ApiToken, Organisation, User
from microwork.accounts.usernames import username_fold, username_normalise


def organisations_for_user(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def organisation_members(*, organisation_id: int) -> QuerySet[User]:
    """Everyone who acts for the organisation: who is told about its projects."""
    return User.objects.filter(memberships__organisation_id=organisation_id).order_by("id")


def user_for_login(*, name: str) -> User | None:
    """The account a person means by what they typed in the log-in box: an e-mail address
    (any case), or a username after NFKC normalisation, in any case."""
    name = username_normalise(name)
    if not name:
        return None
    if "@" in name:
        by_email = User.objects.filter(email__iexact=name).first()
        if by_email is not None:
            return by_email
    exact = User.objects.filter(username=name).first()
    if exact is not None:
        return exact
    # iexact for rows written in bulk without save(), which have no folded name.
    folded = username_fold(name)
    candidates = User.objects.filter(Q(username_folded=folded) | Q(username__iexact=name))
    return next((u for u in candidates.order_by("pk") if username_fold(u.username) == folded), None)


def login_username(*, name: str) -> str:
    """The username to authenticate for what a person typed in the log-in box: their username,
    or the email address of an account (matched without case)."""
    user = user_for_login(name=name)
    return user.username if user is not None else name


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
