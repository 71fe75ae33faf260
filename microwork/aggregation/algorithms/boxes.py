"""Boxes and polygons drawn on a picture: the shapes the crowd agrees on, label by label.

For each label, the shapes the workers drew are clustered by overlap: every shape starts as a
cluster of its own, and the two clusters with the highest mean pairwise IoU
(`microwork.lib.geometry.shape_iou`) merge while that IoU reaches ``iou_threshold`` (config,
default 0.5) and no worker would then have two shapes in one cluster. This average-linkage
merge depends only on the shapes, not on the order of the votes. A cluster is kept when the
workers in it carry at least half of the total weight. Its shape is the weighted mean of its
boxes' edges, or, when it holds a polygon, its medoid (the member with the highest weighted
IoU to the others).

Each kept shape has a part with its label, ``confidence`` (the weight share of the workers
who drew it) and ``support`` (how many did). The whole confidence is the mean over the kept
shapes; for an empty value, the weight share of the votes that drew nothing. A vote's
agreement is the F1 score of its shapes against the value: a shape matches a value shape of
the same label at IoU >= threshold, one to one, best overlaps first.

Cost: pairwise IoU of shapes of the same label whose bounds touch (exact for boxes, about a
millisecond for polygons, see lib/geometry.py) and a merge loop cubic in the shapes of one
label; answers are limited upstream to a few dozen shapes each.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from microwork.lib.geometry import shape_bounds, shape_iou

from ._common import vote_weights
from .consensus import Consensus, Vote

DEFAULT_THRESHOLD = 0.5
_ROUND = 9


def _shapes(answer: Any) -> list[Mapping[str, Any]]:
    if not isinstance(answer, list):
        return []
    return [s for s in answer if isinstance(s, Mapping) and ("points" in s or "w" in s)]


def _threshold(config: Mapping[str, Any]) -> float:
    try:
        value = float(config.get("iou_threshold", DEFAULT_THRESHOLD))
    except (TypeError, ValueError):
        return DEFAULT_THRESHOLD
    return min(max(value, 0.01), 1.0)


def _sort_key(shape: Mapping[str, Any]) -> tuple[Any, ...]:
    x0, y0, x1, y1 = shape_bounds(shape)
    return (str(shape.get("label", "")), round(y0, 6), round(x0, 6), round(y1, 6), round(x1, 6),
            repr(sorted(shape.items())))  # fmt: skip


def boxes(votes: Sequence[Vote], *, config: Mapping[str, Any], data: Any) -> Consensus:
    """The shapes the crowd agrees on (see the module docstring)."""
    threshold = _threshold(config)
    weights = vote_weights(votes)
    total = float(weights.sum())
    drawn = [_shapes(vote.answer) for vote in votes]
    by_label: dict[str, list[tuple[int, Mapping[str, Any]]]] = defaultdict(list)
    for vote, shapes in enumerate(drawn):
        for shape in shapes:
            by_label[str(shape.get("label", ""))].append((vote, shape))

    kept: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for label, members in by_label.items():
        # Content order, so that the clusters (and their ties) do not depend on vote order.
        members.sort(key=lambda m: (_sort_key(m[1]), weights[m[0]]))
        iou = _iou_matrix([shape for _vote, shape in members])
        for cluster in _clusters(members, iou, threshold):
            workers = sorted({members[i][0] for i in cluster})
            support = float(weights[workers].sum())
            if round(support, _ROUND) < round(total / 2, _ROUND):
                continue
            shape = _merged([members[i] for i in cluster], iou[np.ix_(cluster, cluster)], weights)
            shape = {"label": label, **shape}
            kept.append((shape, {"label": label, "confidence": support / total,
                                 "support": len(workers)}))  # fmt: skip
    kept.sort(key=lambda item: _sort_key(item[0]))
    value = [shape for shape, _part in kept]
    parts = tuple(part for _shape, part in kept)
    if parts:
        confidence = float(np.mean([p["confidence"] for p in parts]))
    else:
        confidence = float(weights[[not shapes for shapes in drawn]].sum()) / total
    agreement = tuple(_f1(shapes, value, threshold) for shapes in drawn)
    return Consensus(value=value, confidence=confidence, agreement=agreement, parts=parts)


def _iou_matrix(shapes: Sequence[Mapping[str, Any]]) -> np.ndarray:
    n = len(shapes)
    bounds = [shape_bounds(s) for s in shapes]
    iou = np.eye(n)
    for i in range(n):
        ax0, ay0, ax1, ay1 = bounds[i]
        for j in range(i + 1, n):
            bx0, by0, bx1, by1 = bounds[j]
            if ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0:
                continue
            iou[i, j] = iou[j, i] = shape_iou(shapes[i], shapes[j])
    return iou


def _clusters(
    members: Sequence[tuple[int, Mapping[str, Any]]], iou: np.ndarray, threshold: float
) -> list[list[int]]:
    """Average-linkage merging with at most one shape per worker in a cluster."""
    n = len(members)
    link = iou.copy()  # mean pairwise IoU between clusters
    voters = np.array([vote for vote, _shape in members])
    blocked = voters[:, None] == voters[None, :]  # the two clusters share a worker
    clusters: list[list[int]] = [[i] for i in range(n)]
    alive = np.ones(n, dtype=bool)
    while n > 1:
        open_ = alive[:, None] & alive[None, :] & ~blocked
        candidates = np.where(open_, np.round(link, _ROUND), -1.0)
        flat = int(np.argmax(candidates))  # first maximum: content order breaks ties
        a, b = divmod(flat, n)
        if candidates[a, b] < threshold:
            break
        a, b = min(a, b), max(a, b)
        size_a, size_b = len(clusters[a]), len(clusters[b])
        link[a] = (link[a] * size_a + link[b] * size_b) / (size_a + size_b)
        link[:, a] = link[a]
        blocked[a] |= blocked[b]
        blocked[:, a] = blocked[a]
        clusters[a] += clusters[b]
        alive[b] = False
    return [clusters[i] for i in np.flatnonzero(alive)]


def _merged(
    members: Sequence[tuple[int, Mapping[str, Any]]], iou: np.ndarray, weights: np.ndarray
) -> dict[str, Any]:
    shapes = [shape for _vote, shape in members]
    w = np.array([weights[vote] for vote, _shape in members])
    if all("points" not in s for s in shapes):
        edges = np.array([[s["x"], s["y"], s["x"] + s["w"], s["y"] + s["h"]] for s in shapes],
                         dtype=np.float64)  # fmt: skip
        x0, y0, x1, y1 = (round(float(e), 6) for e in (w @ edges) / w.sum())
        return {"x": x0, "y": y0, "w": round(x1 - x0, 6), "h": round(y1 - y0, 6)}
    scores = np.round(iou @ w, _ROUND)
    medoid = shapes[int(np.argmax(scores))]  # first maximum: content order breaks ties
    if "points" in medoid:
        return {"points": [list(p) for p in medoid["points"]]}
    return {k: medoid[k] for k in ("x", "y", "w", "h")}


def _f1(shapes: Sequence[Mapping[str, Any]], value: Sequence[Mapping[str, Any]],
        threshold: float) -> float:  # fmt: skip
    if not shapes and not value:
        return 1.0
    if not shapes or not value:
        return 0.0
    pairs = []
    for i, shape in enumerate(shapes):
        for j, target in enumerate(value):
            if str(shape.get("label", "")) == target["label"]:
                iou = shape_iou(shape, target)
                if iou >= threshold:
                    pairs.append((-iou, i, j))
    pairs.sort()
    used_i: set[int] = set()
    used_j: set[int] = set()
    for _iou, i, j in pairs:
        if i not in used_i and j not in used_j:
            used_i.add(i)
            used_j.add(j)
    matched = len(used_i)
    return 2 * matched / (len(shapes) + len(value))
