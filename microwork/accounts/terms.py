"""The terms of use and privacy notice: which version is in force, whether a person has
accepted it, and the acceptance itself (at sign-up, or on the page that asks again when a new
version takes effect). See docs/terms.md."""

import difflib
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import TermsAcceptance, TermsVersion, User
from microwork.lib.errors import ApplicationError


def terms_current(*, now: datetime | None = None) -> TermsVersion | None:
    """The version in force: the latest to have taken effect; None before the first."""
    now = now or timezone.now()
    return (
        TermsVersion.objects.filter(effective_at__lte=now)
        .order_by("-effective_at", "-number")
        .first()
    )


def terms_to_accept(*, user: User, now: datetime | None = None) -> TermsVersion | None:
    """The version in force when `user` has not accepted it yet, else None."""
    current = terms_current(now=now)
    if current is None or TermsAcceptance.objects.filter(user=user, version=current).exists():
        return None
    return current


def terms_last_accepted(*, user: User) -> TermsVersion | None:
    acceptance = (
        TermsAcceptance.objects.filter(user=user)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )
    return acceptance.version if acceptance else None


@dataclass(frozen=True)
class TermsChange:
    """One version's own note of what changed, and the lines of its full text that differ
    from the version the person accepted last."""

    version: TermsVersion
    note: str


def terms_changes_since(
    *, accepted: TermsVersion | None, current: TermsVersion, language: str
) -> tuple[list[TermsChange], list[tuple[str, str]]]:
    """The notes of every version after `accepted` up to `current`, and the full text's changed
    lines (("added" | "removed", line)) between the two, in `language`."""
    if accepted is None:
        return [], []
    versions = TermsVersion.objects.filter(
        number__gt=accepted.number, number__lte=current.number
    ).order_by("number")
    notes = [
        TermsChange(version=v, note=v.in_language(language)["changes"])
        for v in versions
        if v.in_language(language)["changes"]
    ]
    before = accepted.in_language(language)["text"].splitlines()
    after = current.in_language(language)["text"].splitlines()
    lines = []
    for line in difflib.ndiff(before, after):
        if line.startswith("+ ") and line[2:].strip():
            lines.append(("added", line[2:]))
        elif line.startswith("- ") and line[2:].strip():
            lines.append(("removed", line[2:]))
    return notes, lines


@transaction.atomic
def terms_accept(
    *,
    user: User,
    version: TermsVersion,
    via: str = TermsAcceptance.Via.PAGE,
    now: datetime | None = None,
) -> TermsAcceptance:
    """Record that `user` accepted `version`; accepting twice (a retried form) keeps the first
    record. Only a version in force, or the next one already published, can be accepted."""
    now = now or timezone.now()
    current = terms_current(now=now)
    if current is None or version.number < current.number:
        raise ApplicationError(
            _("That version of the terms is no longer in force; read the current one."),
            code="terms_outdated",
            field="version",
        )
    existing = TermsAcceptance.objects.filter(user=user, version=version).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return TermsAcceptance.objects.create(
                user=user, version=version, accepted_at=now, via=via
            )
    except IntegrityError:
        return TermsAcceptance.objects.get(user=user, version=version)
