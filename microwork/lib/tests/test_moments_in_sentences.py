"""A moment inside a sentence reads right in both languages. French writes a moment as
« 3 déc. 2026 à 14:05 », so a sentence must put it after « le », « du », « jusqu’au »…, never
after « à »: « à 3 déc. 2026 à 14:05 » says « à » twice (the catalogue is checked for it in
accounts/tests/test_i18n.py)."""

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from microwork.lib import l10n
from microwork.work import fairness

MOMENT = datetime(2026, 12, 3, 14, 5, tzinfo=UTC)
BEFORE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _back_to_english():
    yield
    translation.deactivate()


@pytest.mark.parametrize(
    ("language", "opens", "new_tasks", "until"),
    [
        (
            "en",
            "Work opens at 3 Dec 2026, 14:05 UTC.",
            "2 new tasks open at 3 Dec 2026, 14:05 UTC.",
            "until 3 Dec 2026, 14:05 UTC",
        ),
        (
            "fr",
            "Le travail ouvre le 3 déc. 2026 à 14:05 UTC.",
            "2 nouvelles tâches ouvrent le 3 déc. 2026 à 14:05 UTC.",
            "jusqu’au 3 déc. 2026 à 14:05 UTC",
        ),
    ],
)
def test_a_moment_in_a_sentence_reads_right_in_each_language(language, opens, new_tasks, until):
    project = SimpleNamespace(opens_at=MOMENT, hourly_cap_per_worker=0)
    with translation.override(language):
        rules = fairness.project_rules(project, now=BEFORE, next_release=(MOMENT, 2))
        assert rules == [opens, new_tasks]
        page = Template(
            "{% load i18n %}{% blocktranslate with when=at|moment %}until {{ when }} UTC"
            "{% endblocktranslate %}"
        ).render(Context({"at": MOMENT}))
        assert page == until
        assert l10n.datetime_text(MOMENT) in rules[0]
        assert not re.search(r"\bà \d{1,2} \w+\.? \d{4} à", " ".join([*rules, page]))
