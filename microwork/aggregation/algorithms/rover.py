"""Transcripts: ROVER-style word voting (J. G. Fiscus, "A post-processing system to yield
reduced word error rates: Recognizer Output Voting Error Reduction (ROVER)", 1997).

Every transcript is aligned, word by word, into one word transition network: a row of slots,
each slot holding one word (or no word) from every transcript. The pivot, aligned first, is the
medoid: the transcript with the least weighted word distance to the others. The others follow,
nearest first, each aligned against the whole network by a profile edit distance (matching a
word to a slot costs one minus the share of transcripts already holding that word there,
leaving a slot empty costs the share holding a word, a new slot costs one). Each slot then
elects, by the votes' weights, a word or "no word"; the output is the elected words in order,
each written as the commonest way the crowd wrote it (case and punctuation kept).

Confidence of a word is the weight share of the votes that elected it; of the whole, the mean
over its words. Agreement of a vote is max(0, 1 - WER(vote, value)). When the alignment does
no better than the medoid (its weighted word distance to the votes is larger), the medoid is
returned as written.

Cost: word distances between all pairs of votes, then one numpy pass per slot for each
aligned vote: O(votes^2 x words^2). When a vote has more than MAX_ALIGN_WORDS words nothing is
aligned and no word distance is computed: the value is the transcript written by the most
weight (then the longest), and a vote agrees with it fully or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from microwork.lib.words import fold, tokens_with_offsets, word_distance

from ._common import vote_weights
from .consensus import Consensus, Vote

MAX_ALIGN_WORDS = 2_000
_INSERT = 1.0
# A different word costs more than a word left out plus one put in would, together, at the
# margin (NIST's ROVER weighs 4 against 3 + 3 in the same spirit): otherwise "Nairobi
# Nairobi leaves" is aligned word for word against "Nairobi leaves leaves", and a word one
# worker typed twice wins its slot on another worker's stutter.
_SUBSTITUTE = 1.25
_TOLERANCE = 1e-9


class _Transcript:
    __slots__ = ("keys", "surfaces", "text")

    def __init__(self, answer: Any) -> None:
        text = answer if isinstance(answer, str) else ""
        self.text = " ".join(text.split())
        self.keys = []
        # The whole whitespace-separated run around each word, so "Paris," keeps its comma.
        self.surfaces = []
        for word, start, end in tokens_with_offsets(text):
            self.keys.append(fold(word))
            while start > 0 and not text[start - 1].isspace():
                start -= 1
            while end < len(text) and not text[end].isspace():
                end += 1
            self.surfaces.append(text[start:end])


def rover(votes: Sequence[Vote], *, config: Mapping[str, Any], data: Any) -> Consensus:
    """The crowd's transcript, word by word (see the module docstring)."""
    transcripts = [_Transcript(vote.answer) for vote in votes]
    weights = vote_weights(votes)
    n = len(transcripts)
    distances = np.zeros((n, n))
    too_long = max(len(t.keys) for t in transcripts) > MAX_ALIGN_WORDS
    for i in range(n):
        for j in range(i + 1, n):
            if too_long:  # bounded cost: only "the same words or not"
                d = float(transcripts[i].keys != transcripts[j].keys)
            else:
                d = word_distance(transcripts[i].keys, transcripts[j].keys)
            distances[i, j] = distances[j, i] = d
    totals = np.round(distances @ weights, 9)
    # Ties go by content, never by position, so the order of the votes does not matter; among
    # equally central transcripts the heavier, then the longer (an empty one is often a skip).
    order = sorted(
        range(n),
        key=lambda i: (
            totals[i],
            -weights[i],
            -len(transcripts[i].keys),
            transcripts[i].keys,
            transcripts[i].text,
        ),
    )
    pivot = order[0]
    rest = sorted(
        order[1:],
        key=lambda i: (distances[pivot, i], transcripts[i].keys, transcripts[i].text, -weights[i]),
    )
    aligned = [pivot, *rest]
    if n == 1 or too_long:
        return _medoid(transcripts, weights, distances, pivot, exact_only=too_long)

    vocabulary: dict[str, int] = {}
    ids = [
        np.array([vocabulary.setdefault(k, len(vocabulary)) for k in t.keys], dtype=np.int64)
        for t in transcripts
    ]
    cells = ids[pivot][None, :].copy()
    for index in rest:
        cells = _align(cells, ids[index], len(vocabulary))
    rows = {vote: row for row, vote in enumerate(aligned)}
    cells = cells[[rows[i] for i in range(n)]]  # back in the votes' order
    words = {v: k for k, v in vocabulary.items()}

    positions = np.cumsum(cells >= 0, axis=1) - 1  # each cell's index in its vote's words
    total = float(weights.sum())
    value_keys: list[str] = []
    parts: list[dict[str, Any]] = []
    slot_shares: list[float] = []
    for slot in range(cells.shape[1]):
        column = cells[:, slot]
        scores: dict[int, float] = defaultdict(float)
        for vote, word in enumerate(column.tolist()):
            scores[word] += float(weights[vote])
        pivot_word = int(column[pivot])
        # Sums rounded so that adding the same weights in another order cannot flip a tie.
        winner = max(scores, key=lambda w: (round(scores[w], 9), w == pivot_word, w >= 0, -w))
        share = scores[winner] / total
        slot_shares.append(share)
        if winner < 0:
            continue
        holders = np.flatnonzero(column == winner).tolist()
        forms: dict[str, float] = defaultdict(float)
        for v in holders:
            forms[transcripts[v].surfaces[positions[v, slot]]] += float(weights[v])
        surface = min(forms, key=lambda f: (-round(forms[f], 9), f))
        value_keys.append(words[winner])
        parts.append({"word": surface, "confidence": share, "support": len(holders)})

    to_value = np.array([word_distance(value_keys, t.keys) for t in transcripts], dtype=float)
    if round(float(to_value @ weights), 9) > totals[pivot] + _TOLERANCE:
        return _medoid(transcripts, weights, distances, pivot, cells=cells)
    if parts:
        confidence = float(np.mean([p["confidence"] for p in parts]))
    else:
        confidence = float(np.mean(slot_shares)) if slot_shares else 1.0
    return Consensus(
        value=" ".join(p["word"] for p in parts),
        confidence=confidence,
        agreement=_agreement(to_value, len(value_keys)),
        parts=tuple(parts),
    )


