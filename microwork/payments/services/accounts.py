"""The accounts a money move touches (a project's escrow, its requester's available funds, a
worker's balances) found through the ledger, the refusal when they fall short, the platform's
fee on a project's answers, and the reasons a rejection may give."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from microwork.accounts.models import Organisation, User
from microwork.ledger.models import Account
from microwork.ledger.services.accounts import AccountSpec, ledger_account, ledger_accounts
from microwork.ledger.services.posting import InsufficientFunds, fee_for
from microwork.lib.errors import ApplicationError
from microwork.lib.l10n import format_money
from microwork.payments.reasons import REJECTION_REASONS
from microwork.projects.models import Project

K = Account.Kind

MAX_NOTE = 2000


def rejection_reasons() -> dict[str, Any]:
    """code → label: the codes a rejection accepts (`reasons.REJECTION_REASONS`)."""
    return dict(REJECTION_REASONS)


def rejection_check(*, reason: str, note: str) -> str:
    """Refuse a reason outside the list, "other" without a note, or a note too long; return
    the note as it will be stored. A rejection (review.services) checks with this before
    anything else, so a bad reason is named before any confirmation is asked."""
    if reason not in REJECTION_REASONS:
        raise ApplicationError(
            _("reason must be one of: %(choices)s.") % {"choices": ", ".join(REJECTION_REASONS)},
            code="invalid_reason",
            field="reason",
        )
    note = (note or "").strip()
    if reason == "other" and not note:
        raise ApplicationError(_("Explain the reason in the note."), field="note")
    if len(note) > MAX_NOTE:
        raise ApplicationError(
            _("Keep the note under %(n)d characters.") % {"n": MAX_NOTE}, field="note"
        )
    return note


def unit_fee(project: Project) -> Decimal:
    return fee_for(project.reward)


def _escrow_spec(project: Project) -> AccountSpec:
    return AccountSpec(
        K.REQUESTER_ESCROW, project.currency, project.organisation, project_id=project.pk
    )


def _available_spec(organisation: Organisation, currency: str) -> AccountSpec:
    return AccountSpec(K.REQUESTER_AVAILABLE, currency, organisation)


def escrow_account(project: Project) -> Account:
    return ledger_accounts(specs=[_escrow_spec(project)])[0]


def requester_account(organisation: Organisation, currency: str) -> Account:
    return ledger_accounts(specs=[_available_spec(organisation, currency)])[0]


def worker_account(user: User, kind: str, currency: str) -> Account:
    return ledger_account(kind=kind, currency=currency, user=user)


def funding_accounts(project: Project, *also: AccountSpec) -> list[Account]:
    """The project's escrow and its requester's available funds, in the order a draw takes
    from them, then the accounts in `also`: all found in one query."""
    return ledger_accounts(
        specs=[
            _escrow_spec(project),
            _available_spec(project.organisation, project.currency),
            *also,
        ]
    )


def from_escrow(project: Project, amount: Decimal) -> tuple[list[Account], Decimal]:
    """A ledger draw of `amount` from the project's escrow, and from the requester's available
    funds for whatever escrow no longer holds (paid tests, extra control answers or a raised
    overlap can use more than was reserved). The ledger works out the split under its locks
    and refuses the movement if both together fall short."""
    return funding_accounts(project), amount


def funds_error(exc: InsufficientFunds, *, what: str) -> ApplicationError:
    return ApplicationError(
        _("%(what)s: you need %(missing)s more. Add funds on the billing page.")
        % {"what": what, "missing": format_money(exc.shortfall, exc.currency)},
        code="insufficient_funds",
        field="funds",
        details=exc.details,
    )
