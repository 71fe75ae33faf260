"""Money figures that join the ledger with projects and submissions, for the dashboards."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum

from microwork.accounts.models import Organisation, User
from microwork.ledger.models import Account, Entry, Transaction
from microwork.ledger.selectors import worker_earnings_by_project
from microwork.ledger.services import quantize
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
    project_id: int
    name: str
    currency: str
    answers: int
    approved: int
    pending: int
    rejected: int
    active_ms: int
    earned: Decimal

    @property
    def hourly(self) -> Decimal | None:
        return hourly(self.earned, self.active_ms)


def worker_project_earnings(*, user: User) -> list[ProjectEarning]:
    """Per project the worker answered: counts, net earnings (rewards, top-ups, paid tests,
    project bonuses; less rejections) and the time the tasks were really on screen."""
    earned = worker_earnings_by_project(user=user)
    rows = (
        Submission.objects.filter(worker=user)
        .values("project_id", "project__name", "project__currency")
        .annotate(
            answers=Count("id"),
            active=Sum("active_ms"),
            approved=Count("id", filter=Q(status=S.APPROVED)),
            pending=Count("id", filter=Q(status=S.PENDING)),
            rejected=Count("id", filter=Q(status=S.REJECTED)),
        )
        .order_by("-answers")
    )
    return [
        ProjectEarning(
            project_id=r["project_id"],
            name=r["project__name"],
            currency=r["project__currency"],
            answers=r["answers"],
            approved=r["approved"],
            pending=r["pending"],
            rejected=r["rejected"],
            active_ms=int(r["active"] or 0),
            earned=earned.get(r["project_id"], Decimal(0)),
        )
        for r in rows
    ]


def worker_overall_hourly(rows: list[ProjectEarning], currency: str) -> Decimal | None:
    mine = [r for r in rows if r.currency == currency]
    return hourly(sum((r.earned for r in mine), Decimal(0)), sum(r.active_ms for r in mine))


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
    projects = list(Project.objects.filter(organisation=organisation).order_by("-created_at"))
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


def pay_floor_notices_open(*, organisation: Organisation):
    return (
        PayFloorNotice.objects.filter(project__organisation=organisation, resolved_at__isnull=True)
        .select_related("project")
        .order_by("-created_at")
    )


def submissions_pending_review(*, project: Project, limit: int = 100):
    return (
        Submission.objects.filter(project=project, status=S.PENDING)
        .select_related("worker", "task")
        .order_by("submitted_at")[:limit]
    )


def project_workers(*, project: Project) -> list[User]:
    return list(User.objects.filter(submissions__project=project).distinct().order_by("username"))
