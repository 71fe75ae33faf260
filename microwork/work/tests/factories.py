"""Small, fast builders for work tests: a live project in Rita's organisation and bulk tasks."""

from decimal import Decimal
from typing import Any

from microwork.accounts.models import Organisation, User, WorkerProfile
from microwork.projects.models import Batch, Project, Task

SINGLE_CHOICE = {
    "question": "Is this image acceptable?",
    "labels": [{"value": "ok", "text": "Acceptable"}, {"value": "gory", "text": "Gory"}],
}


def live_project(owner: User, *, deposit: str | None = "100", **fields: Any) -> Project:
    """A live project written straight to the database, in an organisation that has `deposit`
    USD to pay its answers (as every live project must); `deposit=None` leaves it unfunded."""
    organisation = Organisation.objects.filter(memberships__user=owner).first()
    if deposit is not None:
        fund(organisation, deposit)
    values: dict[str, Any] = {
        "organisation": organisation,
        "created_by": owner,
        "name": "Image moderation",
        "description": "Say whether each image is fine for a family website.",
        "instructions": "Choose **Gory** when you see blood.",
        "interface": "single_choice",
        "config": SINGLE_CHOICE,
        "reward": Decimal("0.05"),
        "estimated_seconds": 20,
        "overlap": 3,
        "time_limit_seconds": 600,
        "gold_rate": Decimal("0"),
        "status": Project.Status.LIVE,
    }
    values.update(fields)
    return Project.objects.create(**values)


def fund(organisation: Organisation, amount: str) -> None:
    """Money received for the organisation, booked as an operator's deposit is (a test has no
    operator to spare: the `omar` fixture may come later and needs his name)."""
    from microwork.ledger.models import Account, Transaction
    from microwork.ledger.services.accounts import ledger_account, world_account
    from microwork.ledger.services.posting import ledger_transfer

    ledger_transfer(
        kind=Transaction.Kind.DEPOSIT,
        idempotency_key=f"deposit:test-{organisation.pk}-{Transaction.objects.count()}",
        source=world_account("USD"),
        destination=ledger_account(
            kind=Account.Kind.REQUESTER_AVAILABLE, currency="USD", organisation=organisation
        ),
        amount=Decimal(amount),
        metadata={"reference": "test", "method": "operator"},
    )


def add_tasks(
    project: Project, n: int, *, gold: int = 0, gold_answer: str = "ok", priority: int = 0
) -> list[Task]:
    batch = Batch.objects.create(
        project=project,
        uploaded_by=project.created_by,
        filename="tasks.csv",
        file_format="csv",
        status=Batch.Status.DONE,
    )
    start = Task.objects.filter(project=project).count()
    rows = [
        Task(
            project=project,
            batch=batch,
            row_number=start + i + 1,
            data={"text": f"Picture number {start + i + 1}"},
            priority=priority,
        )
        for i in range(n)
    ]
    rows += [
        Task(
            project=project,
            batch=batch,
            row_number=start + n + i + 1,
            data={"text": f"Picture number {start + n + i + 1}"},
            is_gold=True,
            gold_answer=gold_answer,
            gold_explanation="No blood in this picture.",
        )
        for i in range(gold)
    ]
    Task.objects.bulk_create(rows, batch_size=2000)
    return list(Task.objects.filter(batch=batch).order_by("id"))


def make_worker(username: str) -> User:
    """A worker without a usable password: hashing one costs ~50 ms, and crowds need hundreds."""
    user = User.objects.create(username=username, email=f"{username}@example.org", password="!")
    WorkerProfile.objects.create(user=user, country="NG", languages=["en"])
    return user


def funded_project(owner: User, operator: User, *, deposit: str = "100", **fields: Any) -> Project:
    """A draft project made through the projects service, with money deposited so that it can
    go live and its answers can be paid (the way a requester really does it)."""
    from microwork.accounts.access import access_organisation_for_requester
    from microwork.ledger.services.deposits import deposit_record
    from microwork.projects.services.projects import project_create

    organisation = access_organisation_for_requester(user=owner)
    deposit_record(
        organisation=organisation,
        amount=deposit,
        currency="USD",
        reference=f"deposit-{Organisation.objects.count()}-{Project.objects.count()}",
        actor=operator,
    )
    values: dict[str, Any] = {
        "name": "Image moderation",
        "description": "Say whether each image is fine for a family website.",
        "instructions": "Choose **Gory** when you see blood.",
        "interface": "single_choice",
        "config": {"question": "Is this image acceptable?", "labels": ["ok|Acceptable", "gory"]},
        "reward": Decimal("0.05"),
        "estimated_seconds": 20,
        "overlap": 1,
        "gold_rate": Decimal("0"),
    }
    values.update(fields)
    return project_create(organisation=organisation, actor=owner, **values)


def upload_tasks(project: Project, n: int, *, start: int = 0, opens_at: Any = None) -> Batch:
    """n tasks through the real upload service (its hooks release them to workers)."""
    from microwork.projects.services.batches import batch_create_from_records

    records = [{"id": f"r{start + i}", "text": f"Picture number {start + i}"} for i in range(n)]
    return batch_create_from_records(
        project=project,
        actor=project.created_by,
        records=records,
        name=f"batch-{start}",
        opens_at=opens_at,
    ).batch
