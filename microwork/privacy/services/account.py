"""Deleting a worker's account at their request.

The books decide what can go (docs/personal-data.md): money is never destroyed nor taken.
While earnings await approval, a payout is on its way, or the available balance is enough to
withdraw, the deletion is refused with what to do first (withdraw, or wait). A remainder below
the payout minimum, which could never be withdrawn, stays on the worker's ledger accounts
under a pseudonym and is written on the AccountDeletion record.

Then: open tasks go back, every consent is withdrawn, personal data is erased through every
eraser for every project the worker touched (each project's requesters told which items), the
worker's inbox, payout details, tokens and profile are cleared, and the user row is kept,
anonymised and unable to log in, so their answers keep their place in requesters' data."""

import secrets
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from microwork.accounts.models import ApiToken, User, WorkerProfile
from microwork.inbox.models import Notification
from microwork.ledger.models import PayoutMethod
from microwork.ledger.selectors import worker_balances, worker_currencies
from microwork.ledger.services.payouts import payout_minimum
from microwork.lib.errors import Conflict, Forbidden
from microwork.lib.l10n import format_money
from microwork.privacy.models import AccountDeletion, Consent, Deletion
from microwork.privacy.services.deletion import deletion_run
from microwork.projects.models import Project
from microwork.work.models import Assignment, WorkRequest
from microwork.work.services.giving_back import assignment_return


def _money_left(worker: User) -> dict[str, str]:
    """What stays on the books under the pseudonym; refuses while anything can still move."""
    kept: dict[str, str] = {}
    minimum = payout_minimum()
    for currency in worker_currencies(user=worker):
        balances = worker_balances(user=worker, currency=currency)
        if balances.pending > 0:
            raise Conflict(
                _(
                    "%(amount)s of your earnings is still awaiting approval. Delete your "
                    "account once it is available and you have withdrawn it."
                )
                % {"amount": format_money(balances.pending, currency)},
                code="money_pending",
            )
        if balances.in_flight > 0:
            raise Conflict(
                _("A payout of %(amount)s is on its way: delete your account once it has arrived.")
                % {"amount": format_money(balances.in_flight, currency)},
                code="payout_in_flight",
            )
        if balances.available >= minimum:
            raise Conflict(
                _("You have %(amount)s to withdraw: withdraw it first, then delete your account.")
                % {"amount": format_money(balances.available, currency)},
                code="money_to_withdraw",
            )
        if balances.available > Decimal(0):
            kept[currency] = str(balances.available)
    return kept


@transaction.atomic
def account_delete(*, user: User, now: datetime | None = None) -> AccountDeletion:
    """Delete a worker's account (see the module's words). A retry returns the first record."""
    now = now or timezone.now()
    # The profile row first, as every claim does: no task is handed out while the account goes.
    WorkerProfile.objects.select_for_update().filter(user_id=user.pk).first()
    worker = User.objects.select_for_update().get(pk=user.pk)
    done = AccountDeletion.objects.filter(user=worker).first()
    if done is not None:
        return done
    if worker.memberships.exists() or worker.is_staff:
        raise Forbidden(
            _(
                "Your account acts for an organisation or runs the platform: ask an operator "
                "to close it."
            ),
            code="not_only_a_worker",
        )
    kept = _money_left(worker)
    for assignment in Assignment.objects.filter(worker=worker, status=Assignment.Status.LEASED):
        assignment_return(assignment=assignment, worker=worker, now=now)
    WorkRequest.objects.filter(worker=worker, status=WorkRequest.Status.WAITING).update(
        status=WorkRequest.Status.CANCELLED, decided_at=now
    )
    Consent.objects.filter(worker=worker, withdrawn_at__isnull=True).update(withdrawn_at=now)
    touched = Project.objects.filter(assignments__worker=worker).distinct().order_by("id")
    deletions = [
        deletion_run(
            project=project,
            worker=worker,
            reason=Deletion.Reason.ACCOUNT,
            now=now,
            # Only a project that collects personal data has items its requesters lose.
            notify=bool(project.personal_data),
        )
        for project in touched
    ]
    pseudonym = f"deleted-{worker.pk}-{secrets.token_hex(4)}"
    record = AccountDeletion.objects.create(
        user=worker, pseudonym=pseudonym, at=now, balance_kept=kept
    )
    record.deletions.set(deletions)
    Notification.objects.filter(user=worker).delete()
    PayoutMethod.objects.filter(user=worker).update(is_active=False, details={}, label=pseudonym)
    ApiToken.objects.filter(user=worker, revoked_at__isnull=True).update(revoked_at=now)
    WorkerProfile.objects.filter(user=worker).update(country="", languages=[], timezone="UTC")
    worker.username = pseudonym
    worker.email = f"{pseudonym}@deleted.invalid"
    worker.first_name = ""
    worker.last_name = ""
    worker.is_active = False
    worker.set_unusable_password()
    worker.save(
        update_fields=["username", "email", "first_name", "last_name", "is_active", "password"]
    )
    return record
