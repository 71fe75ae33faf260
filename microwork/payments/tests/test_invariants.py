"""Whatever happens, in any order, the books hold: every transaction balances, each currency
sums to zero, nothing but the outside world goes below zero, and each approved answer is
paid exactly once."""

import itertools
from collections import Counter
from decimal import ROUND_DOWN, Decimal

import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from microwork.accounts.models import User, WorkerProfile
from microwork.ledger.models import Account, Payout, Transaction
from microwork.ledger.services.accounts import ledger_account
from microwork.ledger.services.check import ledger_check
from microwork.ledger.services.deposits import deposit_record
from microwork.ledger.services.payouts import payout_method_add, payout_process, payout_request
from microwork.lib.errors import ApplicationError
from microwork.payments.services import earnings as payments_earnings
from microwork.payments.services import escrow as payments_escrow
from microwork.payments.tests.conftest import add_tasks, answer, make_project
from microwork.projects.models import Project, Task
from microwork.projects.services.projects import project_set_status
from microwork.review import services as review_services
from microwork.work.models import Submission

K = Account.Kind
T = Transaction.Kind

# Small enough for a few approved answers and bonuses to reach it within a run.
PAYOUT_MINIMUM = Decimal("0.10")
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5"), places=2)


def _cheap_worker(name: str) -> User:
    user = User.objects.create(username=name, email=f"{name}@example.org")
    WorkerProfile.objects.create(user=user, country="NG", languages=["en"])
    return user


