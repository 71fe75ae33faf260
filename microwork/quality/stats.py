"""Pure arithmetic of quality control: a worker's accuracy on control tasks as a Beta
posterior with its credible interval, shown on skill pages and compared by the rules."""

from dataclasses import dataclass
from functools import lru_cache

from scipy.stats import beta

# Beta(1, 1) is the uniform prior: before any control answer, every accuracy is as likely.
PRIOR_A = 1
PRIOR_B = 1
CREDIBLE = 0.90


@dataclass(frozen=True)
class BetaSummary:
    correct: int
    total: int
    mean: float
    low: float
    high: float


@lru_cache(maxsize=4096)
def beta_summary(*, correct: int, total: int) -> BetaSummary:
    """Posterior of accuracy after `correct` of `total` control answers, with the central
    90 % credible interval (5th and 95th percentiles)."""
    a = PRIOR_A + correct
    b = PRIOR_B + (total - correct)
    tail = (1 - CREDIBLE) / 2
    return BetaSummary(
        correct=correct,
        total=total,
        mean=a / (a + b),
        low=float(beta.ppf(tail, a, b)),
        high=float(beta.ppf(1 - tail, a, b)),
    )
