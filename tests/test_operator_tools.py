"""The operators' start page: every tool linked and working, reachable from the admin and
the site's menu, closed to everyone else."""

import pytest
from django.urls import reverse

from microwork.accounts.operator import TOOLS, operator_sections


def test_every_tool_is_on_the_start_page_and_opens(client, omar):
    omar.is_superuser = True
    omar.save(update_fields=["is_superuser"])
    client.force_login(omar)
    page = client.get(reverse("operator"))
    assert page.status_code == 200
    html = page.content.decode()
    links = [link for _title, links in operator_sections(user=omar) for link in links]
    # Every tool of the list has its page: none was left out for an unknown URL name.
    assert len(links) == len(TOOLS)
    for link in links:
        assert f'href="{link.url}"' in html
        assert client.get(link.url).status_code == 200, link.url
    for name in ("quality:operator", "ledger:operator_payouts", "ledger:operator_deposit"):
        assert f'href="{reverse(name)}"' in html
    assert 'href="' + reverse("admin:ledger_ledgercheckrun_changelist") + '"' in html


def test_an_operator_without_admin_rights_sees_only_what_opens(client, omar):
    client.force_login(omar)
    html = client.get(reverse("operator")).content.decode()
    assert f'href="{reverse("quality:operator")}"' in html
    assert reverse("admin:quality_decision_changelist") not in html


def test_the_admin_and_the_menu_lead_to_it(client, omar):
    omar.is_superuser = True
    omar.save(update_fields=["is_superuser"])
    client.force_login(omar)
    target = f'href="{reverse("operator")}"'
    assert target in client.get(reverse("admin:index")).content.decode()
    assert target in client.get(reverse("admin:ledger_payout_changelist")).content.decode()
    assert target in client.get(reverse("quality:operator")).content.decode()
    # An operator who logs in lands on it.
    assert client.get(reverse("home")).url == reverse("operator")


@pytest.mark.parametrize("who", ["walt", "rita"])
def test_others_neither_see_nor_open_it(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("operator")).status_code == 403
    assert (
        f'href="{reverse("operator")}"' not in client.get(reverse("inbox:inbox")).content.decode()
    )


def test_in_french(client, omar):
    omar.language = "fr"
    omar.save(update_fields=["language"])
    client.force_login(omar)
    html = client.get(reverse("operator")).content.decode()
    assert "Outils des opérateurs" in html
