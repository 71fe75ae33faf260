"""Text spans (named entities, tags): the spans the crowd agrees on, token by token.

The task's text (``data["text"]``) is split into words by
`microwork.lib.words.tokens_with_offsets`. Each vote gives every word a tag: outside ("O"),
or a label with a flag saying whether a span of that label begins there (B) or goes on (I), so
two entities side by side stay two. Each word then elects, by the votes' weights, "outside" or
a label (an exact tie goes to "outside", then to the first label in alphabetical order); an
elected label begins a new span when the word before elected something else, or when the
votes holding that label there weigh more on "begins" than on "goes on". Spans are rebuilt as
character offsets: the start of their first word, the end of their last.

Each span has a part with its label, ``confidence`` (the mean winning weight share over its
words) and ``support`` (how many votes gave that label to any of its words). The whole
confidence is the mean winning share over the words any vote marked (1.0 when none did). A
vote's agreement is the span-level F1 score of its spans (snapped to words) against the value,
spans matching on exact start, end and label.

Cost: linear in words x votes, plus a binary search per span.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from microwork.lib.words import tokens_with_offsets

from ._common import vote_weights
from .consensus import Consensus, Vote

_ROUND = 9

Tag = tuple[str | None, bool]  # label (None outside), begins here
Span = tuple[int, int, str]  # first word, last word (inclusive), label


def _tags(answer: Any, starts: np.ndarray, ends: np.ndarray) -> list[Tag]:
    """One tag per word from a vote's spans; a word two spans cover keeps the first's."""
    tags: list[Tag] = [(None, False)] * len(starts)
    if not isinstance(answer, list):
        return tags
    spans = []
    for span in answer:
        try:
            spans.append((int(span["start"]), int(span["end"]), str(span["label"])))
        except (KeyError, TypeError, ValueError):
            continue
    for start, end, label in sorted(spans):
        first = int(np.searchsorted(ends, start, side="right"))  # first word ending after start
        stop = int(np.searchsorted(starts, end, side="left"))  # words starting before end
        begins = True
        for word in range(first, stop):
            if tags[word][0] is None:
                tags[word] = (label, begins)
                begins = False
    return tags


def _spans(tags: Sequence[Tag]) -> list[Span]:
    out: list[Span] = []
    for word, (label, begins) in enumerate(tags):
        if label is None:
            continue
        if out and not begins and out[-1][1] == word - 1 and out[-1][2] == label:
            out[-1] = (out[-1][0], word, label)
        else:
            out.append((word, word, label))
    return out


def spans(votes: Sequence[Vote], *, config: Mapping[str, Any], data: Any) -> Consensus:
    """The spans the crowd agrees on (see the module docstring)."""
    text = data.get("text", "") if isinstance(data, Mapping) else ""
    words = tokens_with_offsets(text if isinstance(text, str) else "")
    starts = np.array([start for _w, start, _e in words], dtype=np.int64)
    ends = np.array([end for _w, _s, end in words], dtype=np.int64)
    weights = vote_weights(votes)
    total = float(weights.sum())
    tags = [_tags(vote.answer, starts, ends) for vote in votes]

    elected: list[Tag] = []
    shares: list[float] = []
    marked: list[bool] = []
    for word in range(len(words)):
        scores: dict[str | None, float] = defaultdict(float)
        begin_weight: dict[str | None, float] = defaultdict(float)
        for vote, vote_tags in enumerate(tags):
            label, begins = vote_tags[word]
            scores[label] += float(weights[vote])
            if begins:
                begin_weight[label] += float(weights[vote])
        winner = min(
            scores, key=lambda lab: (-round(scores[lab], _ROUND), lab is not None, lab or "")
        )
        if winner is None:
            elected.append((None, False))
        else:
            after_other = not elected or elected[-1][0] != winner
            goes_on = scores[winner] - begin_weight[winner]
            begins = after_other or round(begin_weight[winner], _ROUND) > round(goes_on, _ROUND)
            elected.append((winner, begins))
        shares.append(scores[winner] / total)
        marked.append(any(label is not None for label in scores))

    value_spans = _spans(elected)
    value = [
        {"label": label, "start": int(starts[first]), "end": int(ends[last])}
        for first, last, label in value_spans
    ]
    parts = tuple(
        {
            "label": label,
            "confidence": float(np.mean(shares[first : last + 1])),
            "support": sum(
                any(vote_tags[w][0] == label for w in range(first, last + 1)) for vote_tags in tags
            ),
        }
        for first, last, label in value_spans
    )
    marked_shares = [share for share, mark in zip(shares, marked, strict=True) if mark]
    confidence = float(np.mean(marked_shares)) if marked_shares else 1.0
    wanted = set(value_spans)
    agreement = tuple(_f1(set(_spans(vote_tags)), wanted) for vote_tags in tags)
    return Consensus(value=value, confidence=confidence, agreement=agreement, parts=parts)


def _f1(found: set[Span], wanted: set[Span]) -> float:
    if not found and not wanted:
        return 1.0
    return 2 * len(found & wanted) / (len(found) + len(wanted))
