import secrets
from datetime import datetime, timedelta
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from microwork.accounts import selectors
from microwork.accounts.models import (
    ApiToken,
    LoginFailure,
    Membership,
    Organisation,
    PasswordResetRequest,
    TermsAcceptance,
    TermsVersion,
    User,
    WorkerProfile,
    username_skeleton_digest,
)
from microwork.accounts.tasks import password_reset_email_send
from microwork.accounts.terms import terms_accept
from microwork.accounts.usernames import username_fold, username_validate
from microwork.lib.errors import ApplicationError, TooMany
from microwork.lib.net import address_bucket

TOKEN_PREFIX = "mw_"  # noqa: S105 - a visible prefix, not a secret


def username_check_available(*, username: str, exclude_user_id: int | None = None) -> str:
    """The stored form of a new username if no other account has it or one that looks like it
    (accounts/usernames.py); every path that names an account uses it (sign-up, the admin)."""
    name = username_validate(username)
    others = User.objects.exclude(pk=exclude_user_id) if exclude_user_id else User.objects.all()
    folded = username_fold(name)
    clashes = others.filter(
        Q(username_folded=folded)
        | Q(username__iexact=name)
        | Q(username_skeleton=username_skeleton_digest(name))
    )
    for other in clashes:
        if username_fold(other.username) == folded:
            raise ApplicationError(_("That username is taken."), code="taken", field="username")
    if clashes.exists():
        raise ApplicationError(
            _("That username looks too much like an existing one. Choose another."),
            code="lookalike",
            field="username",
        )
    return name


def _check_new_user(*, username: str, email: str, password: str) -> str:
    username = username_check_available(username=username)
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
    return username


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
    terms: TermsVersion | None = None,
) -> User:
    email = email.strip().lower()
    username = _check_new_user(username=username, email=email, password=password)
    country, langs = _check_profile(country=country, languages=languages, tz=timezone_name)
    user = User.objects.create_user(
        username=username, email=email, password=password, language=language
    )
    WorkerProfile.objects.create(
        user=user, country=country, languages=langs, timezone=timezone_name
    )
    _accept_at_signup(user, terms)
    return user


def _accept_at_signup(user: User, terms: TermsVersion | None) -> None:
    # In the sign-up's transaction: no account exists without the terms it was made under.
    if terms is not None:
        terms_accept(user=user, version=terms, via=TermsAcceptance.Via.SIGNUP)


@transaction.atomic
def requester_signup(
    *,
    username: str,
    email: str,
    password: str,
    organisation_name: str,
    language: str = "en",
    terms: TermsVersion | None = None,
) -> User:
    email = email.strip().lower()
    organisation_name = organisation_name.strip()
    if not organisation_name:
        raise ApplicationError(_("Name your organisation."), field="organisation_name")
    username = _check_new_user(username=username, email=email, password=password)
    user = User.objects.create_user(
        username=username, email=email, password=password, language=language
    )
    organisation_create(name=organisation_name, owner=user)
    _accept_at_signup(user, terms)
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


def _api_tokens_revoke_all(*, user: User, now: datetime) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)


@transaction.atomic
def user_password_change(
    *, user: User, old_password: str, new_password: str, revoke_api_tokens: bool = False
) -> User:
    """Replace a person's password after checking the one they have now. The caller keeps the
    current session (update_session_auth_hash); other sessions of the account end, since
    their stored hash no longer matches. API tokens go on working unless the person asks for
    them to be revoked too (a script on a server they trust should not stop by surprise)."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if not user.check_password(old_password or ""):
        raise ApplicationError(
            _("Your old password was entered incorrectly. Please enter it again."),
            code="wrong_password",
            field="old_password",
        )
    _password_set(user=user, new_password=new_password, field="new_password")
    if revoke_api_tokens:
        _api_tokens_revoke_all(user=user, now=timezone.now())
    return user


@transaction.atomic
def user_password_reset(*, user: User, new_password: str, revoke_api_tokens: bool) -> User:
    """A new password set through an e-mailed link. Every session of the account ends (their
    stored hash no longer matches), and the account's failed log-ins are forgotten: whoever
    reads the mailbox is the owner, and this is how an owner whose account someone keeps
    locking gets back in."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _password_set(user=user, new_password=new_password, field="new_password1")
    if revoke_api_tokens:
        _api_tokens_revoke_all(user=user, now=timezone.now())
    LoginFailure.objects.filter(account=_account_key(user=user, name="")).delete()
    return user


def _password_set(*, user: User, new_password: str, field: str) -> None:
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password", field=field) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])


# --- Log-in throttling (docs/security.md) ------------------------------------------------------


