"""Pure arithmetic the full re-estimate and the per-answer estimate share: the prior on a
worker's accuracy, the class list a project's answers are coded with, and how posteriors
and shares are rounded for storage. No database here."""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from microwork.projects.interfaces import TaskInterface

# A worker nobody has measured yet is assumed right two times in three: a Beta(2, 1) prior on
# accuracy, updated by their control-task answers. Weak on purpose: two agreeing strangers
# are not enough to stop a task at a 0.95 target, two workers with a clean gold record are.
PRIOR_RIGHT = 2
PRIOR_WRONG = 1
# Accuracies are kept away from 0 and 1 so one worker can never decide a task alone.
ACCURACY_FLOOR = 0.01
ACCURACY_CEILING = 0.99
POSTERIOR_MIN = 0.001
# The class that stands for "some answer not seen yet" when only one is known (never shown).
OTHER = "(any other answer)"
PLACES = Decimal("0.0001")


def share(value: float) -> Decimal:
    """A probability as stored: four places, halves rounded up."""
    return Decimal(repr(float(value))).quantize(PLACES, rounding=ROUND_HALF_UP)


def posterior(classes: Sequence[str], row: Any) -> dict[str, float]:
    """One task's posterior row as stored: {label: probability} for the classes above
    POSTERIOR_MIN, without the stand-in class."""
    return {
        classes[c]: round(float(p), 4)
        for c, p in enumerate(row.tolist())
        if p >= POSTERIOR_MIN and classes[c] != OTHER
    }


def project_classes(
    interface: "TaskInterface", config: dict[str, Any], seen: Sequence[str]
) -> list[str]:
    """The project's labels in their own order, then any other answer seen (sorted).

    An open-ended interface whose answers so far all agree would have one class, and a model
    with one class is certain of it; a stand-in for "any other answer" keeps it honest."""
    declared = [str(v) for v in (interface.label_values(config) or [])]
    known = set(declared)
    classes = declared + sorted({s for s in seen if s not in known})
    return classes if len(classes) >= 2 else [*classes, OTHER]