def _align(cells: np.ndarray, ids: np.ndarray, vocabulary_size: int) -> np.ndarray:
    """The network ``cells`` (aligned votes x slots of word ids, -1 for no word) with one
    more vote ``ids`` aligned into it: new slots where it has words the others lack."""
    m, n_slots = cells.shape
    length = len(ids)
    present = cells >= 0
    counts = np.zeros((n_slots, max(vocabulary_size, 1)))
    vote_at, slot_at = np.nonzero(present)
    np.add.at(counts, (slot_at, cells[vote_at, slot_at]), 1.0)
    match = _SUBSTITUTE * (1.0 - counts[:, ids] / m)  # slots x words
    skip = present.sum(axis=0) / m  # leaving a slot empty: the share that holds a word there
    index = np.arange(length + 1) * _INSERT
    table = np.empty((n_slots + 1, length + 1))
    table[0] = index
    row = np.empty(length + 1)
    for i in range(1, n_slots + 1):
        row[0] = table[i - 1, 0] + skip[i - 1]
        np.minimum(table[i - 1, 1:] + skip[i - 1], table[i - 1, :-1] + match[i - 1], out=row[1:])
        # New slots along a row depend on the cell to their left: a running minimum.
        table[i] = np.minimum.accumulate(row - index) + index
    # Backtrace into (old slot, word) pairs, -1 for "none": a padded -1 column and -1 word
    # make the new network one fancy-indexing step.
    slot_of: list[int] = []
    word_of: list[int] = []
    i, j = n_slots, length
    while i > 0 or j > 0:
        here = table[i, j]
        if i > 0 and j > 0 and abs(here - table[i - 1, j - 1] - match[i - 1, j - 1]) < _TOLERANCE:
            i, j = i - 1, j - 1
            slot_of.append(i)
            word_of.append(j)
        elif i > 0 and abs(here - table[i - 1, j] - skip[i - 1]) < _TOLERANCE:
            i -= 1
            slot_of.append(i)
            word_of.append(-1)
        else:
            j -= 1
            slot_of.append(-1)
            word_of.append(j)
    slot_of.reverse()
    word_of.reverse()
    padded = np.hstack([cells, np.full((m, 1), -1, dtype=np.int64)])
    new_row = np.append(ids, -1)[word_of] if word_of else np.zeros(0, dtype=np.int64)
    return np.vstack([padded[:, slot_of], new_row[None, :]]).astype(np.int64)


def _medoid(
    transcripts: list[_Transcript],
    weights: np.ndarray,
    distances: np.ndarray,
    pivot: int,
    *,
    cells: np.ndarray | None = None,
    exact_only: bool = False,
) -> Consensus:
    """The pivot transcript as written; its words' confidence from the network when there is
    one (the weight share holding the same word in its slot), else from exact word matches."""
    chosen = transcripts[pivot]
    total = float(weights.sum())
    parts: list[dict[str, Any]] = []
    if cells is not None:
        slots = np.flatnonzero(cells[pivot] >= 0)
        for surface, slot in zip(chosen.surfaces, slots.tolist(), strict=True):
            holders = cells[:, slot] == cells[pivot, slot]
            share = float(weights[holders].sum()) / total
            parts.append({"word": surface, "confidence": share, "support": int(holders.sum())})
    else:
        same = np.array([t.keys == chosen.keys for t in transcripts])
        share = float(weights[same].sum()) / total
        parts = [
            {"word": surface, "confidence": share, "support": int(same.sum())}
            for surface in chosen.surfaces
        ]
    confidence = float(np.mean([p["confidence"] for p in parts])) if parts else 1.0
    return Consensus(
        value=chosen.text,
        confidence=confidence,
        # Without word distances a vote agrees fully or not at all.
        agreement=tuple(1.0 - float(d) for d in distances[pivot])
        if exact_only
        else _agreement(distances[pivot], len(chosen.keys)),
        parts=tuple(parts),
    )


def _agreement(distances: np.ndarray, value_words: int) -> tuple[float, ...]:
    """max(0, 1 - WER) of each vote against the value, from their word distances to it
    (a vote of no words against an empty value agrees fully, as word_error_rate says)."""
    if not value_words:
        return tuple(1.0 if d == 0 else 0.0 for d in distances.tolist())
    return tuple(max(0.0, 1.0 - d / value_words) for d in distances.tolist())
