"""The one CSV helper: what it escapes, what it leaves alone, and that nothing bypasses it."""

import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from microwork.lib.csvfile import csv_writer, safe_cell, unescape_cell

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("https://evil.example")', '\'=HYPERLINK("https://evil.example")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),  # a full-width equals sign
        ("'=1+1", "''=1+1"),  # so that reading back is exact
        # numbers stay numbers
        ("-0.050000", "-0.050000"),
        ("+1", "+1"),
        ("-1.5e+06", "-1.5e+06"),
        (Decimal("-0.05"), Decimal("-0.05")),
        (-3, -3),
        # anything else is left alone
        ("plain text", "plain text"),
        ("'quoted", "'quoted"),
        ("a=b", "a=b"),
        ("", ""),
        (None, None),
    ],
)
def test_safe_cell(given, written):
    assert safe_cell(given) == written
    if isinstance(given, str):
        assert unescape_cell(written) == given


def test_the_writer_escapes_every_cell():
    out = io.StringIO()
    csv_writer(out, lineterminator="\n").writerows([["=a", "-1", "b"], ["@c", 2, None]])
    assert out.getvalue() == "'=a,-1,b\n'@c,2,\n"


def test_no_csv_is_written_without_the_helper():
    # Every CSV the platform writes goes through microwork.lib.csvfile; a new export that
    # calls csv.writer itself would bring formula injection back.
    writer = re.compile(r"\bcsv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(ROOT))
        for path in ROOT.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "csvfile.py"
        and writer.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
