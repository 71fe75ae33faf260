"""Words of a text, and how far two texts are apart word by word.

Every kind that compares texts (transcripts, free text, text spans) uses these, so that "a
word" means the same thing everywhere:

- a word is a maximal run of non-space characters with the punctuation at its two edges
  removed ("Paris," is the word "Paris"; "l'homme" and "3.5" stay whole); a run made only of
  punctuation ("—", "...") is no word;
- the normal form of a text is its words, NFC-normalised and case-folded, joined by single
  spaces.

Limits: splitting is linear in the text's length. `word_distance` is quadratic (it fills a
table of len(a) x len(b) cells, one numpy row at a time) and refuses sequences longer than
:data:`MAX_WORDS` words with :class:`TooManyWords` (a ValueError), so hostile input costs at
most about half a second.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

MAX_WORDS = 10_000

_RUN = re.compile(r"\S+")
_SMALL = 4_000  # below this many table cells a plain loop beats numpy's per-row overhead


class TooManyWords(ValueError):
    """A word sequence is longer than MAX_WORDS; its distance is not computed."""


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char).startswith("P")


def tokens_with_offsets(text: str) -> list[tuple[str, int, int]]:
    """The words of ``text`` as they are written, with their character offsets.

    Each item is ``(word, start, end)`` with ``text[start:end] == word`` (end exclusive). The
    offsets are those of the word without its edge punctuation, so a span over "Paris" in
    "to Paris, then" ends before the comma.
    """
    out: list[tuple[str, int, int]] = []
    for match in _RUN.finditer(text or ""):
        start, end = match.span()
        while start < end and _is_punctuation(text[start]):
            start += 1
        while end > start and _is_punctuation(text[end - 1]):
            end -= 1
        if start < end:
            out.append((text[start:end], start, end))
    return out


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", word).casefold())


def tokens(text: str) -> list[str]:
    """The normalised words of ``text`` (NFC, case-folded, edge punctuation removed)."""
    return [_fold(word) for word, _start, _end in tokens_with_offsets(text)]


def normalise(text: str) -> str:
    """``text`` reduced to what word comparisons look at: its normalised words, one space
    between them. "  Bonjour,  MONDE ! " -> "bonjour monde"."""
    return " ".join(tokens(text))


def word_distance(a_tokens: Sequence[str], b_tokens: Sequence[str]) -> int:
    """Levenshtein distance between two word sequences (insertions, deletions and
    substitutions of whole words, each costing one). Words compare as given: pass
    :func:`tokens` of both texts to ignore case and punctuation.

    Raises :class:`TooManyWords` when either side has more than :data:`MAX_WORDS` words.
    """
    if len(a_tokens) > MAX_WORDS or len(b_tokens) > MAX_WORDS:
        raise TooManyWords(f"more than {MAX_WORDS} words to compare")
    if len(a_tokens) < len(b_tokens):
        a_tokens, b_tokens = b_tokens, a_tokens
    if not b_tokens:
        return len(a_tokens)
    if len(a_tokens) * len(b_tokens) <= _SMALL:
        return _small_distance(a_tokens, b_tokens)
    return _table_distance(a_tokens, b_tokens)


def _table_distance(a_tokens: Sequence[str], b_tokens: Sequence[str]) -> int:
    if len(a_tokens) < len(b_tokens):
        a_tokens, b_tokens = b_tokens, a_tokens
    if not b_tokens:
        return len(a_tokens)
    ids: dict[str, int] = {}
    a_ids = [ids.setdefault(word, len(ids)) for word in a_tokens]
    b_codes = np.array([ids.setdefault(word, len(ids)) for word in b_tokens], dtype=np.int64)
    index = np.arange(len(b_codes) + 1)
    row = index.copy()
    tmp = np.empty_like(row)
    for i, code in enumerate(a_ids, start=1):
        # Insertions along a row depend on the cell to their left: D[j] = min_k(tmp[k] + j - k)
        # is a running minimum of (tmp - index), computed without a Python loop.
        tmp[0] = i
        np.minimum(row[1:] + 1, row[:-1] + (b_codes != code), out=tmp[1:])
        row = np.minimum.accumulate(tmp - index) + index
    return int(row[-1])


def _small_distance(a_tokens: Sequence[str], b_tokens: Sequence[str]) -> int:
    previous = list(range(len(b_tokens) + 1))
    for i, word in enumerate(a_tokens, start=1):
        current = [i]
        for j, other in enumerate(b_tokens, start=1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (word != other))
            )
        previous = current
    return previous[-1]


def word_error_rate(hypothesis: str | Sequence[str], reference: str | Sequence[str]) -> float:
    """Word error rate of ``hypothesis`` against ``reference``: word edits / reference words.

    Strings are split with :func:`tokens` (so case and edge punctuation do not count);
    sequences are taken as already-split words. 0.0 when both are equal; it exceeds 1.0 when
    the hypothesis adds more words than the reference has. An empty reference gives 0.0
    against an empty hypothesis and 1.0 otherwise.
    """
    hyp = tokens(hypothesis) if isinstance(hypothesis, str) else list(hypothesis)
    ref = tokens(reference) if isinstance(reference, str) else list(reference)
    if not ref:
        return 0.0 if not hyp else 1.0
    return word_distance(hyp, ref) / len(ref)
