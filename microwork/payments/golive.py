"""What going live costs, read before the requester presses the button: the tasks not yet
paid for, times the answers each collects, times the reward, plus the control answers asked
alongside and the platform fee on every answer; against the funds available. The same sum
escrow reserves when the project goes live (payments.services.escrow.escrow_needed)."""

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from microwork.ledger.models import Account
from microwork.lib.money import CURRENCIES
from microwork.payments.services.accounts import unit_fee
from microwork.payments.services.escrow import funded_task_count
from microwork.projects.models import Project, Task


@dataclass(frozen=True)
class GoLiveCost:
    currency: str
    tasks: int
    overlap: int
    reward: Decimal
    answers: int
    control_answers: int
    rewards: Decimal
    fee: Decimal
    total: Decimal
    available: Decimal
    already_reserved: Decimal
    # Control answers are reserved at the project's control share whether or not its control
    # tasks are uploaded yet; the page says so when there are none.
    has_controls: bool = True

    @property
    def shortfall(self) -> Decimal:
        return max(Decimal(0), self.total - self.available)

    @property
    def to_add(self) -> str:
        """The shortfall rounded up to the currency's minor unit, for the deposit form."""
        places = CURRENCIES.get(self.currency, 2)
        step = Decimal(1).scaleb(-places)
        return str(max(Decimal(1), self.shortfall.quantize(step, rounding=ROUND_CEILING)))

    @property
    def enough(self) -> bool:
        return self.shortfall == 0


def go_live_cost(*, project: Project) -> GoLiveCost:
    funded = funded_task_count(project)
    total_tasks = Task.objects.filter(project=project, is_gold=False).count()
    tasks = max(0, total_tasks - funded)
    answers = tasks * project.overlap
    gold = Decimal(project.gold_rate)
    control = math.ceil(answers * gold / (1 - gold)) if 0 < gold < 1 else 0
    rewards = project.reward * (answers + control)
    fee = unit_fee(project) * (answers + control)
    available = (
        Account.objects.filter(
            organisation_id=project.organisation_id,
            kind=Account.Kind.REQUESTER_AVAILABLE,
            currency=project.currency,
        )
        .values_list("balance", flat=True)
        .first()
    )
    reserved = (
        Account.objects.filter(
            kind=Account.Kind.REQUESTER_ESCROW, project_id=project.pk, currency=project.currency
        )
        .values_list("balance", flat=True)
        .first()
    )
    return GoLiveCost(
        currency=project.currency,
        tasks=tasks,
        overlap=project.overlap,
        reward=project.reward,
        answers=answers,
        control_answers=control,
        rewards=rewards,
        fee=fee,
        total=rewards + fee,
        available=available or Decimal(0),
        already_reserved=reserved or Decimal(0),
        has_controls=Task.objects.filter(project=project, is_gold=True).exists(),
    )