class Books(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Each run starts from the same people and rolls back at the end.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.keys = itertools.count()
        self.project = make_project(ORG, RITA, tasks=0, reward="0.05", seconds=20, overlap=2)
        self.submissions: list[int] = []
        # Start from a funded live project so most steps have something to act on.
        deposit_record(
            organisation=ORG, amount="3", currency="USD", reference=f"start{id(self)}", actor=OMAR
        )
        add_tasks(self.project, RITA, 4)
        project_set_status(project=self.project, actor=RITA, status="live")
        self.methods = {
            w.pk: payout_method_add(
                user=w, provider="simulated", label="", details={"phone": "+2348012345678"}
            )
            for w in WORKERS
        }

    def teardown(self) -> None:
        TALLY.update(
            f"booked {kind}" for kind in Transaction.objects.values_list("kind", flat=True)
        )
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _try(self, fn, **kwargs):
        TALLY[f"{fn.__name__} tried"] += 1
        try:
            with transaction.atomic():
                done = fn(**kwargs)
        except ApplicationError:
            return None
        TALLY[f"{fn.__name__} went through"] += 1
        return done

    @rule(amount=amounts)
    def deposit(self, amount):
        deposit_record(
            organisation=ORG,
            amount=amount,
            currency="USD",
            reference=f"d{next(self.keys)}",
            actor=OMAR,
        )

    @rule(n=st.integers(1, 4))
    def publish(self, n):
        self.project.refresh_from_db()
        if self.project.status not in (Project.Status.DRAFT, Project.Status.LIVE):
            return

        def go():
            add_tasks(self.project, RITA, n)
            if self.project.status == Project.Status.DRAFT:
                project_set_status(project=self.project, actor=RITA, status="live")
            else:
                payments_escrow.project_money_on_tasks_added(project=self.project)

        self._try(go)

    @rule(worker=st.sampled_from(range(3)), active=st.integers(1_000, 60_000))
    def submit(self, worker, active):
        self._submit(worker, active)

    # Answers are what most steps act on: a second rule doubles their share of the steps.
    @rule(worker=st.sampled_from(range(3)), active=st.integers(1_000, 60_000))
    def submit_again(self, worker, active):
        self._submit(worker, active)

    def _submit(self, worker, active):
        self.project.refresh_from_db()
        w = WORKERS[worker]
        task = (
            Task.objects.filter(project=self.project, answers_count__lt=2)
            .exclude(assignments__worker=w)
            .first()
        )
        if self.project.status != Project.Status.LIVE or task is None:
            return
        sub = self._try(answer, project=self.project, worker=w, active_ms=active, task=task)
        if sub is not None:
            Task.objects.filter(pk=task.pk).update(answers_count=task.answers_count + 1)
            self.submissions.append(sub.pk)

    @precondition(lambda self: self.submissions)
    @rule(data=st.data(), twice=st.booleans())
    def approve(self, data, twice):
        sub = Submission.objects.get(pk=data.draw(st.sampled_from(self.submissions)))
        for _ in range(1 + twice):
            self._try(payments_earnings.earning_approve, submission=sub, actor=RITA)

    @precondition(lambda self: self.submissions)
    @rule(data=st.data(), reason=st.sampled_from(["wrong_answer", "spam", "incomplete"]))
    def reject(self, data, reason):
        sub = Submission.objects.get(pk=data.draw(st.sampled_from(self.submissions)))
        self._try(payments_earnings.earning_reject, submission=sub, actor=RITA, reason=reason)

    @precondition(lambda self: self.submissions)
    @rule(data=st.data())
    def overturn(self, data):
        # Mostly a rejected answer, the one an overturn exists for; any answer otherwise, which
        # must be refused without moving money.
        rejected = list(
            Submission.objects.filter(
                pk__in=self.submissions, status=Submission.Status.REJECTED
            ).values_list("pk", flat=True)
        )
        pool = rejected if rejected and data.draw(st.integers(0, 3)) else self.submissions
        sub = Submission.objects.get(pk=data.draw(st.sampled_from(pool)))
        self._try(payments_earnings.submission_rejection_overturn, submission=sub)

    @rule()
    def approve_due(self):
        from django.utils import timezone

        payments_earnings.submissions_approve_due(
            now=timezone.now() + payments_earnings.MAX_AUTO_APPROVE
        )

    @rule(worker=st.sampled_from(range(3)), amount=amounts)
    def bonus(self, worker, amount):
        self._try(
            review_services.bonus_pay,
            organisation=ORG,
            actor=RITA,
            workers=[WORKERS[worker]],
            amount=amount,
            message="thanks",
            request_key=f"b{next(self.keys)}",
        )

    @rule(worker=st.sampled_from(range(3)), share=st.sampled_from(["0.5", "1", "2"]))
    def payout(self, worker, share):
        # A share of what the worker has, so that payouts happen: mostly within it, sometimes
        # (twice it) more, which must be refused.
        w = WORKERS[worker]
        available = ledger_account(kind=K.WORKER_AVAILABLE, currency="USD", user=w).balance
        amount = max(
            PAYOUT_MINIMUM, (available * Decimal(share)).quantize(Decimal("0.01"), ROUND_DOWN)
        )
        p = self._try(payout_request, user=w, method=self.methods[w.pk], amount=amount)
        if p is not None:
            payout_process(payout_id=p.pk)

    @precondition(lambda self: len(self.submissions) >= 5)
    @rule()
    def complete(self):
        self.project.refresh_from_db()
        if self.project.status == Project.Status.LIVE:
            project_set_status(project=self.project, actor=RITA, status="completed")

    @invariant()
    def books_balance(self):
        report = ledger_check()
        assert report.ok, report.problems

    @invariant()
    def approved_answers_are_paid_once(self):
        paid = Counter(
            Transaction.objects.filter(kind__in=[T.APPROVAL, T.OVERTURN]).values_list(
                "submission_id", flat=True
            )
        )
        for pk, status in Submission.objects.filter(pk__in=self.submissions).values_list(
            "pk", "status"
        ):
            assert paid[pk] == (1 if status == Submission.Status.APPROVED else 0), (pk, status)
        assert not Payout.objects.filter(status__in=["requested", "processing"]).exists()


@pytest.mark.django_db
@override_settings(PAYOUT_MINIMUM=str(PAYOUT_MINIMUM))
def test_any_sequence_of_money_operations_keeps_the_books(rita, omar):
    global ORG, RITA, OMAR, WORKERS
    from microwork.accounts.access import access_organisation_for_requester

    RITA, OMAR = rita, omar
    TALLY.clear()
    ORG = access_organisation_for_requester(user=rita)
    WORKERS = [_cheap_worker(n) for n in ("ade", "bisi", "chidi")]
    run_state_machine_as_test(
        seed(RUNS_SEED)(Books),
        settings=settings(
            max_examples=15,
            stateful_step_count=30,
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # Every kind of money movement happened, the common ones by the dozen (about half of
    # what the seeded runs book), so that a change making every operation refuse,
    # or never reach the ledger, fails here.
    for kind, least in {
        "earning": 12,
        "approval": 8,
        "escrow_fund": 20,
        "bonus": 4,
        "rejection": 1,
        "overturn": 1,
        "payout_sent": 1,
    }.items():
        assert TALLY[f"booked {kind}"] >= least, (kind, TALLY)
    assert TALLY["payout_request went through"] >= 1, TALLY


# The same runs every time, so that the tally above can ask for fixed figures. A fixed seed
# rather than `derandomize`, which seeds from the test's source: an edit to an import line
# would draw other runs.
RUNS_SEED = 4
ORG = RITA = OMAR = None
WORKERS: list[User] = []
# What the runs did, across all of them: refusals are expected (approving twice, paying out
# more than earned), but books that hold because nothing happened prove nothing.
TALLY: Counter = Counter()
