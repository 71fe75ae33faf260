"""The money pages in French: a decimal comma, no-break spaces before the currency and
between thousands, French dates, and no six-decimal amounts anywhere."""

import re

from microwork.payments.services import earnings as payments_earnings
from microwork.payments.tests.conftest import answer, go_live, make_project

NB = "\N{NO-BREAK SPACE}"
FRENCH_DAY = re.compile(
    r"\b\d{1,2} (janv\.|fév\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.)"
)


def _in_french(user):
    user.language = "fr"
    user.save(update_fields=["language"])


def test_a_worker_reads_the_earnings_page_in_french(client, rita, rich_acme, nina):
    project = make_project(rich_acme, rita, tasks=30, reward="0.10", seconds=30, overlap=1)
    go_live(project, rita)
    subs = [answer(project, nina, active_ms=20_000) for _ in range(14)]
    for sub in subs[:12]:
        payments_earnings.earning_approve(submission=sub, actor=rita)
    client.force_login(nina)
    html = client.get("/money/earnings/").content.decode()
    assert f'id="available">1,20{NB}USD<' in html
    assert f'id="pending">0,20{NB}USD<' in html
    assert f"18,00{NB}USD/h" in html
    assert not re.search(r"\d\.\d{2}\s?USD", html)  # no English amount left on the page
    assert not re.search(r"\d[.,]\d{6}", html)  # never six decimals
    assert FRENCH_DAY.search(html)  # the decisions' days, French style


def test_a_requester_reads_billing_in_french(client, rita, rich_acme):
    _in_french(rita)
    client.force_login(rita)
    html = client.get("/money/billing/").content.decode()
    assert f"100,00{NB}USD" in html
    assert f"20{NB}%" in html  # the platform fee
    assert not re.search(r"\d[.,]\d{6}", html)
    assert FRENCH_DAY.search(html)  # the deposit's day


def test_thousands_are_grouped_in_french(client, rita, acme, omar):
    from microwork.ledger.services.deposits import deposit_record

    deposit_record(organisation=acme, amount="12500", currency="USD", reference="big", actor=omar)
    _in_french(rita)
    client.force_login(rita)
    assert f"12{NB}500,00{NB}USD" in client.get("/money/billing/").content.decode()
