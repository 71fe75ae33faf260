"""The rules page workers read is docs/quality.md, or its French twin docs/quality.fr.md for
workers who read French; the two must say the same things."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

DOCS = Path(settings.BASE_DIR) / "docs"
MARKER = "<!-- Workers' pages show this file up to here. -->"


def _read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def test_a_french_worker_reads_the_rules_in_french(client, nina, walt):
    client.force_login(nina)
    page = client.get(reverse("quality:rules_doc")).content.decode()
    assert "<h1>Règles de qualité et recours</h1>" in page
    assert "Une règle avertit toujours avant d'agir." in page
    # The part for requesters and operators is left out, as in English.
    assert "/api/quality" not in page and "Pour les demandeurs" not in page
    client.force_login(walt)
    assert "<h1>Quality rules and appeals</h1>" in (
        client.get(reverse("quality:rules_doc")).content.decode()
    )


def _shape(text: str) -> dict[str, object]:
    """What a translation must keep: the headings, table rows and list items of each section,
    every number, every code span, and the line where the workers' part ends."""
    lines = text.splitlines()
    return {
        "headings": [len(m.group(1)) for line in lines if (m := re.match(r"^(#+) ", line))],
        "table_rows": sum(1 for line in lines if line.startswith("|")),
        "items": sum(1 for line in lines if re.match(r"^\s*- ", line)),
        "numbers": sorted(re.findall(r"(?<![\w.])\d+(?:\.\d+)?", text)),
        # Each file names the other; every other code span is the same in both.
        "code": sorted(
            c
            for c in re.findall(r"`([^`]+)`", re.sub(r"\n\s+", " ", text))
            if not c.startswith("docs/quality")
        ),
        "marker": text.count(MARKER),
    }


def test_the_french_rules_say_what_the_english_ones_say():
    english = _shape(_read("quality.md"))
    french = _shape(_read("quality.fr.md"))
    for key in english:
        assert french[key] == english[key], key
    assert english["marker"] == 1
