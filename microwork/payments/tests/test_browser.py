"""On a phone: a worker sees pending and available money, the real hourly rate and a chart,
asks for a payout, and an operator on a laptop completes it."""

from decimal import Decimal

import pytest

from microwork.accounts.access import access_organisation_for_requester
from microwork.ledger.models import Payout
from microwork.ledger.services.check import ledger_check
from microwork.ledger.services.deposits import deposit_record
from microwork.payments.services import earnings as payments_earnings
from microwork.payments.tests.conftest import answer, go_live, make_project

pytestmark = pytest.mark.browser


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_worker_gets_paid_from_a_phone(
    transactional_db, live_server, phone, desktop, rita, walt, omar
):
    acme = access_organisation_for_requester(user=rita)
    deposit_record(organisation=acme, amount="50", currency="USD", reference="b", actor=omar)
    project = make_project(acme, rita, tasks=30, reward="0.10", seconds=30, overlap=1)
    go_live(project, rita)
    subs = [answer(project, walt, active_ms=20_000) for _ in range(14)]
    for sub in subs[:12]:
        payments_earnings.earning_approve(submission=sub, actor=rita)
    base = live_server.url

    log_in(phone, base, "walt", "walt-pass-123")
    response = phone.goto(f"{base}/money/earnings/")
    assert len(response.body()) < 20_000  # a small page on mobile data
    assert phone.text_content("#pending").strip() == "0.20 USD"
    assert phone.text_content("#available").strip() == "1.20 USD"
    # 1.40 earned over 14 × 20 s = 18.00 an hour.
    assert phone.text_content("#hourly").strip() == "18.00 USD/h"
    assert phone.locator("svg.chart rect").count() == 8
    assert phone.eval_on_selector_all("script", "els => els.length") == 0

    phone.click("text=Add a mobile-money number")
    phone.select_option("#provider", "manual")
    phone.fill("#phone", "+234 801 234 5678")
    phone.fill("#label", "MTN MoMo")
    phone.click("text=Save method")
    phone.fill("#amount", "1.20")
    phone.click("text=Pay me")
    phone.wait_for_selector("text=Payout of 1.20 USD requested")
    payout = Payout.objects.get()
    assert (payout.amount, payout.status) == (Decimal("1.20"), "requested")

    log_in(desktop, base, "omar", "omar-pass-123")
    desktop.goto(f"{base}/money/operator/payouts/")
    desktop.fill("input[name=reference]", "MTN-55120")
    desktop.click("text=Mark sent")
    desktop.wait_for_selector("text=Nothing to do.")

    phone.goto(f"{base}/money/earnings/")
    assert phone.text_content("#paid").strip() == "1.20 USD"
    assert phone.text_content("#available").strip() == "0.00 USD"
    report = ledger_check()
    assert report.ok, report.problems
