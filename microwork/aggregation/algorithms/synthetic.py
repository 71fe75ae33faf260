"""Crowds with a known truth for the consensus methods: transcripts, boxes and spans.

Each generator is seeded (the same seed gives the same crowd) and returns one
:class:`SyntheticTask` per task: the task's data, the true answer and the workers' votes. A
worker has a skill of their own (0 hopeless, 1 perfect) that sets how often they err, so a
crowd mixes careful and careless workers as a real one does. The scores below (corpus WER,
micro-averaged F1) are what the accuracy tests and the bench compare: the consensus, a single
worker, and the commonest whole answer.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from microwork.lib.geometry import shape_iou
from microwork.lib.words import tokens, word_distance

from .consensus import Vote

# Everyday words in English and French, the two languages the platform's workers transcribe.
WORDS = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "it",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "at",
    "by",
    "this",
    "from",
    "be",
    "have",
    "not",
    "are",
    "but",
    "or",
    "we",
    "they",
    "you",
    "he",
    "she",
    "one",
    "all",
    "there",
    "their",
    "what",
    "so",
    "up",
    "out",
    "if",
    "about",
    "who",
    "get",
    "which",
    "go",
    "me",
    "when",
    "make",
    "can",
    "like",
    "time",
    "no",
    "just",
    "him",
    "know",
    "take",
    "people",
    "into",
    "year",
    "your",
    "good",
    "some",
    "could",
    "them",
    "see",
    "other",
    "than",
    "then",
    "now",
    "look",
    "only",
    "come",
    "its",
    "over",
    "think",
    "also",
    "back",
    "after",
    "use",
    "two",
    "how",
    "our",
    "work",
    "first",
    "well",
    "way",
    "even",
    "new",
    "want",
    "because",
    "any",
    "these",
    "give",
    "day",
    "most",
    "us",
    "water",
    "market",
    "price",
    "rain",
    "road",
    "school",
    "child",
    "mother",
    "doctor",
    "village",
    "river",
    "city",
    "phone",
    "money",
    "morning",
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "de",
    "du",
    "et",
    "est",
    "en",
    "que",
    "qui",
    "dans",
    "pour",
    "pas",
    "sur",
    "au",
    "avec",
    "il",
    "elle",
    "nous",
    "vous",
    "ils",
    "ce",
    "cette",
    "mais",
    "ou",
    "où",
    "bien",
    "très",
    "plus",
    "tout",
    "faire",
    "dire",
    "aller",
    "voir",
    "savoir",
    "pouvoir",
    "vouloir",
    "venir",
    "prendre",
    "marché",
    "prix",
    "pluie",
    "route",
    "école",
    "enfant",
    "mère",
    "médecin",
    "ville",
    "fleuve",
    "téléphone",
    "argent",
    "matin",
    "soir",
    "demain",
    "hier",
    "aujourd'hui",
    "merci",
    "bonjour",
    "beaucoup",
    "ça",
    "déjà",
    "encore",
]

PERSONS = ("Amina Diallo", "Kwame Mensah", "Jean Dupont", "Fatou Ndiaye", "Chinedu Okafor",
           "Marie Claire Kouassi", "Samuel", "Aïcha Traoré", "John Smith", "Nadia")  # fmt: skip
PLACES = ("Dakar", "Abidjan", "Lagos", "New York", "Lyon", "Bamako", "Port Harcourt",
          "Saint Louis", "Accra", "Paris")  # fmt: skip
ORGANISATIONS = ("World Bank", "Orange", "United Nations", "Banque Centrale", "Ecobank",
                 "Red Cross", "MTN", "Air Sénégal")  # fmt: skip
ENTITIES = {"PER": PERSONS, "LOC": PLACES, "ORG": ORGANISATIONS}
BOX_LABELS = ("person", "car", "bicycle", "dog")


@dataclass(frozen=True)
class SyntheticTask:
    data: dict[str, Any]
    truth: Any
    votes: tuple[Vote, ...]


def _skills(rng: np.random.Generator, n_workers: int, low: float, high: float) -> np.ndarray:
    return rng.uniform(low, high, n_workers)


def _crowd(rng: np.random.Generator, n_workers: int, per_task: int) -> list[int]:
    return sorted(rng.choice(n_workers, size=min(per_task, n_workers), replace=False).tolist())


# -- transcripts ------------------------------------------------------------------------------


def text_crowd(
    n_tasks: int = 200,
    *,
    n_workers: int = 5,
    per_task: int = 5,
    seed: int = 0,
    error_rates: Sequence[float] | None = None,
) -> list[SyntheticTask]:
    """Sentences of 6-16 words; each worker errs on a word at their own rate (0.05-0.4 unless
    ``error_rates`` gives them): half substitutions, a quarter deletions, a quarter
    insertions. Case and final punctuation vary too, which word comparisons ignore."""
    rng = np.random.default_rng(seed)
    rates = np.asarray(
        error_rates if error_rates is not None else rng.uniform(0.05, 0.4, n_workers)
    )
    tasks = []
    for _ in range(n_tasks):
        words = [str(w) for w in rng.choice(WORDS, size=int(rng.integers(6, 17)))]
        truth = " ".join([words[0].capitalize(), *words[1:]]) + "."
        votes = []
        for worker in _crowd(rng, len(rates), per_task):
            out: list[str] = []
            for word in words:
                if rng.random() >= rates[worker]:
                    out.append(word)
                    continue
                op = rng.random()
                if op < 0.5:
                    out.append(str(rng.choice(WORDS)))
                elif op < 0.75:
                    out.append(word)
                    out.append(str(rng.choice(WORDS)))
            if out and rng.random() < 0.7:
                out[0] = out[0].capitalize()
            text = " ".join(out) + ("." if out and rng.random() < 0.6 else "")
            votes.append(Vote(worker=worker, answer=text, weight=1.0))
        tasks.append(SyntheticTask(data={}, truth=truth, votes=tuple(votes)))
    return tasks


def corpus_wer(pairs: Sequence[tuple[str, str]]) -> float:
    """Word edits over reference words, summed over (hypothesis, reference) pairs."""
    edits = words = 0
    for hypothesis, reference in pairs:
        ref = tokens(reference)
        edits += word_distance(tokens(hypothesis), ref)
        words += len(ref)
    return edits / max(words, 1)


# -- boxes ------------------------------------------------------------------------------------


def _clip(box: Mapping[str, Any]) -> dict[str, Any]:
    x0, y0 = max(0.0, box["x"]), max(0.0, box["y"])
    x1, y1 = min(1.0, box["x"] + box["w"]), min(1.0, box["y"] + box["h"])
    x1, y1 = max(x1, min(x0 + 0.01, 1.0)), max(y1, min(y0 + 0.01, 1.0))
    x0, y0 = min(x0, x1 - 0.01), min(y0, y1 - 0.01)
    return {"label": box["label"], "x": x0, "y": y0, "w": x1 - x0, "h": y1 - y0}


def _octagon(box: Mapping[str, Any]) -> list[list[float]]:
    cx, cy = box["x"] + box["w"] / 2, box["y"] + box["h"] / 2
    angles = np.arange(8) * np.pi / 4
    return [[float(cx + box["w"] / 2 * np.cos(a)), float(cy + box["h"] / 2 * np.sin(a))]
            for a in angles]  # fmt: skip


def box_crowd(
    n_tasks: int = 200,
    *,
    n_workers: int = 5,
    per_task: int = 5,
    seed: int = 0,
    polygons: float = 0.0,
) -> list[SyntheticTask]:
    """Pictures with 1-4 objects of 4 labels (a share ``polygons`` of them drawn as
    octagons); a worker of skill s jitters each edge by (2 + 6(1-s))% of the object's size,
    misses an object with probability 0.05 + 0.25(1-s), gives it a wrong label with
    0.02 + 0.15(1-s), and draws Poisson(0.1 + 0.5(1-s)) boxes round nothing."""
    rng = np.random.default_rng(seed)
    skill = _skills(rng, n_workers, 0.2, 1.0)
    tasks = []
    for _ in range(n_tasks):
        truth: list[dict[str, Any]] = []
        wanted = int(rng.integers(1, 5))
        for _try in range(50):
            if len(truth) == wanted:
                break
            w, h = rng.uniform(0.1, 0.35, 2)
            box = {"label": str(rng.choice(BOX_LABELS)), "x": float(rng.uniform(0, 1 - w)),
                   "y": float(rng.uniform(0, 1 - h)), "w": float(w), "h": float(h)}  # fmt: skip
            if all(shape_iou(box, other) < 0.2 for other in truth):
                truth.append(box)
        is_polygon = [bool(rng.random() < polygons) for _ in truth]
        votes = []
        for worker in _crowd(rng, n_workers, per_task):
            s = skill[worker]
            drawn: list[dict[str, Any]] = []
            for box, polygon in zip(truth, is_polygon, strict=True):
                if rng.random() < 0.05 + 0.25 * (1 - s):
                    continue
                label = box["label"]
                if rng.random() < 0.02 + 0.15 * (1 - s):
                    label = str(rng.choice([lab for lab in BOX_LABELS if lab != label]))
                sd = 0.02 + 0.06 * (1 - s)
                if polygon:
                    points = np.array(_octagon(box))
                    points += rng.normal(0, sd, points.shape) * [box["w"], box["h"]]
                    points = np.clip(points, 0.0, 1.0)
                    drawn.append({"label": label, "points": points.round(6).tolist()})
                    continue
                dx0, dx1 = rng.normal(0, sd * box["w"], 2)
                dy0, dy1 = rng.normal(0, sd * box["h"], 2)
                jittered = {"label": label, "x": box["x"] + dx0, "y": box["y"] + dy0,
                            "w": box["w"] + dx1 - dx0, "h": box["h"] + dy1 - dy0}  # fmt: skip
                drawn.append(_clip(jittered))
            for _fp in range(int(rng.poisson(0.1 + 0.5 * (1 - s)))):
                w, h = rng.uniform(0.05, 0.25, 2)
                drawn.append(_clip({"label": str(rng.choice(BOX_LABELS)),
                                    "x": float(rng.uniform(0, 1 - w)),
                                    "y": float(rng.uniform(0, 1 - h)),
                                    "w": float(w), "h": float(h)}))  # fmt: skip
            votes.append(Vote(worker=worker, answer=drawn, weight=1.0))
        value = [
            {"label": b["label"], "points": _octagon(b)} if polygon else b
            for b, polygon in zip(truth, is_polygon, strict=True)
        ]
        tasks.append(SyntheticTask(data={}, truth=value, votes=tuple(votes)))
    return tasks


def box_match(
    predicted: Sequence[Mapping[str, Any]],
    truth: Sequence[Mapping[str, Any]],
    threshold: float = 0.5,
) -> tuple[float, int]:
    """(sum over true shapes of the IoU of its match, or 0; matches at IoU >= threshold):
    same label, one to one, best overlaps first."""
    pairs = sorted(
        (-iou, i, j)
        for i, p in enumerate(predicted)
        for j, t in enumerate(truth)
        if p.get("label") == t.get("label") and (iou := shape_iou(p, t)) > 0
    )
    used_p: set[int] = set()
    used_t: set[int] = set()
    iou_sum, hits = 0.0, 0
    for negative, i, j in pairs:
        if i in used_p or j in used_t:
            continue
        used_p.add(i)
        used_t.add(j)
        iou_sum += -negative
        hits += -negative >= threshold
    return iou_sum, hits


def box_scores(
    pairs: Sequence[tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]],
    threshold: float = 0.5,
) -> tuple[float, float]:
    """(mean IoU per true shape, micro F1 at IoU >= threshold) over (predicted, truth)."""
    iou_sum = 0.0
    hits = n_pred = n_true = 0
    for predicted, truth in pairs:
        s, h = box_match(predicted, truth, threshold)
        iou_sum, hits = iou_sum + s, hits + h
        n_pred, n_true = n_pred + len(predicted), n_true + len(truth)
    return iou_sum / max(n_true, 1), 2 * hits / max(n_pred + n_true, 1)


# -- spans ------------------------------------------------------------------------------------


def span_crowd(
    n_tasks: int = 200,
    *,
    n_workers: int = 5,
    per_task: int = 5,
    seed: int = 0,
) -> list[SyntheticTask]:
    """Texts of 10-25 words with 1-3 named entities (PER, LOC, ORG); a worker of skill s
    misses an entity with probability 0.05 + 0.3(1-s), gives it a wrong label with
    0.03 + 0.15(1-s), moves one of its edges by a word with 0.05 + 0.3(1-s), and marks
    Poisson(0.05 + 0.4(1-s)) words that are no entity."""
    rng = np.random.default_rng(seed)
    skill = _skills(rng, n_workers, 0.2, 1.0)
    labels = sorted(ENTITIES)
    tasks = []
    for _ in range(n_tasks):
        words = [str(w) for w in rng.choice(WORDS, size=int(rng.integers(10, 26)))]
        entities: list[tuple[int, int, str]] = []  # first word, end word (exclusive), label
        for _e in range(int(rng.integers(1, 4))):
            label = labels[int(rng.integers(len(labels)))]
            name = str(rng.choice(ENTITIES[label])).split()
            at = int(rng.integers(0, len(words) + 1))
            if any(a < at < b for a, b, _lab in entities):
                continue  # would split another entity
            entities = [(a + len(name), b + len(name), lab) if a >= at else (a, b, lab)
                        for a, b, lab in entities]  # fmt: skip
            words[at:at] = name
            entities.append((at, at + len(name), label))
        entities.sort()
        starts, ends, pos = [], [], 0
        for word in words:
            starts.append(pos)
            ends.append(pos + len(word))
            pos += len(word) + 1
        text = " ".join(words)
        in_entity = {w for a, b, _lab in entities for w in range(a, b)}

        def span(a: int, b: int, label: str) -> dict[str, Any]:
            return {"label": label, "start": starts[a], "end": ends[b - 1]}  # noqa: B023

        truth = [span(a, b, lab) for a, b, lab in entities]
        votes = []
        for worker in _crowd(rng, n_workers, per_task):
            s = skill[worker]
            marked: list[dict[str, Any]] = []
            for a, b, label in entities:
                if rng.random() < 0.05 + 0.3 * (1 - s):
                    continue
                if rng.random() < 0.03 + 0.15 * (1 - s):
                    label = str(rng.choice([lab for lab in labels if lab != label]))
                if rng.random() < 0.05 + 0.3 * (1 - s):
                    move = int(rng.integers(4))
                    if move == 0 and a > 0:
                        a -= 1
                    elif move == 1 and b - a > 1:
                        a += 1
                    elif move == 2 and b < len(words):
                        b += 1
                    elif b - a > 1:
                        b -= 1
                marked.append(span(a, b, label))
            free = sorted(set(range(len(words))) - in_entity)
            for _fp in range(int(rng.poisson(0.05 + 0.4 * (1 - s)))):
                if free:
                    w = int(rng.choice(free))
                    marked.append(span(w, w + 1, labels[int(rng.integers(len(labels)))]))
            votes.append(Vote(worker=worker, answer=marked, weight=1.0))
        tasks.append(SyntheticTask(data={"text": text}, truth=truth, votes=tuple(votes)))
    return tasks


def span_f1(
    pairs: Sequence[tuple[Sequence[Mapping[str, Any]], Sequence[Mapping[str, Any]]]],
) -> float:
    """Micro F1 of spans matching on exact (start, end, label), over (predicted, truth)."""
    hits = n_pred = n_true = 0
    for predicted, truth in pairs:
        p = {(s["start"], s["end"], s["label"]) for s in predicted}
        t = {(s["start"], s["end"], s["label"]) for s in truth}
        hits, n_pred, n_true = hits + len(p & t), n_pred + len(p), n_true + len(t)
    return 2 * hits / max(n_pred + n_true, 1)


# -- baselines --------------------------------------------------------------------------------


def whole_majority(votes: Sequence[Vote], key: Callable[[Any], Hashable]) -> Any:
    """The commonest whole answer by weight (answers equal under ``key`` count together);
    a tie goes to the answer with the smallest key, as text, so vote order does not matter."""
    weight: dict[Hashable, float] = defaultdict(float)
    first: dict[Hashable, Any] = {}
    for vote in votes:
        k = key(vote.answer)
        weight[k] += vote.weight
        first.setdefault(k, vote.answer)
    best = min(weight, key=lambda k: (-round(weight[k], 9), repr(k)))
    return first[best]


def spans_key(answer: Sequence[Mapping[str, Any]]) -> Hashable:
    return tuple(sorted((s["start"], s["end"], s["label"]) for s in answer))


def boxes_key(answer: Sequence[Mapping[str, Any]]) -> Hashable:
    return tuple(sorted(repr(sorted(s.items())) for s in answer))
