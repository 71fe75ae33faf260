"""Number inputs carry numbers a browser can read in every language: in French, Django writes
1.00 as "1,00", and an <input type="number" min="1,00"> cannot be sent at all."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from microwork.ledger.models import PayoutMethod
from microwork.payments.services import earnings as payments_earnings
from microwork.payments.tests.conftest import answer, go_live, make_project
from microwork.review import services as review_services

ROOT = Path(__file__).resolve().parents[2]
NUMERIC_ATTRIBUTES = ("value", "min", "max", "step")


class _NumberInputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "number":
            self.found.append(attributes)


def _number_inputs(html: str) -> list[dict[str, str | None]]:
    parser = _NumberInputs()
    parser.feed(html)
    return parser.found


def _assert_numbers(html: str) -> list[dict[str, str | None]]:
    inputs = _number_inputs(html)
    assert inputs, "the page has number inputs"
    for attributes in inputs:
        for name in NUMERIC_ATTRIBUTES:
            value = attributes.get(name)
            if value:  # an empty value is an empty field, which is fine
                assert re.fullmatch(r"-?\d+(\.\d+)?", value), (name, value, attributes)
    return inputs


def test_every_number_input_in_the_templates_is_unlocalised():
    # A number printed into a number input must bypass localisation, wherever it is.
    tag = re.compile(r"<input\b[^>]*type=\"number\"[^>]*>", re.S)
    printed = re.compile(r"{{(.*?)}}")
    offenders = []
    for path in ROOT.rglob("templates/**/*.html"):
        for match in tag.finditer(path.read_text(encoding="utf-8")):
            for expression in printed.findall(match.group(0)):
                name = re.search(
                    r"\b(id|name|for)=\"[^\"]*" + re.escape(expression), match.group(0)
                )
                if "unlocalize" not in expression and not name:
                    offenders.append(f"{path.relative_to(ROOT)}: {expression.strip()}")
    assert offenders == []


def test_no_form_field_localises_its_number_input():
    localized = re.compile(r"localize\s*=\s*True")
    offenders = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("*.py")
        if "tests" not in p.parts and localized.search(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []


@pytest.fixture
def nina_earned(rich_acme, rita, nina):
    # Nina reads French; she earned 0.05 for an approved answer and a 1.50 bonus.
    project = make_project(rich_acme, rita)
    go_live(project, rita)
    payments_earnings.earning_approve(submission=answer(project, nina), actor=rita)
    review_services.bonus_pay(
        organisation=rich_acme,
        actor=rita,
        workers=[nina],
        amount="1.50",
        message="Merci",
        request_key="b",
        project=project,
    )
    PayoutMethod.objects.create(
        user=nina, provider="simulated", label="Orange Money", details={"phone": "+261320000000"}
    )
    return project


@pytest.mark.parametrize("url", ["payments:worker", "ledger:payouts"])
def test_the_french_payout_form_carries_plain_numbers(client, nina, nina_earned, url):
    client.force_login(nina)
    html = client.get(reverse(url)).content.decode()
    assert "Paiement" in html or "Gains" in html or "paiement" in html, "the page is in French"
    (amount,) = [i for i in _assert_numbers(html) if i.get("name") == "amount"]
    assert (amount["min"], amount["max"], amount["value"]) == ("1.00", "1.55", "1.55")


@pytest.fixture
def rita_in_french(rita):
    rita.language = "fr"
    rita.save(update_fields=["language"])
    return rita


def test_the_french_requester_pages_carry_plain_numbers(client, rita_in_french, rich_acme):
    project = make_project(rich_acme, rita_in_french)
    client.force_login(rita_in_french)
    for url in (
        reverse("projects:create"),
        reverse("projects:edit", args=[project.pk]),
        reverse("quality:project", args=[project.pk]),
        reverse("results:page", args=[project.pk]),
        reverse("review:page", args=[project.pk]),
        reverse("payments:billing"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        if _number_inputs(html):
            _assert_numbers(html)


def test_the_french_operator_deposit_form_keeps_the_amount_as_typed(client, omar):
    omar.language = "fr"
    omar.save(update_fields=["language"])
    client.force_login(omar)
    page = client.post(reverse("ledger:operator_deposit"), {"amount": "12.5", "currency": "USD"})
    (amount,) = [i for i in _assert_numbers(page.content.decode()) if i.get("name") == "amount"]
    assert amount["value"] == "12.5"
