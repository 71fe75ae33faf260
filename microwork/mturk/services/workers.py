"""What MTurk does to workers, done through microwork's own paths: a bonus through review's
bonus (the ledger moves it), a message through the inbox. A block is quality's own
(`quality.services.blocks`), the same one the review page makes."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from microwork.accounts.models import Organisation, User
from microwork.inbox.services import inbox_notify
from microwork.mturk.keys import worker_id_for
from microwork.mturk.models import Bonus, WorkerAlias
from microwork.review.services import bonus_pay
from microwork.work.models import Submission

MAX_SUBJECT = 200
MAX_MESSAGE = 4096


def worker_alias(*, organisation: Organisation, worker: User) -> str:
    """The worker's WorkerId for this organisation, made on first use."""
    alias = WorkerAlias.objects.filter(organisation=organisation, worker=worker).first()
    if alias is not None:
        return alias.alias
    worker_id = worker_id_for(organisation_id=organisation.pk, worker_id=worker.pk)
    try:
        with transaction.atomic():
            WorkerAlias.objects.create(organisation=organisation, worker=worker, alias=worker_id)
    except IntegrityError:
        pass  # made by a concurrent call: the same value
    return worker_id


@transaction.atomic
def mturk_bonus_send(
    *,
    organisation: Organisation,
    actor: User,
    submission: Submission,
    amount: Decimal,
    reason: str,
    request_token: str,
    now: datetime,
) -> Bonus:
    """A bonus for one answer's worker. The token makes a retry pay nothing twice; without
    one, the same assignment, amount and reason are taken as the same request."""
    key = f"mturk:{organisation.pk}:{request_token or f'{submission.pk}:{amount}:{reason}'}"[:200]
    existing = Bonus.objects.filter(request_key=key).first()
    if existing is not None:
        return existing
    transactions = bonus_pay(
        organisation=organisation,
        actor=actor,
        workers=[submission.worker],
        amount=amount,
        message=reason,
        request_key=key,
        project=submission.project,
        now=now,
    )
    return Bonus.objects.create(
        organisation=organisation,
        submission=submission,
        worker=submission.worker,
        amount=amount,
        currency=submission.project.currency,
        reason=reason,
        request_key=key,
        granted_at=transactions[0].created_at if transactions else now,
    )


def workers_notify(
    *, organisation: Organisation, workers: list[User], subject: str, message: str, now: datetime
) -> int:
    return inbox_notify(
        users=workers,
        kind="requester_message",
        params={"organisation": organisation.name, "subject": subject, "message": message},
        now=now,
    )
