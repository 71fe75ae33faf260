"""Money figures that join the ledger with projects and submissions, for the dashboards."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Sum

from microwork.accounts.models import Organisation, User
from microwork.ledger.models import Account, Entry, Transaction
from microwork.ledger.selectors import worker_earning_entries
from microwork.ledger.services.posting import quantize
from microwork.payments.models import PayFloorNotice, SubmissionReview
from microwork.projects.models import Project
from microwork.work.models import Submission

K = Account.Kind
T = Transaction.Kind
S = Submission.Status
# A country's everyday currency, for estimates on a worker's dashboard.
COUNTRY_CURRENCY = {
    "NG": "NGN", "PK": "PKR", "MG": "MGA", "ZA": "ZAR", "GB": "GBP", "SN": "XOF", "CI": "XOF",
    "ML": "XOF", "BF": "XOF", "BJ": "XOF", "TG": "XOF", "NE": "XOF", "FR": "EUR", "DE": "EUR",
    "ES": "EUR", "IT": "EUR", "BE": "EUR", "NL": "EUR", "IE": "EUR", "PT": "EUR",
}  # fmt: skip


def hourly(amount: Decimal, active_ms: int) -> Decimal | None:
    if active_ms <= 0:
        return None
    return (amount * Decimal(3_600_000) / Decimal(active_ms)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class ProjectEarning:
    """A worker's money and time on one project, kept apart so each rate is honest: pay for
    answers over the time of those answers, test pay over test time. Answers awaiting approval
    count neither their reward nor their time until they are decided; a rejected answer's time
    counts, since the worker spent it."""

    project_id: int
    name: str
    currency: str
    answers: int
    approved: int
    pending: int
    rejected: int
    # Active time of the answers approved or rejected, and of those awaiting approval.
    decided_ms: int
    pending_ms: int
    # Rewards of approved (and overturned) answers, top-ups to the floor, bonuses for this
    # project, and the pending rewards, shown apart.
    answer_pay: Decimal
    topups: Decimal
    bonuses: Decimal
    pending_pay: Decimal
    # Paid qualification tests and training, and the active time they were paid for.
    test_pay: Decimal
    test_ms: int

    @property
    def active_ms(self) -> int:
        return self.decided_ms + self.pending_ms

    @property
    def answers_pay(self) -> Decimal:
        return self.answer_pay + self.topups + self.bonuses

    @property
    def earned(self) -> Decimal:
        """Money this project put in the worker's available balance."""
        return self.answers_pay + self.test_pay

    @property
    def hourly(self) -> Decimal | None:
        return hourly(self.answers_pay, self.decided_ms)

    @property
    def test_hourly(self) -> Decimal | None:
        return hourly(self.test_pay, self.test_ms)


# Money into a worker's available balance, by what paid it.
_ANSWER_KINDS = (T.APPROVAL, T.OVERTURN)


