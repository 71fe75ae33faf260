"""A ranking of the things a pairwise project compares (models, answers, pictures), made from
every counted answer of every task, not from each pair's aggregated winner: a pair seen by
five workers who split 3–2 is three wins and two losses, not one win.

Rules (docs/aggregation.md, "Rankings"):
- Items are what each task compares (the interface's `compared_items`: `a_id`/`b_id`, or by
  default the text or picture itself); an item may appear in many tasks.
- "A is better" is a win for A over B; "about the same" is half a win each; "both are bad" is
  no comparison, counted apart for each item.
- Answers counted: pending and approved, as for the results.
- Scores: Bradley–Terry log-strengths (centred, higher is better) with a 95% interval from
  their standard errors; an item is only comparable with the items it is linked to through a
  chain of comparisons: when the comparisons fall into separate groups, each item says which.
- Items nobody compared yet are listed last, without a rank.
"""

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from microwork.aggregation.algorithms.bradley_terry import (
    Comparisons,
    bradley_terry,
    components,
)
from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import get_interface
from microwork.projects.models import Project, Task
from microwork.work.models import Submission

COUNTED = (Submission.Status.PENDING, Submission.Status.APPROVED)
Z_95 = 1.959963984540054
METHOD = "bt"


@dataclass
class RankedItem:
    item: str
    rank: int | None = None
    score: float | None = None
    std_error: float | None = None
    low: float | None = None
    high: float | None = None
    # The chance this item beats an average one (score 0), 0–1.
    win_rate: float | None = None
    wins: int = 0
    losses: int = 0
    ties: int = 0
    both_bad: int = 0
    comparisons: int = 0
    group: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "rank": self.rank,
            "score": self.score,
            "std_error": self.std_error,
            "low": self.low,
            "high": self.high,
            "win_rate": self.win_rate,
            "wins": self.wins,
            "losses": self.losses,
            "ties": self.ties,
            "both_bad": self.both_bad,
            "comparisons": self.comparisons,
            "group": self.group,
        }


@dataclass
class Ranking:
    items: list[RankedItem] = field(default_factory=list)
    method: str = METHOD
    comparisons: int = 0
    both_bad: int = 0
    tasks: int = 0
    groups: int = 0

    @property
    def connected(self) -> bool:
        return self.groups <= 1

    @property
    def ranked(self) -> list[RankedItem]:
        return [i for i in self.items if i.rank is not None]

    @property
    def unranked(self) -> list[RankedItem]:
        return [i for i in self.items if i.rank is None]

    def explanation(self) -> str:
        if not self.comparisons:
            return _("No comparisons yet: the ranking appears with the first answers.")
        if not self.connected:
            return _(
                "The comparisons fall into %(n)d separate groups that were never compared with "
                "each other: scores compare items within a group only. Add pairs across the "
                "groups to rank them all together."
            ) % {"n": self.groups}
        return _("Every compared item is linked to every other through the comparisons.")


def has_ranking(project: Project) -> bool:
    """Whether the project's kind compares items (and so has a ranking)."""
    return hasattr(get_interface(project.interface), "compared_items")


def project_ranking(*, project: Project) -> Ranking:
    """The project's items ranked from every counted comparison so far."""
    interface = get_interface(project.interface)
    compared = getattr(interface, "compared_items", None)
    if compared is None:
        raise ApplicationError(
            _("Only projects that compare two items have a ranking."),
            code="no_ranking",
            field="project_id",
        )
    codes: dict[str, int] = {}
    pairs: dict[int, tuple[int, int]] = {}
    tasks = Task.objects.filter(project=project).order_by("id").values_list("id", "data")
    for task_id, data in tasks.iterator(chunk_size=2_000):
        a, b = compared(data or {})
        pairs[task_id] = (codes.setdefault(a, len(codes)), codes.setdefault(b, len(codes)))
    items = [RankedItem(item=name) for name in codes]

    workers: dict[int, int] = {}
    worker, left, right, winner, weight = [], [], [], [], []
    ranking = Ranking(items=items)
    compared_tasks: set[int] = set()
    answers = (
        Submission.objects.filter(project=project, status__in=COUNTED)
        .order_by("id")
        .values_list("task_id", "worker_id", "answer")
    )
    for task_id, worker_id, answer in answers.iterator(chunk_size=5_000):
        pair = pairs.get(task_id)
        choice = interface.answer_label(answer)
        if pair is None:
            continue
        a, b = pair
        if choice == "both_bad":
            items[a].both_bad += 1
            items[b].both_bad += 1
            ranking.both_bad += 1
            continue
        if choice not in ("a", "b", "tie"):
            continue
        code = workers.setdefault(worker_id, len(workers))
        compared_tasks.add(task_id)
        ranking.comparisons += 1
        items[a].comparisons += 1
        items[b].comparisons += 1
        if choice == "tie":
            items[a].ties += 1
            items[b].ties += 1
            rows = [(a, 0.5), (b, 0.5)]
        else:
            win, lose = (a, b) if choice == "a" else (b, a)
            items[win].wins += 1
            items[lose].losses += 1
            rows = [(win, 1.0)]
        for won, share in rows:
            worker.append(code)
            left.append(a)
            right.append(b)
            winner.append(won)
            weight.append(share)
    # The pairs actually compared, not every task of the project (most may be unanswered).
    ranking.tasks = len(compared_tasks)
    _fit(ranking, worker, left, right, winner, weight, n_workers=len(workers))
    return ranking


def _fit(
    ranking: Ranking,
    worker: list[int],
    left: list[int],
    right: list[int],
    winner: list[int],
    weight: list[float],
    *,
    n_workers: int,
) -> None:
    items = ranking.items
    if not ranking.comparisons:
        return
    data = Comparisons.from_arrays(
        worker, left, right, winner, n_items=len(items), n_workers=n_workers, weight=weight
    )
    result = bradley_terry(data)
    errors = result.extras["standard_errors"]
    group_of = components(data)
    # Groups numbered among compared items only, in rank order: group 1 holds the best item.
    order = [int(i) for i in result.ranking if items[int(i)].comparisons]
    numbers: dict[int, int] = {}
    for position, index in enumerate(order, start=1):
        item = items[index]
        score, error = float(result.scores[index]), float(errors[index])
        item.rank = position
        item.score = round(score, 4)
        item.std_error = round(error, 4)
        item.low = round(score - Z_95 * error, 4)
        item.high = round(score + Z_95 * error, 4)
        item.win_rate = round(1.0 / (1.0 + math.exp(-score)), 4)
        item.group = numbers.setdefault(int(group_of[index]), len(numbers) + 1)
    ranking.groups = len(numbers)
    place = {index: n for n, index in enumerate(order)}
    ordered = sorted(range(len(items)), key=lambda i: (place.get(i, len(order)), items[i].item))
    ranking.items = [items[i] for i in ordered]


def ranking_record(ranking: Ranking) -> dict[str, Any]:
    """The ranking as the API and the JSON download give it."""
    return {
        "method": ranking.method,
        "tasks": ranking.tasks,
        "comparisons": ranking.comparisons,
        "both_bad": ranking.both_bad,
        "groups": ranking.groups,
        "connected": ranking.connected,
        "explanation": ranking.explanation(),
        "items": [i.as_dict() for i in ranking.items],
    }
