"""Words and word distances: the shared definitions every text comparison relies on."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from microwork.lib.words import (
    MAX_WORDS,
    TooManyWords,
    normalise,
    tokens,
    tokens_with_offsets,
    word_distance,
    word_error_rate,
)

words = st.lists(st.sampled_from(["le", "chat", "dort", "the", "cat", "sleeps", "é"]), max_size=12)


def test_normalise_folds_case_strips_edge_punctuation_and_collapses_spaces():
    assert normalise("  Bonjour,  MONDE !\n« Ça va ? » ") == "bonjour monde ça va"
    assert normalise("l'homme, 3.5 km...") == "l'homme 3.5 km"
    assert normalise("Straße") == "strasse"


def test_normalise_is_nfc():
    decomposed = "e\u0301te\u0301"  # "été" with combining accents
    assert normalise(decomposed) == "été"
    assert tokens(decomposed) == tokens("ÉTÉ")


def test_tokens_with_offsets_point_at_the_word_without_its_punctuation():
    text = "On va à Paris, puis — « Lyon »."
    got = tokens_with_offsets(text)
    assert [w for w, _, _ in got] == ["On", "va", "à", "Paris", "puis", "Lyon"]
    for word, start, end in got:
        assert text[start:end] == word
    assert tokens_with_offsets("") == [] and tokens_with_offsets("... — !") == []


@given(st.text(max_size=200))
def test_offsets_are_increasing_and_match_the_text(text):
    previous_end = 0
    for word, start, end in tokens_with_offsets(text):
        assert previous_end <= start < end
        assert text[start:end] == word
        previous_end = end


@given(words, words)
def test_word_distance_is_a_symmetric_bounded_distance(a, b):
    d = word_distance(a, b)
    assert d == word_distance(b, a)
    assert abs(len(a) - len(b)) <= d <= max(len(a), len(b))
    assert (d == 0) == (a == b)


@given(words, words, words)
def test_word_distance_triangle_inequality(a, b, c):
    assert word_distance(a, c) <= word_distance(a, b) + word_distance(b, c)


def test_word_distance_counts_whole_word_edits():
    assert word_distance(tokens("the cat sat"), tokens("the cat sat")) == 0
    assert word_distance(tokens("the cat sat"), tokens("the dog sat")) == 1
    assert word_distance(tokens("the cat sat"), tokens("cat sat down")) == 2
    assert word_distance([], tokens("a b c")) == 3


@given(st.text(max_size=100))
def test_wer_is_zero_for_the_same_text(text):
    assert word_error_rate(text, text) == 0.0
    assert word_error_rate(f"« {text} »", text) == 0.0


def test_word_error_rate():
    assert word_error_rate("the cat sat", "The cat, sat.") == 0.0
    assert word_error_rate("the dog sat", "the cat sat") == pytest.approx(1 / 3)
    assert word_error_rate("a b c d", "a") == 3.0
    assert word_error_rate("", "") == 0.0
    assert word_error_rate("word", "") == 1.0
    assert word_error_rate(["a", "b"], ["a", "c"]) == 0.5


def test_too_many_words_are_refused():
    with pytest.raises(TooManyWords):
        word_distance(["a"] * (MAX_WORDS + 1), ["a"])
    assert word_distance(["a"] * MAX_WORDS, ["b"]) == MAX_WORDS


@given(words, words)
def test_the_numpy_table_and_the_plain_loop_agree(a, b):
    from microwork.lib import words as module

    assert module._table_distance(a, b) == module._small_distance(a, b)
    assert module._table_distance(a * 40, b * 40) == module._small_distance(a * 40, b * 40)
