"""Bradley–Terry scores from pairwise comparisons.

R. A. Bradley and M. E. Terry, "Rank Analysis of Incomplete Block Designs", Biometrika 39,
1952; fitted with the minorisation–maximisation updates of D. R. Hunter, "MM algorithms for
generalized Bradley–Terry models", Annals of Statistics 32(1), 2004.

Each item also plays ``prior`` virtual wins and ``prior`` virtual losses against a reference
item of strength 1. Without it an item that never lost has an infinite maximum-likelihood
score and the iteration never converges; with it every score is finite and items nobody
compared sit at 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from .contract import AggregationInputError, FloatArray, IntArray, _as_codes, _check_range
from .registry import aggregator


@dataclass(frozen=True)
class Comparisons:
    """Row ``i``: ``worker[i]`` compared ``left[i]`` with ``right[i]`` and chose ``winner[i]``.

    ``winner`` holds an item code equal to ``left`` or ``right``; ``weight`` (default 1
    each) is how much the row counts: a tie is two rows of 0.5, one won by each side.
    """

    worker: IntArray
    left: IntArray
    right: IntArray
    winner: IntArray
    n_items: int
    n_workers: int
    weight: FloatArray | None = None

    @property
    def weights(self) -> FloatArray:
        if self.weight is None:
            return np.ones(len(self.left))
        return self.weight

    @classmethod
    def from_arrays(
        cls,
        worker: npt.ArrayLike,
        left: npt.ArrayLike,
        right: npt.ArrayLike,
        winner: npt.ArrayLike,
        *,
        n_items: int | None = None,
        n_workers: int | None = None,
        weight: npt.ArrayLike | None = None,
    ) -> Comparisons:
        arrays = {
            name: _as_codes(name, values)
            for name, values in (
                ("worker", worker),
                ("left", left),
                ("right", right),
                ("winner", winner),
            )
        }
        if len({len(a) for a in arrays.values()}) != 1:
            lengths = ", ".join(f"{k}={len(v)}" for k, v in arrays.items())
            raise AggregationInputError(f"comparison arrays differ in length: {lengths}")
        items = np.concatenate([arrays["left"], arrays["right"]])
        n_i = n_items if n_items is not None else (int(items.max()) + 1 if items.size else 0)
        w = arrays["worker"]
        n_w = n_workers if n_workers is not None else (int(w.max()) + 1 if w.size else 0)
        for name in ("left", "right", "winner"):
            _check_range(name, arrays[name], n_i, "items")
        _check_range("worker", w, n_w, "workers")
        stray = (arrays["winner"] != arrays["left"]) & (arrays["winner"] != arrays["right"])
        if stray.any():
            row = int(stray.argmax())
            raise AggregationInputError(
                f"winner[{row}] = {int(arrays['winner'][row])} is neither left nor right item"
            )
        weights = None
        if weight is not None:
            weights = np.asarray(weight, dtype=np.float64)
            if weights.shape != arrays["left"].shape:
                raise AggregationInputError(
                    f"weight has {weights.size} values for {len(arrays['left'])} comparisons"
                )
            if not np.isfinite(weights).all() or (weights < 0).any():
                raise AggregationInputError("weights must be finite and not negative")
        return cls(w, arrays["left"], arrays["right"], arrays["winner"], n_i, n_w, weights)


@dataclass(frozen=True)
class BradleyTerryResult:
    """``scores``: log-strengths (centred, higher is better); ``ranking``: items best first
    (ties: lower item code first); ``probas``: strengths normalised to sum to one;
    ``skills``: share of each worker's choices that agree with the fitted order."""

    scores: FloatArray
    ranking: IntArray
    probas: FloatArray
    skills: FloatArray
    extras: dict[str, Any] = field(default_factory=dict)

    def win_probability(self, item: npt.ArrayLike, other: npt.ArrayLike) -> FloatArray:
        """P(item beats other) under the fitted model."""
        diff = self.scores[np.asarray(item)] - self.scores[np.asarray(other)]
        return 1.0 / (1.0 + np.exp(-diff))


