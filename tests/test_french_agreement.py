"""French agrees where English does not: "None." takes the gender of what is listed, and a
count of 0 takes the singular. The words come from the French catalogue; the pages have to give
it the context and the number it needs to choose them."""

import pytest
from django.urls import reverse
from django.utils.translation import trans_real


def _ours():
    """Our catalogue among those merged for French (Django's own has other plural rules)."""
    merged = trans_real.translation("fr")._catalog
    for catalogue in merged._catalogs:
        if "Control tasks I missed" in catalogue:
            return catalogue
    raise AssertionError("the French catalogue of microwork is not loaded")


def _our_plural():
    merged = trans_real.translation("fr")._catalog
    for catalogue, plural in zip(merged._catalogs, merged._plurals, strict=True):
        if "Control tasks I missed" in catalogue:
            return plural
    raise AssertionError("the French catalogue of microwork is not loaded")


@pytest.fixture
def french_words():
    """Adds entries to the French catalogue for one test (the msgids the pages must use)."""
    catalogue = _ours()
    added: dict = {}

    def add(entries):
        for key, value in entries.items():
            added.setdefault(key, catalogue.get(key))
            catalogue[key] = value

    yield add
    for key, old in added.items():
        if old is None:
            catalogue.pop(key, None)
        else:
            catalogue[key] = old


def test_french_counts_zero_and_one_in_the_singular():
    plural = _our_plural()
    assert [plural(n) for n in (0, 1, 2)] == [0, 0, 1]


def test_none_takes_the_gender_of_what_is_listed(client, nina, french_words):
    french_words(
        {
            "no control tasks missed\x04None.": "Aucune-tâche.",
            "no decisions\x04None.": "Aucune-décision.",
        }
    )
    client.force_login(nina)  # reads French
    html = client.get(reverse("quality:standing")).content.decode()
    assert "Aucune-tâche." in html and "Aucune-décision." in html


def test_a_count_of_zero_disturbing_items_is_singular_in_french(client, nina, french_words):
    msgid = (
        "Today you have seen %(seen)s of at most %(cap)s disturbing items. The count starts "
        "again at midnight UTC."
    )
    french_words({(msgid, 0): "SINGULIER %(seen)s", (msgid, 1): "PLURIEL %(seen)s"})
    client.force_login(nina)
    html = client.get(reverse("wellbeing:settings")).content.decode()
    assert "SINGULIER 0" in html and "PLURIEL" not in html
