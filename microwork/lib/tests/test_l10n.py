"""Numbers, money, percentages and dates as each language writes them (microwork/lib/l10n.py)."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from microwork.lib import l10n

NB = "\N{NO-BREAK SPACE}"
MOMENT = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "balance", "reward", "whole", "percent", "day", "moment"),
    [
        ("en", "1,234.51 USD", "0.004 USD", "1,500 MGA", "45%", "3 Dec 2026", "3 Dec 2026, 14:05"),
        (
            "fr",
            f"1{NB}234,51{NB}USD",
            f"0,004{NB}USD",
            f"1{NB}500{NB}MGA",
            f"45{NB}%",
            "3 déc. 2026",
            "3 déc. 2026 à 14:05",
        ),
    ],
)
def test_each_language_writes_its_own_way(language, balance, reward, whole, percent, day, moment):
    with translation.override(language):
        assert l10n.amount_text(Decimal("1234.505000"), "USD") == balance
        assert l10n.reward_text(Decimal("0.004000"), "USD") == reward
        assert l10n.amount_text(Decimal("1500.000000"), "MGA") == whole
        assert l10n.percent_text(45) == percent
        assert l10n.share_text(Decimal("0.45")) == percent
        assert l10n.date_text(MOMENT) == day
        assert l10n.datetime_text(MOMENT) == moment


def test_never_six_decimals():
    # Stored amounts carry six places; a balance shows the currency's, a reward what it needs.
    with translation.override("en"):
        assert l10n.amount_text(Decimal("0.160000"), "USD") == "0.16 USD"
        assert l10n.reward_text(Decimal("0.050000"), "USD") == "0.05 USD"
        assert l10n.reward_text(Decimal("0.000001"), "USD") == "0.000001 USD"
        assert l10n.amount_text(None, "USD") == "–"


def test_the_filters_are_in_every_template_without_loading():
    template = Template(
        "{{ a|money:'USD' }} · {{ r|reward:'USD' }} · {{ p|percent }} · {{ d|day }}"
    )
    with translation.override("fr"):
        text = template.render(
            Context({"a": Decimal("13.5"), "r": Decimal("0.03"), "p": 80, "d": MOMENT})
        )
    assert text == f"13,50{NB}USD · 0,03{NB}USD · 80{NB}% · 3 déc. 2026"


@pytest.mark.parametrize(
    ("language", "n", "words"),
    [
        ("en", 0, "0 tasks"),
        ("en", 1, "1 task"),
        ("en", 2, "2 tasks"),
        # French counts zero as one: « 0 tâche », never « 0 tâches ».
        ("fr", 0, "0 tâche"),
        ("fr", 1, "1 tâche"),
        ("fr", 2, "2 tâches"),
    ],
)
def test_plural_forms_follow_the_language(language, n, words):
    template = Template(
        "{% load i18n %}{% blocktranslate count n=n %}{{ n }} task{% plural %}"
        "{{ n }} tasks{% endblocktranslate %}"
    )
    with translation.override(language):
        assert template.render(Context({"n": n})) == words


def test_a_countdown_reads_as_minutes_and_seconds():
    assert [l10n.clock_text(s) for s in (599, 60, 5, 0, -3, None, 3725)] == [
        "9:59",
        "1:00",
        "0:05",
        "0:00",
        "0:00",
        "0:00",
        "62:05",
    ]


def test_french_writes_the_first_of_the_month_as_an_ordinal():
    first = datetime(2026, 12, 1, 9, 5, tzinfo=UTC)
    with translation.override("fr"):
        assert l10n.date_text(first).startswith("1er déc")
        assert l10n.datetime_text(first).startswith("1er déc")
        assert l10n.date_text(first.date()).startswith("1er déc")
        assert l10n.date_text(datetime(2026, 12, 11, tzinfo=UTC)).startswith("11 déc")
        assert l10n.date_text(datetime(2026, 12, 21, tzinfo=UTC)).startswith("21 déc")
        html = Template("{{ d|day }}").render(Context({"d": first}))
        assert html.startswith("1er déc")
    with translation.override("en"):
        assert l10n.date_text(first).startswith("1 Dec")
