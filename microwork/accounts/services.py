import secrets
from datetime import timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from microwork.accounts.models import (
    ApiToken,
    LoginFailure,
    Membership,
    Organisation,
    User,
    WorkerProfile,
)
from microwork.lib.errors import ApplicationError, TooMany

TOKEN_PREFIX = "mw_"  # noqa: S105 - a visible prefix, not a secret


def _check_new_user(*, username: str, email: str, password: str) -> None:
    if not username:
        raise ApplicationError(_("Choose a username."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(_("That username is taken."), code="taken", field="username")
    if not email or "@" not in email:
        raise ApplicationError(_("Enter a valid email address."), field="email")
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError(_("That email address is already registered."), field="email")
    try:
        validate_password(password, User(username=username, email=email))
    except ValidationError as exc:
        raise ApplicationError(
            " ".join(exc.messages), code="weak_password", field="password"
        ) from None


def _check_profile(*, country: str, languages: list[str], tz: str) -> tuple[str, list[str]]:
    country = (country or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ApplicationError(_("Country must be a two-letter code such as NG."), field="country")
    langs = [lang.strip().lower() for lang in languages if lang.strip()]
    if not langs or any(len(lang) not in (2, 3) or not lang.isalpha() for lang in langs):
        raise ApplicationError(
            _("Languages must be two-letter codes such as en, fr, yo."), field="languages"
        )
    if tz not in available_timezones():
        raise ApplicationError(_("Unknown time zone %(tz)s.") % {"tz": tz}, field="timezone")
    return country, langs


@transaction.atomic
def worker_signup(
    *,
    username: str,
    email: str,
    password: str,
    country: str,
    languages: list[str],
    timezone_name: str = "UTC",
    language: str = "en",
) -> User:
    username = username.strip()
    email = email.strip().lower()
    _check_new_user(username=username, email=email, password=password)
    country, langs = _check_profile(country=country, languages=languages, tz=timezone_name)
    user = User.objects.create_user(
        username=username, email=email, password=password, language=language
    )
    WorkerProfile.objects.create(
        user=user, country=country, languages=langs, timezone=timezone_name
    )
    return user


@transaction.atomic
def requester_signup(
    *, username: str, email: str, password: str, organisation_name: str, language: str = "en"
) -> User:
    username = username.strip()
    email = email.strip().lower()
    organisation_name = organisation_name.strip()
    if not organisation_name:
        raise ApplicationError(_("Name your organisation."), field="organisation_name")
    _check_new_user(username=username, email=email, password=password)
    user = User.objects.create_user(
        username=username, email=email, password=password, language=language
    )
    organisation_create(name=organisation_name, owner=user)
    return user


@transaction.atomic
def organisation_create(*, name: str, owner: User) -> Organisation:
    base = slugify(name)[:120] or "org"
    slug = base
    n = 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    organisation = Organisation.objects.create(name=name, slug=slug)
    Membership.objects.create(user=owner, organisation=organisation, role=Membership.Role.OWNER)
    return organisation


@transaction.atomic
def worker_profile_update(
    *, user: User, country: str, languages: list[str], timezone_name: str, language: str
) -> WorkerProfile:
    country, langs = _check_profile(country=country, languages=languages, tz=timezone_name)
    if language not in dict(settings.LANGUAGES):
        raise ApplicationError(_("Unsupported language."), field="language")
    profile = WorkerProfile.objects.select_for_update().get(user=user)
    profile.country, profile.languages, profile.timezone = country, langs, timezone_name
    profile.save(update_fields=["country", "languages", "timezone"])
    user.language = language
    user.save(update_fields=["language"])
    return profile


@transaction.atomic
def api_token_create(
    *, user: User, name: str, organisation: Organisation | None = None
) -> tuple[ApiToken, str]:
    """Returns the token row and the key, which is never stored and cannot be shown again."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Name the token, e.g. 'labelling script'."), field="name")
    if (
        organisation is not None
        and not Membership.objects.filter(user=user, organisation=organisation).exists()
    ):
        raise ApplicationError(
            _("You are not a member of that organisation."), field="organisation"
        )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        organisation=organisation,
        name=name[:80],
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


@transaction.atomic
def user_password_change(*, user: User, old_password: str, new_password: str) -> User:
    """Replace a person's password after checking the one they have now. The caller keeps the
    current session (update_session_auth_hash); other sessions of the account end, since
    their stored hash no longer matches."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password or ""):
        raise ApplicationError(
            _("Your old password was entered incorrectly. Please enter it again."),
            code="wrong_password",
            field="old_password",
        )
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ApplicationError(
            " ".join(exc.messages), code="weak_password", field="new_password"
        ) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])
    return user


def login_throttle_check(*, username: str, ip: str | None) -> None:
    """Refuse a log-in attempt while this username or address has too many recent failures."""
    window_start = timezone.now() - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    recent = LoginFailure.objects.filter(at__gte=window_start)
    by_name = recent.filter(username__iexact=username).count()
    # An address gets more room than a name: many workers share one café or carrier NAT.
    by_ip = recent.filter(ip=ip).count() if ip else 0
    if by_name >= settings.LOGIN_FAILURE_LIMIT or by_ip >= settings.LOGIN_FAILURE_LIMIT * 4:
        minutes = settings.LOGIN_FAILURE_WINDOW_SECONDS // 60
        raise TooMany(
            _("Too many failed log-ins. Try again in %(minutes)d minutes.") % {"minutes": minutes},
            field="username",
        )


def login_failure_record(*, username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username[:150], ip=ip, at=timezone.now())


def login_failures_clear(*, username: str) -> None:
    LoginFailure.objects.filter(username__iexact=username).delete()
