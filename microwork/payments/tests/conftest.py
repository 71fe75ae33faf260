"""Projects, tasks and answers for the money tests, made with the owning apps' services where
they exist and plain rows where a test needs a precise answer time."""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from microwork.accounts.access import access_organisation_for_requester
from microwork.ledger.services.deposits import deposit_record
from microwork.payments.services import earnings as payments_earnings
from microwork.projects.models import Batch, Project, Task
from microwork.projects.services.projects import project_create, project_set_status
from microwork.work.models import Assignment, Submission

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _money_settings(settings):
    settings.SIMULATED_PAYMENTS = True
    settings.PAY_FLOOR_PER_HOUR = Decimal("8.00")
    settings.PLATFORM_FEE_RATE = Decimal("0.20")
    settings.TASKS = {
        "default": {
            "BACKEND": "django.tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }


@pytest.fixture
def acme(rita):
    return access_organisation_for_requester(user=rita)


@pytest.fixture
def rich_acme(acme, omar):
    # Acme Labs after paying 100 USD into microwork.
    deposit_record(
        organisation=acme, amount="100", currency="USD", reference="acme-100", actor=omar
    )
    return acme


def make_project(
    org, owner, *, tasks=10, reward="0.05", seconds=20, overlap=3, gold_rate="0", **kw
):
    project = project_create(
        organisation=org,
        actor=owner,
        name=kw.pop("name", "Image moderation"),
        description="Is each image fine for a family site?",
        interface="single_choice",
        config={"question": "Is this image acceptable?", "labels": ["ok|Acceptable", "gory|Gory"]},
        reward=Decimal(reward),
        estimated_seconds=seconds,
        overlap=overlap,
        gold_rate=Decimal(gold_rate),
        **kw,
    )
    add_tasks(project, owner, tasks)
    return project


def add_tasks(project, owner, n, *, gold=0):
    batch = Batch.objects.create(
        project=project, uploaded_by=owner, filename="t.csv", file_format="csv", status="done"
    )
    rows = [
        Task(project=project, batch=batch, row_number=i + 1, data={"image": f"https://x/{i}.jpg"})
        for i in range(n)
    ]
    rows += [
        Task(
            project=project,
            batch=batch,
            row_number=n + i + 1,
            data={"image": f"https://x/g{i}.jpg"},
            is_gold=True,
            gold_answer={"label": "ok"},
        )
        for i in range(gold)
    ]
    Task.objects.bulk_create(rows)
    return batch


def go_live(project, actor):
    project_set_status(project=project, actor=actor, status=Project.Status.LIVE)
    project.refresh_from_db()
    return project


def answer(project, worker, *, active_ms=15_000, at: datetime | None = None, task=None):
    """A stored answer with its pending earning, as the work app's submit does it."""
    at = at or timezone.now()
    if task is None:
        task = (
            Task.objects.filter(project=project, is_gold=False)
            .exclude(assignments__worker=worker)
            .order_by("pk")
            .first()
        )
    assignment = Assignment.objects.create(
        project=project,
        task=task,
        worker=worker,
        status=Assignment.Status.SUBMITTED,
        leased_at=at,
        expires_at=at,
        ended_at=at,
    )
    submission = Submission.objects.create(
        assignment=assignment,
        project=project,
        task=task,
        worker=worker,
        answer={"label": "ok"},
        active_ms=active_ms,
        elapsed_ms=active_ms,
        submitted_at=at,
    )
    payments_earnings.submission_earning_record(submission=submission)
    return submission


def make_worker(name):
    from microwork.accounts.services import worker_signup

    return worker_signup(
        username=name,
        email=f"{name}@example.org",
        password="worker-pass-123",
        country="PK",
        languages=["en", "ur"],
        timezone_name="Asia/Karachi",
    )


def balance(account):
    account.refresh_from_db()
    return account.balance


@pytest.fixture
def walt_worked(rich_acme, rita, walt):
    """Walt answered 4 tasks of Rita's project at 15 s each; 3 approved, 1 pending."""
    project = make_project(rich_acme, rita, tasks=10, reward="0.05", seconds=20)
    go_live(project, rita)
    subs = [
        answer(project, walt, active_ms=15_000, at=timezone.now() - timedelta(days=d))
        for d in (1, 2, 9, 20)
    ]
    for sub in subs[:3]:
        payments_earnings.earning_approve(submission=sub, actor=rita)
    return project, subs
