"""Free-text answers: the medoid under normalised edit distance.

The chosen answer is the one with the smallest total distance to the task's other answers
(the "most central" transcription), a common baseline for text aggregation; see e.g.
D. Ustalov et al., crowd-kit's TextSummarization/ROVER discussion, and J. G. Fiscus, "A
post-processing system to yield reduced word error rates: ROVER", 1997, for the voting idea.
Distances compare normalised strings (case-folded, whitespace collapsed); the label returned
is the code of an original answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from .contract import NO_LABEL, AggregationInputError, AggregationResult, Answers, check_gold
from .registry import aggregator


def normalise_text(text: str) -> str:
    return " ".join(text.casefold().split())


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one vectorised numpy pass per character of ``a``.

    Insertions along a row depend on the cell to their left; D[j] = min_k(tmp[k] + j - k) is
    a running minimum of (tmp - index), which np.minimum.accumulate computes without a loop.
    """
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return len(a)
    b_codes = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    index = np.arange(len(b) + 1)
    row = index.copy()
    for i, char in enumerate(a.encode("utf-32-le").decode("utf-32-le"), start=1):
        cost = (b_codes != ord(char)).astype(np.int64)
        tmp = np.empty_like(row)
        tmp[0] = i
        tmp[1:] = np.minimum(row[1:] + 1, row[:-1] + cost)
        row = np.minimum.accumulate(tmp - index) + index
    return int(row[-1])


def normalised_distance(a: str, b: str) -> float:
    longest = max(len(a), len(b))
    return edit_distance(a, b) / longest if longest else 0.0


@aggregator("text")
def text_medoid(
    answers: Answers, vocabulary: Sequence[str], gold: npt.ArrayLike | None = None
) -> AggregationResult:
    """``answers.label`` indexes ``vocabulary`` (the distinct answer strings).

    ``probas`` is a sparse n_tasks x n_classes matrix with one entry per task: the mean
    similarity (1 - normalised distance) of the task's answers to the chosen one. Ties go to
    the answer given most often, then to the lowest vocabulary code. ``skills`` is each
    worker's mean similarity to the chosen answers. ``gold`` is accepted and unused.
    """
    check_gold(answers, gold)
    if len(vocabulary) != answers.n_classes:
        raise AggregationInputError(
            f"vocabulary has {len(vocabulary)} entries but n_classes is {answers.n_classes}"
        )
    normal = [normalise_text(v) for v in vocabulary]
    labels = np.full(answers.n_tasks, NO_LABEL, dtype=np.int64)
    confidence = np.zeros(answers.n_tasks)
    similarity = np.zeros(answers.n_answers)
    order = np.argsort(answers.task, kind="stable")
    bounds = np.flatnonzero(np.diff(answers.task[order])) + 1
    cache: dict[tuple[str, str], float] = {}
    # one small distance matrix per task: texts are few per task and the cost is in the
    # string comparisons, which are cached across tasks
    for group in np.split(order, bounds) if len(order) else []:
        task = int(answers.task[group[0]])
        codes, counts = np.unique(answers.label[group], return_counts=True)
        strings = [normal[c] for c in codes]
        size = len(codes)
        dist = np.zeros((size, size))
        for i in range(size):
            for j in range(i + 1, size):
                key = (strings[i], strings[j])
                if key not in cache:
                    cache[key] = normalised_distance(*key)
                dist[i, j] = dist[j, i] = cache[key]
        total = dist @ counts
        best = int(np.lexsort((codes, -counts, total))[0])
        labels[task] = codes[best]
        position = np.searchsorted(codes, answers.label[group])
        similarity[group] = 1.0 - dist[best, position]
        confidence[task] = float(similarity[group].mean())
    has = labels >= 0
    probas = sp.csr_array(
        (confidence[has], (np.flatnonzero(has), labels[has])),
        shape=(answers.n_tasks, answers.n_classes),
    )
    hits = np.bincount(answers.worker, weights=similarity, minlength=answers.n_workers)
    seen = np.bincount(answers.worker, minlength=answers.n_workers)
    with np.errstate(invalid="ignore", divide="ignore"):
        skills = np.where(seen > 0, hits / np.maximum(seen, 1), np.nan)
    return AggregationResult(labels, probas, skills, {"confidence": confidence})
