"""A refused money form keeps what was typed and names the input as the page labels it: the
requester's deposit and go-live forms, the worker's payout forms, the operator's deposit."""

import pytest
from django.urls import reverse

from microwork.ledger.models import Payout, PayoutMethod
from microwork.payments.tests.conftest import (  # noqa: F401 - walt_worked is a fixture
    make_project,
    walt_worked,
)


def test_a_refused_deposit_comes_back_to_the_billing_page_with_the_amount(client, rita, acme):
    client.force_login(rita)
    r = client.post(
        reverse("payments:deposit"),
        {"amount": "12.5.0", "provider": "simulated", "request_key": "k1"},
        follow=True,
    )
    page = r.content.decode()
    assert 'value="12.5.0"' in page and 'aria-invalid="true"' in page
    assert "“Amount” must be a number such as 0.05." in page
    assert "amount must be" not in page
    # Shown once: the next visit starts afresh.
    assert 'value="12.5.0"' not in client.get(reverse("payments:billing")).content.decode()


def test_a_refused_deposit_on_the_go_live_page_goes_back_there_with_the_amount(client, rita, acme):
    # Acme has no funds yet, so the go-live page offers to add them.
    project = make_project(acme, rita)
    client.force_login(rita)
    go_live = reverse("payments:go_live", args=[project.pk])
    r = client.post(
        reverse("payments:deposit"),
        {"amount": "-3", "provider": "simulated", "request_key": "k2", "next": go_live},
        follow=True,
    )
    assert r.redirect_chain[-1][0] == go_live
    page = r.content.decode()
    assert 'value="-3"' in page and "“Amount” must be greater than zero." in page


@pytest.mark.usefixtures("walt_worked")
def test_a_refused_payout_request_is_the_page_again_with_the_amount_typed(client, walt):
    client.force_login(walt)
    client.post(
        reverse("ledger:payout_method_add"),
        {"provider": "simulated", "phone": "+2348012345678", "label": "Mine"},
    )
    method = PayoutMethod.objects.get(user=walt)
    r = client.post(
        reverse("ledger:payout_request"),
        {"amount": "abc", "method": method.pk, "currency": "USD", "request_key": "p1"},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert 'value="abc"' in page and "“Amount” must be a number such as 0.05." in page
    assert "amount must be" not in page
    assert not Payout.objects.exists()


def test_a_refused_payout_method_keeps_the_number_and_name_typed(client, walt):
    client.force_login(walt)
    r = client.post(
        reverse("ledger:payout_method_add"),
        {"provider": "simulated", "phone": "0801 234", "name": "Walt Adeyemi", "label": "Main"},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert 'value="0801 234" aria-invalid="true"' in page
    assert 'value="Walt Adeyemi"' in page and 'value="Main"' in page
    assert "Enter the mobile-money number in international form" in page
    assert not PayoutMethod.objects.exists()


def test_a_refused_operator_deposit_is_a_400_naming_the_amount_in_words(client, omar, acme):
    client.force_login(omar)
    r = client.post(
        reverse("ledger:operator_deposit"),
        {
            "organisation": acme.pk,
            "amount": "1e9",
            "currency": "EUR",
            "reference": "wire-77",
            "memo": "March",
        },
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert "“Amount received” must be a number such as 0.05." in page
    assert 'value="wire-77"' in page and 'value="March"' in page
    assert '<option value="EUR" selected>' in page