def worker_project_earnings(*, user: User) -> list[ProjectEarning]:
    """Per project the worker answered or took a paid test of: counts, time and pay, each rate's
    money over the time it paid for."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for project_id, status, n, active in (
        Submission.objects.filter(worker=user)
        .values_list("project_id", "status")
        .annotate(n=Count("id"), active=Sum("active_ms"))
        .order_by()
    ):
        counts[project_id][status] += n
        counts[project_id][f"{status}_ms"] += int(active or 0)
    money: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    test_ms: dict[int, int] = defaultdict(int)
    # Summed here in Decimal: SQLite's SUM over decimals is floating point.
    for project_id, kind, account_kind, amount, metadata in (
        worker_earning_entries(user=user)
        .filter(transaction__project_id__isnull=False)
        .values_list(
            "transaction__project_id",
            "transaction__kind",
            "account__kind",
            "amount",
            "transaction__metadata",
        )
    ):
        assert project_id is not None  # transaction__project_id__isnull=False
        if account_kind == K.WORKER_PENDING:
            money[project_id]["pending"] += amount
        elif kind in _ANSWER_KINDS:
            money[project_id]["answers"] += amount
        elif kind == T.FLOOR_TOPUP:
            money[project_id]["topups"] += amount
        elif kind == T.BONUS:
            money[project_id]["bonuses"] += amount
        elif kind == T.TEST_PAYMENT:
            money[project_id]["tests"] += amount
            test_ms[project_id] += int((metadata or {}).get("active_ms") or 0)
    projects = Project.objects.filter(pk__in=set(counts) | set(money)).values_list(
        "pk", "name", "currency"
    )
    rows = []
    for pk, name, currency in projects:
        c, m = counts[pk], money[pk]
        rows.append(
            ProjectEarning(
                project_id=pk,
                name=name,
                currency=currency,
                answers=c[S.APPROVED] + c[S.PENDING] + c[S.REJECTED],
                approved=c[S.APPROVED],
                pending=c[S.PENDING],
                rejected=c[S.REJECTED],
                decided_ms=c[f"{S.APPROVED}_ms"] + c[f"{S.REJECTED}_ms"],
                pending_ms=c[f"{S.PENDING}_ms"],
                answer_pay=m["answers"],
                topups=m["topups"],
                bonuses=m["bonuses"],
                pending_pay=m["pending"],
                test_pay=m["tests"],
                test_ms=test_ms[pk],
            )
        )
    return sorted(rows, key=lambda r: (-r.answers, r.name))


@dataclass(frozen=True)
class OverallRates:
    answers: Decimal | None
    tests: Decimal | None
    overall: Decimal | None


def worker_overall_rates(rows: list[ProjectEarning], currency: str) -> OverallRates:
    """The rates over every project in `currency` (amounts of two currencies never add up)."""
    mine = [r for r in rows if r.currency == currency]
    answers_pay = sum((r.answers_pay for r in mine), Decimal(0))
    answers_ms = sum(r.decided_ms for r in mine)
    tests_pay = sum((r.test_pay for r in mine), Decimal(0))
    tests_ms = sum(r.test_ms for r in mine)
    return OverallRates(
        answers=hourly(answers_pay, answers_ms),
        tests=hourly(tests_pay, tests_ms),
        overall=hourly(answers_pay + tests_pay, answers_ms + tests_ms),
    )


def worker_recent_reviews(*, user: User, limit: int = 10):
    return (
        SubmissionReview.objects.filter(submission__worker=user)
        .exclude(action=SubmissionReview.Action.APPROVED, rule=SubmissionReview.Rule.AUTO_APPROVE)
        .select_related("submission__project")
        .order_by("-at")[:limit]
    )


@dataclass(frozen=True)
class ProjectSpend:
    project: Project
    escrow: Decimal
    paid_to_workers: Decimal
    fees: Decimal
    pending_answers: int


def _by_project(qs) -> dict[int, Decimal]:
    return {
        r["transaction__project_id"]: quantize(Decimal(r["total"] or 0))
        for r in qs.values("transaction__project_id").annotate(total=Sum("amount")).order_by()
    }


def requester_project_spend(*, organisation: Organisation) -> list[ProjectSpend]:
    return projects_spend(
        list(Project.objects.filter(organisation=organisation).order_by("-created_at"))
    )


def projects_spend(projects: list[Project]) -> list[ProjectSpend]:
    """Each project's escrow (committed), what its workers were paid and its fees so far."""
    ids = [p.pk for p in projects]
    escrow = dict(
        Account.objects.filter(kind=K.REQUESTER_ESCROW, project_id__in=ids).values_list(
            "project_id", "balance"
        )
    )
    paid = _by_project(
        Entry.objects.filter(
            transaction__project_id__in=ids,
            account__kind=K.WORKER_AVAILABLE,
            transaction__kind__in=[T.APPROVAL, T.OVERTURN, T.FLOOR_TOPUP, T.TEST_PAYMENT, T.BONUS],
        )
    )
    fees = _by_project(
        Entry.objects.filter(transaction__project_id__in=ids, account__kind=K.PLATFORM_FEES)
    )
    pending = dict(
        Submission.objects.filter(project_id__in=ids, status=S.PENDING)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    return [
        ProjectSpend(
            project=p,
            escrow=escrow.get(p.pk, Decimal(0)),
            paid_to_workers=paid.get(p.pk, Decimal(0)),
            fees=fees.get(p.pk, Decimal(0)),
            pending_answers=pending.get(p.pk, 0),
        )
        for p in projects
    ]


def requester_balances(*, organisation: Organisation) -> list[tuple[str, Decimal]]:
    return list(
        Account.objects.filter(organisation=organisation, kind=K.REQUESTER_AVAILABLE)
        .order_by("currency")
        .values_list("currency", "balance")
    )


def pay_floor_notices_open(
    *, organisation: Organisation | None = None, project: Project | None = None
):
    """Notices not yet resolved (by going live again at a reward that meets the floor)."""
    notices = PayFloorNotice.objects.filter(resolved_at__isnull=True)
    if project is not None:
        notices = notices.filter(project=project)
    else:
        notices = notices.filter(project__organisation=organisation)
    return notices.select_related("project").order_by("-created_at")


def submissions_pending_review(*, project: Project, limit: int = 100):
    return (
        Submission.objects.filter(project=project, status=S.PENDING)
        .select_related("worker", "task")
        .order_by("submitted_at")[:limit]
    )


def project_workers(*, project: Project) -> list[User]:
    return list(User.objects.filter(submissions__project=project).distinct().order_by("username"))


def project_hourly_rate(*, project: Project) -> tuple[Decimal | None, Decimal, int]:
    """What the project's workers really earned an hour: rewards of approved answers, their
    top-ups to the floor and bonuses, over the time the decided answers (approved or rejected)
    were on the workers' screens; with the amount and the time it is computed from."""
    paid = Entry.objects.filter(
        transaction__project_id=project.pk,
        account__kind=K.WORKER_AVAILABLE,
        transaction__kind__in=[T.APPROVAL, T.OVERTURN, T.FLOOR_TOPUP, T.BONUS],
    ).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    active_ms = (
        Submission.objects.filter(project=project, status__in=[S.APPROVED, S.REJECTED]).aggregate(
            ms=Sum("active_ms")
        )["ms"]
        or 0
    )
    return hourly(Decimal(paid), int(active_ms)), quantize(Decimal(paid)), int(active_ms)