def _account_key(*, user: User | None, name: str) -> str:
    # One counter per account whichever of its names is typed; a name no account has gets its
    # own, so an unknown name is throttled exactly like a known one and its answers tell
    # nothing about which names exist.
    if user is not None:
        return f"user:{user.pk}"
    return f"name:{username_fold(name)}"[:300]


def _window_start(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)


def _wait_minutes() -> int:
    return max(1, settings.LOGIN_FAILURE_WINDOW_SECONDS // 60)


def login_device_token(*, user: User) -> str:
    """What the browser keeps (signed, in a cookie) after logging in to this account: the
    mark of a device its owner has used, which someone else's failures cannot lock out."""
    return f"{user.pk}:{secrets.token_urlsafe(16)}"


def user_log_in(
    *,
    request: HttpRequest | None,
    name: str,
    password: str,
    ip: str | None,
    device: str | None = None,
) -> User:
    """The account whose name (username or e-mail address) and password these are.

    Refused with TooMany while the account has LOGIN_FAILURE_LIMIT failures in the window,
    before the password is looked at. Failures from one client address count too, but only
    against that address's failed attempts: past LOGIN_ADDRESS_FAILURE_LIMIT a wrong or
    unknown log-in from it is answered "too many", while the right password for an account
    that is not locked still logs in, so nobody sharing a network can lock the others out.

    `device` is the verified token of a browser that logged in to this account before
    (login_device_token). Its attempts are counted under the token instead of the account,
    with the same limit: whoever locks an account by failing on it from elsewhere does not
    lock its owner out of their own phone.

    Not atomic on purpose: the attempt is written (and committed) as a failure before the
    password is checked, so parallel guesses count each other and a burst cannot slip more
    than the limit past the count; a success deletes it again."""
    user = selectors.user_for_login(name=name)
    account = _account_key(user=user, name=name)
    if user is not None and device and device.partition(":")[0] == str(user.pk):
        account = f"device:{device}"[:300]
    bucket = address_bucket(ip)
    now = timezone.now()
    attempt = LoginFailure.objects.create(account=account, ip=bucket, at=now)
    recent = LoginFailure.objects.filter(at__gte=_window_start(now))
    if recent.filter(account=account).count() > settings.LOGIN_FAILURE_LIMIT:
        attempt.delete()
        raise TooMany(
            _("Too many failed log-ins. Try again in %(minutes)d minutes.")
            % {"minutes": _wait_minutes()},
            field="username",
        )
    found = authenticate(
        request, username=user.username if user is not None else name, password=password
    )
    if found is None or user is None or found.pk != user.pk:
        # Rows older than any window are dead weight; one indexed delete per failure keeps
        # the table the size of one window.
        LoginFailure.objects.filter(at__lt=_window_start(now)).delete()
        if (
            bucket is not None
            and recent.filter(ip=bucket).count() > settings.LOGIN_ADDRESS_FAILURE_LIMIT
        ):
            raise TooMany(
                _(
                    "Too many failed log-ins from your network. Check your username and "
                    "password, or try again in %(minutes)d minutes."
                )
                % {"minutes": _wait_minutes()},
                field="username",
            )
        raise ApplicationError(
            _("Username or password is wrong."), code="wrong_credentials", field="username"
        )
    # Only the counter this attempt was held to: the owner logging in from their own phone
    # must not hand whoever is guessing elsewhere a fresh set of guesses.
    LoginFailure.objects.filter(account=account).delete()
    assert isinstance(found, User)
    return found


def password_reset_request(*, email: str, ip: str | None) -> None:
    """Send a reset link to the account with this e-mail address, if there is one.

    The answer is the same whether or not an account has the address: the e-mail is sent
    by the background worker, so not even the time the request takes differs. At most
    PASSWORD_RESET_LIMIT e-mails go to one address per window (more requests are accepted and
    quietly not sent); a client address gets PASSWORD_RESET_ADDRESS_LIMIT requests per window
    and then TooMany."""
    bucket = address_bucket(ip)
    now = timezone.now()
    recent = PasswordResetRequest.objects.filter(at__gte=_window_start(now))
    if (
        bucket is not None
        and recent.filter(ip=bucket).count() >= settings.PASSWORD_RESET_ADDRESS_LIMIT
    ):
        raise TooMany(
            _(
                "Too many password-reset requests from your network. Try again in %(minutes)d minutes."
            )
            % {"minutes": _wait_minutes()},
            field="email",
        )
    address = email.strip().casefold()[:254]
    PasswordResetRequest.objects.filter(at__lt=_window_start(now)).delete()
    PasswordResetRequest.objects.create(email=address, ip=bucket, at=now)
    if recent.filter(email=address).count() > settings.PASSWORD_RESET_LIMIT:
        return
    transaction.on_commit(lambda: password_reset_email_send.enqueue(email=email.strip()))