@aggregator("pairwise")
def bradley_terry(
    comparisons: Comparisons, *, prior: float = 1.0, max_iter: int = 10_000, tol: float = 1e-10
) -> BradleyTerryResult:
    if prior <= 0:
        raise AggregationInputError("prior must be positive so that every score is finite")
    n = comparisons.n_items
    a, b = comparisons.left, comparisons.right
    weight = comparisons.weights
    loser = np.where(comparisons.winner == a, b, a)
    wins = np.bincount(comparisons.winner, weights=weight, minlength=n) + prior
    strength = np.ones(n)
    iterations = 0
    for iterations in range(1, max_iter + 1):  # noqa: B007 - the count is reported
        inverse = weight / (strength[a] + strength[b])
        games = np.bincount(a, weights=inverse, minlength=n)
        games += np.bincount(b, weights=inverse, minlength=n)
        games += 2.0 * prior / (strength + 1.0)
        updated = wins / games
        # the reference item pins the scale, but rescaling by the geometric mean keeps the
        # numbers near 1 and the convergence test meaningful
        updated /= np.exp(np.mean(np.log(updated))) if n else 1.0
        change = float(np.max(np.abs(np.log(updated) - np.log(strength)))) if n else 0.0
        strength = updated
        if change < tol:
            break
    scores = np.log(strength) if n else strength
    scores = scores - (scores.mean() if n else 0.0)
    ranking = np.lexsort((np.arange(n), -scores)).astype(np.int64)
    agrees = scores[comparisons.winner] >= scores[loser]
    hits = np.bincount(comparisons.worker, weights=agrees * weight, minlength=comparisons.n_workers)
    seen = np.bincount(comparisons.worker, weights=weight, minlength=comparisons.n_workers)
    with np.errstate(invalid="ignore", divide="ignore"):
        skills = np.where(seen > 0, hits / np.maximum(seen, 1), np.nan)
    probas = strength / strength.sum() if n else strength
    errors = standard_errors(comparisons, scores, prior=prior)
    extras = {"iterations": iterations, "standard_errors": errors}
    return BradleyTerryResult(scores, ranking, probas, skills, extras)


EXACT_LIMIT = 2_000


def standard_errors(comparisons: Comparisons, scores: FloatArray, *, prior: float) -> FloatArray:
    """The standard error of each (centred) score: the square root of the diagonal of the
    inverse Fisher information at ``scores``, centred like the scores are."""
    n = comparisons.n_items
    if not n:
        return np.zeros(0)
    a, b, weight = comparisons.left, comparisons.right, comparisons.weights
    p = 1.0 / (1.0 + np.exp(scores[b] - scores[a]))
    info_pair = weight * p * (1.0 - p)
    # The virtual games against the reference (strength 1: score 0, as the fitted strengths'
    # geometric mean is 1, so the centred scores are the log-strengths themselves).
    q = 1.0 / (1.0 + np.exp(-scores))
    diagonal = 2.0 * prior * q * (1.0 - q)
    diagonal = diagonal + np.bincount(a, weights=info_pair, minlength=n)
    diagonal = diagonal + np.bincount(b, weights=info_pair, minlength=n)
    if n > EXACT_LIMIT:
        return np.asarray(np.sqrt(1.0 / diagonal), dtype=np.float64)
    info = np.diag(diagonal)
    np.subtract.at(info, (a, b), info_pair)
    np.subtract.at(info, (b, a), info_pair)
    covariance = np.linalg.inv(info)
    # Var(s_i - mean(s)) = C_ii - 2 mean_j C_ij + mean_jk C_jk
    row_means = covariance.mean(axis=1)
    centred = np.diag(covariance) - 2.0 * row_means + row_means.mean()
    return np.asarray(np.sqrt(np.maximum(centred, 0.0)), dtype=np.float64)


def components(comparisons: Comparisons) -> IntArray:
    """The group of items each item can be compared with through a chain of comparisons,
    numbered 0, 1, … in order of each group's first item. Scores are only comparable inside
    a group: between two groups only the prior relates them."""
    parent = list(range(comparisons.n_items))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for left, right in zip(comparisons.left.tolist(), comparisons.right.tolist(), strict=True):
        first, second = root(left), root(right)
        if first != second:
            parent[max(first, second)] = min(first, second)
    numbers: dict[int, int] = {}
    out = [numbers.setdefault(root(i), len(numbers)) for i in range(comparisons.n_items)]
    return np.asarray(out, dtype=np.int64)
