"""A live project's set-up, declared by the requester before any worker opts in, and a
worker's opt-in to it."""

import hashlib
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import User
from microwork.lib.errors import ApplicationError, Conflict
from microwork.lib.l10n import format_money
from microwork.lib.limits import LIVE_STATEMENT_MAX_CHARS, LIVE_STATEMENT_MIN_CHARS
from microwork.live.models import LiveOptIn, LiveSetup
from microwork.payments.services.floor import floor_per_hour
from microwork.projects.models import Project

OFFER_SECONDS_MIN = 3
OFFER_SECONDS_MAX = 30
STANDBY_MAX_PER_HOUR = Decimal("1000")


def statement_digest(setup: LiveSetup) -> str:
    return hashlib.sha256(setup.use_statement.encode()).hexdigest()


def _clean_rate(value: Any, currency: str) -> Decimal:
    try:
        rate = Decimal(str(value))
    except (InvalidOperation, ValueError):
        rate = Decimal("NaN")
    if not rate.is_finite() or rate < 0 or rate > STANDBY_MAX_PER_HOUR:
        raise ApplicationError(
            _("standby_per_hour must be an amount between 0 and %(max)s.")
            % {"max": STANDBY_MAX_PER_HOUR},
            code="invalid_standby_rate",
            field="standby_per_hour",
        )
    floor = floor_per_hour(currency)
    # The standby rate is what a worker earns for an hour of being available: it is held to
    # the pay floor like any other hourly rate, whatever the answers add on top.
    if rate < floor:
        raise ApplicationError(
            _(
                "standby_per_hour must be at least the pay floor, %(floor)s an hour: workers "
                "keep their time free for your product."
            )
            % {"floor": format_money(floor, currency)},
            code="standby_under_floor",
            field="standby_per_hour",
        )
    return rate.quantize(Decimal("0.0001"))


@transaction.atomic
def live_setup_save(
    *,
    project: Project,
    actor: User,
    use_statement: str,
    standby_per_hour: Any,
    offer_seconds: int = 8,
    now: datetime | None = None,
) -> LiveSetup:
    """Create or change a project's live set-up. A changed statement asks every worker who
    opted in to agree again before they are offered another task."""
    now = now or timezone.now()
    statement = (use_statement or "").strip()
    if not LIVE_STATEMENT_MIN_CHARS <= len(statement) <= LIVE_STATEMENT_MAX_CHARS:
        raise ApplicationError(
            _(
                "use_statement must say, in %(min)d to %(max)d characters, in which product the "
                "answers are used live and who sees them."
            )
            % {"min": LIVE_STATEMENT_MIN_CHARS, "max": LIVE_STATEMENT_MAX_CHARS},
            code="invalid_use_statement",
            field="use_statement",
        )
    if (
        isinstance(offer_seconds, bool)
        or not isinstance(offer_seconds, int)
        or not OFFER_SECONDS_MIN <= offer_seconds <= OFFER_SECONDS_MAX
    ):
        raise ApplicationError(
            _("offer_seconds must be a whole number from %(min)d to %(max)d.")
            % {"min": OFFER_SECONDS_MIN, "max": OFFER_SECONDS_MAX},
            code="invalid_offer_seconds",
            field="offer_seconds",
        )
    rate = _clean_rate(standby_per_hour, project.currency)
    if project.status == Project.Status.ARCHIVED:
        raise Conflict(_("An archived project cannot be answered live."), code="project_archived")
    setup, _created = LiveSetup.objects.select_for_update().get_or_create(
        project=project,
        defaults={
            "use_statement": statement,
            "standby_per_hour": rate,
            "offer_seconds": offer_seconds,
            "updated_at": now,
        },
    )
    setup.use_statement = statement
    setup.standby_per_hour = rate
    setup.offer_seconds = offer_seconds
    setup.updated_at = now
    setup.save()
    return setup


@transaction.atomic
def live_opt_in(*, project: Project, worker: User, now: datetime | None = None) -> LiveOptIn:
    """The worker read the statement as it reads now and agrees to answer live."""
    now = now or timezone.now()
    setup = LiveSetup.objects.filter(project=project).first()
    if setup is None:
        raise Conflict(_("This project is not answered live."), code="not_live")
    opt_in, _created = LiveOptIn.objects.update_or_create(
        project=project,
        worker=worker,
        defaults={"statement_digest": statement_digest(setup), "agreed_at": now},
    )
    return opt_in


def opted_in(*, setup: LiveSetup, worker: User) -> bool:
    return LiveOptIn.objects.filter(
        project_id=setup.project_id, worker=worker, statement_digest=statement_digest(setup)
    ).exists()
