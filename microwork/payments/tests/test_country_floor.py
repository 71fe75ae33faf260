"""The pay floor by country: a worker is held to the higher of the platform floor and their
country's figure in the operators' table; a project is still checked against the platform
floor when it goes live (nobody knows yet who will work on it)."""

from decimal import Decimal

from microwork.accounts.models import WorkerProfile
from microwork.ledger.models import Account, ExchangeRate, Transaction
from microwork.ledger.services.check import ledger_check
from microwork.payments.models import CountryPayFloor, PayFloorNotice
from microwork.payments.services import accounts as payments_accounts
from microwork.payments.services import floor as payments_floor
from microwork.payments.tests.conftest import answer, balance, go_live, make_project, make_worker

K = Account.Kind


def _in(worker, country):
    WorkerProfile.objects.filter(user=worker).update(country=country)
    return worker


def test_a_worker_is_held_to_the_higher_of_the_platform_and_country_floor(db, settings):
    settings.PAY_FLOOR_PER_HOUR = "8"
    CountryPayFloor.objects.create(country="FR", per_hour=Decimal("12.50"))
    CountryPayFloor.objects.create(country="MG", per_hour=Decimal("2"))  # under the platform's
    assert payments_floor.worker_floor_per_hour(currency="USD", country="FR") == Decimal("12.50")
    assert payments_floor.worker_floor_per_hour(currency="USD", country="fr") == Decimal("12.50")
    assert payments_floor.worker_floor_per_hour(currency="USD", country="MG") == Decimal("8")
    assert payments_floor.worker_floor_per_hour(currency="USD", country="NG") == Decimal("8")
    # Another currency converts at the operators' rate, the country figure too.
    ExchangeRate.objects.create(base="USD", currency="EUR", rate=Decimal("0.90"))
    assert payments_floor.worker_floor_per_hour(currency="EUR", country="FR") == Decimal("11.25")


def test_a_project_over_the_platform_floor_tops_up_only_workers_whose_country_floor_is_higher(
    rich_acme, rita
):
    # 0.05 USD for 20 s really taken: 9.00 an hour, over the 8.00 platform floor.
    CountryPayFloor.objects.create(country="FR", per_hour=Decimal("12"))
    project = make_project(rich_acme, rita, tasks=25, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    lagos, paris = make_worker("amir"), _in(make_worker("claire"), "FR")
    for i in range(20):
        answer(project, paris if i % 2 else lagos, active_ms=20_000)

    notice = payments_floor.project_pay_floor_enforce(project=project)

    project.refresh_from_db()
    assert project.status == "live"  # the platform floor is met: it stays open
    assert notice is not None and not notice.paused
    # Claire: 10 answers × 20 s = 200 s at 12.00 an hour is 0.666667; the rewards paid 0.50.
    available = payments_accounts.worker_account(paris, K.WORKER_AVAILABLE, "USD")
    assert balance(available) == Decimal("0.166667")
    # Amir, in a country with no higher figure, was paid over his floor: nothing.
    assert not Transaction.objects.filter(
        kind=Transaction.Kind.FLOOR_TOPUP, entries__account__user=lagos
    ).exists()
    topup = Transaction.objects.get(kind=Transaction.Kind.FLOOR_TOPUP)
    assert Decimal(topup.metadata["floor"]) == 12
    # Checked again (the periodic job): nothing is paid twice, and no second notice.
    assert payments_floor.project_pay_floor_enforce(project=project) is None
    payments_floor.pay_floor_check_all()
    assert Transaction.objects.filter(kind=Transaction.Kind.FLOOR_TOPUP).count() == 1
    assert PayFloorNotice.objects.filter(project=project).count() == 1
    assert ledger_check().ok


def test_under_the_platform_floor_each_worker_is_topped_up_to_their_own_floor(rich_acme, rita):
    # 0.05 USD for 30 s really taken: 6.00 an hour, under the platform's 8.00.
    CountryPayFloor.objects.create(country="FR", per_hour=Decimal("12"))
    project = make_project(rich_acme, rita, tasks=25, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)
    lagos, paris = make_worker("amir"), _in(make_worker("claire"), "FR")
    for i in range(20):
        answer(project, paris if i % 2 else lagos, active_ms=30_000)

    notice = payments_floor.project_pay_floor_enforce(project=project)

    project.refresh_from_db()
    assert project.status == "paused" and notice.paused
    # 300 s each: Amir to 8.00 an hour (0.666667), Claire to 12.00 (1.00); both were paid 0.50.
    assert balance(payments_accounts.worker_account(lagos, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.166667"
    )
    assert balance(payments_accounts.worker_account(paris, K.WORKER_AVAILABLE, "USD")) == Decimal(
        "0.500000"
    )
    assert ledger_check().ok


def test_going_live_is_checked_against_the_platform_floor_alone(rich_acme, rita):
    CountryPayFloor.objects.create(country="FR", per_hour=Decimal("50"))
    project = make_project(rich_acme, rita, tasks=5, reward="0.05", seconds=20, overlap=1)
    go_live(project, rita)  # 9.00 an hour: over 8.00, under France's 50.00, allowed
    project.refresh_from_db()
    assert project.status == "live"


def test_the_earnings_page_tells_a_worker_their_own_floor(client, walt):
    from django.urls import reverse

    client.force_login(walt)
    assert "In your country" not in client.get(reverse("payments:worker")).content.decode()
    CountryPayFloor.objects.create(country="NG", per_hour=Decimal("9.50"))
    page = client.get(reverse("payments:worker")).content.decode()
    assert "In your country (NG) the floor is 9.50 USD an hour" in page
