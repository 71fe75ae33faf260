import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from microwork.accounts.usernames import username_fold, username_skeleton, username_validate
from microwork.lib.errors import ApplicationError


def validate_username(value: str) -> None:
    """The model's own check (the admin runs it), the same rules as sign-up."""
    try:
        username_validate(value)
    except ApplicationError as exc:
        raise ValidationError(exc.message, code=exc.code) from None


def username_skeleton_digest(username: str) -> str:
    # A digest rather than the skeleton itself: a skeleton can be many times longer than the
    # name (one character may stand for a sequence), too long for an index entry.
    return hashlib.sha256(username_skeleton(username).encode()).hexdigest()


class User(AbstractUser):
    """Anyone who logs in. A worker has a WorkerProfile; a requester belongs to an
    Organisation; an operator is staff and works in the admin."""

    username = models.CharField(
        _("username"),
        max_length=150,
        unique=True,
        help_text=_("150 characters or fewer: letters, digits and . @ + - _ only."),
        validators=[validate_username],
        error_messages={"unique": _("That username is taken.")},
    )
    # The username case-folded: how log-in finds an account whatever the case typed (SQLite's
    # own case-insensitive match covers ASCII only).
    username_folded = models.CharField(max_length=300, default="", editable=False, db_index=True)
    # Digest of the username's confusable skeleton (accounts/usernames.py): names that a reader
    # could mistake for each other have the same one. Empty for rows inserted in bulk without
    # save(), which the constraints below leave alone.
    username_skeleton = models.CharField(max_length=64, default="", editable=False, db_index=True)
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, default="en", choices=settings.LANGUAGES
    )

    class Meta(AbstractUser.Meta):
        constraints = [
            # "Walt" and "walt" are one account name; the database refuses the second whichever
            # path creates it. (SQLite's lower() folds ASCII only: the skeleton below, folded
            # in Python, covers the other letters.)
            models.UniqueConstraint(Lower("username"), name="user_username_ignoring_case"),
            models.UniqueConstraint(
                fields=["username_folded"],
                condition=~models.Q(username_folded=""),
                name="user_username_folded_unique",
            ),
            models.UniqueConstraint(
                fields=["username_skeleton"],
                condition=~models.Q(username_skeleton=""),
                name="user_username_no_lookalike",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A derived column, like an index: it must follow the username on every path that
        # writes one (services, the admin, createsuperuser), so it is kept here.
        self.username_folded = username_fold(self.username)
        self.username_skeleton = username_skeleton_digest(self.username)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "username" in update_fields:
            kwargs["update_fields"] = {*update_fields, "username_folded", "username_skeleton"}
        super().save(*args, **kwargs)

    @property
    def is_worker(self) -> bool:
        return hasattr(self, "worker_profile")

    @property
    def is_requester(self) -> bool:
        return self.memberships.exists()

    @property
    def is_operator(self) -> bool:
        return self.is_staff


class WorkerProfile(models.Model):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="worker_profile")
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. NG"))
    # ISO 639-1 codes, e.g. ["en", "yo"]
    languages = models.JSONField(_("languages"), default=list)
    timezone = models.CharField(_("time zone"), max_length=64, default="UTC")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"worker {self.user.username}"


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(unique=True, max_length=140)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        MEMBER = "member", _("Member")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organisation_id} ({self.role})"


class ApiToken(models.Model):
    """A bearer token. Only its SHA-256 is kept; the key is shown once when made.
    With an organisation it acts as that requester organisation; without, as the worker."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class LoginFailure(models.Model):
    """One failed log-in; kept in the database so throttling holds across server processes.

    `account` is "user:<id>" for an existing account, whichever of its names was typed, and
    "name:<folded text>" for a name no account has, so both are throttled alike. `ip` is the
    client's address (an IPv6 client's /64 network), read behind the trusted proxies."""

    account = models.CharField(max_length=300)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["account", "at"], name="loginfailure_account_at"),
            models.Index(fields=["ip", "at"], name="loginfailure_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.account} at {self.at:%Y-%m-%d %H:%M}"


class PasswordResetRequest(models.Model):
    """One request for a password-reset e-mail, counted per address typed and per client
    address so the form can neither flood someone's mailbox nor be run as a bulk mailer."""

    email = models.CharField(max_length=254)
    ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["email", "at"], name="passwordreset_email_at"),
            models.Index(fields=["ip", "at"], name="passwordreset_ip_at"),
        ]

    def __str__(self) -> str:
        return f"{self.email} at {self.at:%Y-%m-%d %H:%M}"


class TermsVersion(models.Model):
    """One version of the terms of use and privacy notice, in English and French, with a
    summary that fits one screen and, from the second version on, what changed. A version
    that has taken effect is never edited: a change is a new version, which everyone accepts
    again (accounts/terms.py)."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    effective_at = models.DateTimeField(_("takes effect at"))
    summary_en = models.TextField(_("summary (English)"), max_length=4000)
    summary_fr = models.TextField(_("summary (French)"), max_length=4000)
    text_en = models.TextField(_("full text (English)"), max_length=100_000)
    text_fr = models.TextField(_("full text (French)"), max_length=100_000)
    changes_en = models.TextField(_("what changed (English)"), blank=True, max_length=4000)
    changes_fr = models.TextField(_("what changed (French)"), blank=True, max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_at", "-number"]

    def __str__(self) -> str:
        return f"terms v{self.number} ({self.effective_at:%Y-%m-%d})"

    def in_language(self, language: str) -> dict[str, str]:
        """The version's words in `language` (French for "fr…", English otherwise)."""
        suffix = "fr" if language.startswith("fr") else "en"
        return {
            "summary": getattr(self, f"summary_{suffix}"),
            "text": getattr(self, f"text_{suffix}"),
            "changes": getattr(self, f"changes_{suffix}"),
        }


class TermsAcceptance(models.Model):
    """A person's acceptance of one version: when, and how (at sign-up or on the page that
    asks again when a new version takes effect)."""

    class Via(models.TextChoices):
        SIGNUP = "signup", _("At sign-up")
        PAGE = "page", _("On the terms page")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="terms_acceptances")
    version = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField()
    via = models.CharField(max_length=8, choices=Via.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="one_acceptance_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} accepted v{self.version_id}"
