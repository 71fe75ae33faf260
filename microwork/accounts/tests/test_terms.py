"""The terms of use and privacy notice: the first version ships in both languages, sign-up
accepts the one in force, a new version sends people to accept it with the changes shown,
and the API and form posts are never stopped by it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.accounts.models import TermsAcceptance, TermsVersion, User
from microwork.accounts.terms import terms_accept, terms_current, terms_to_accept
from microwork.lib.errors import ApplicationError


@pytest.fixture(autouse=True)
def _gate_on(settings):
    settings.TERMS_GATE = True


def _new_version(**fields):
    v1 = TermsVersion.objects.get(number=1)
    values = {
        "number": 2,
        "effective_at": timezone.now() - timedelta(minutes=1),
        "summary_en": v1.summary_en,
        "summary_fr": v1.summary_fr,
        "text_en": v1.text_en.replace("within a day", "within two days"),
        "text_fr": v1.text_fr,
        "changes_en": "Payouts may take two days.",
        "changes_fr": "Les versements peuvent prendre deux jours.",
    }
    values.update(fields)
    return TermsVersion.objects.create(**values)


@pytest.mark.django_db
def test_the_first_version_ships_in_english_and_french_with_both_sides_obligations():
    v1 = terms_current()
    assert v1 is not None and v1.number == 1
    for words in (v1.text_en, v1.summary_en):
        assert "pay floor" in words and "appeal" in words.lower()
    assert "approval period" in v1.text_en and "only for one of these reasons" in v1.text_en
    assert "plancher de rémunération" in v1.text_fr and "contestation" in v1.text_fr
    # French typography: a no-break space before the colon, inside « ».
    assert " :" not in v1.text_fr and "\u00a0:" in v1.text_fr
    assert "«\u00a0" in v1.text_fr


@pytest.mark.django_db
def test_signing_up_accepts_the_version_in_force_and_needs_the_box_ticked(client):
    data = {
        "as": "worker",
        "username": "ada",
        "email": "ada@example.org",
        "password": "ada-long-pass-1",
        "country": "ng",
        "languages": "en",
        "timezone": "Africa/Lagos",
        "language": "en",
    }
    response = client.post(reverse("accounts:signup"), data)
    assert response.status_code == 400
    assert 'value="ada@example.org"' in response.content.decode()
    assert "Accept the terms of use and privacy notice to sign up." in response.content.decode()
    assert not User.objects.filter(username="ada").exists()

    response = client.post(reverse("accounts:signup"), {**data, "accept_terms": "on"})
    assert response.status_code == 302
    acceptance = TermsAcceptance.objects.get(user__username="ada")
    assert (acceptance.version.number, acceptance.via) == (1, "signup")
    # Straight to work: nothing more to accept.
    assert client.get(reverse("work:home")).status_code == 200


def test_a_new_version_sends_people_to_accept_it_with_the_changes_shown(walt, client):
    terms_accept(user=walt, version=TermsVersion.objects.get(number=1))
    client.force_login(walt)
    assert client.get(reverse("work:home")).status_code == 200
    v2 = _new_version()

    response = client.get(reverse("work:history"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:terms_review"))
    page = client.get(response["Location"]).content.decode()
    assert "Payouts may take two days." in page
    assert "within two days" in page  # the changed line of the full text
    # The terms, log-out and the worker's own data stay reachable without accepting.
    assert client.get(reverse("accounts:terms")).status_code == 200
    assert client.get(reverse("privacy:home")).status_code == 200

    response = client.post(
        reverse("accounts:terms_accept"), {"version": "2", "next": reverse("work:history")}
    )
    assert response["Location"] == reverse("work:history")
    assert terms_to_accept(user=walt) is None
    assert client.get(reverse("work:history")).status_code == 200
    # Accepting again (a retried post) keeps one record.
    client.post(reverse("accounts:terms_accept"), {"version": "2"})
    assert TermsAcceptance.objects.filter(user=walt, version=v2).count() == 1


def test_the_french_page_shows_the_french_text(nina, client):
    client.force_login(nina)
    response = client.get(reverse("accounts:terms_review"))
    body = response.content.decode()
    assert "plancher de rémunération" in body


def test_a_version_not_yet_in_force_asks_nothing_and_an_old_one_cannot_be_accepted(walt):
    terms_accept(user=walt, version=TermsVersion.objects.get(number=1))
    _new_version(effective_at=timezone.now() + timedelta(days=30))
    assert terms_to_accept(user=walt) is None
    TermsVersion.objects.filter(number=2).update(effective_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ApplicationError) as exc:
        terms_accept(user=walt, version=TermsVersion.objects.get(number=1))
    assert exc.value.code == "terms_outdated"


def test_the_api_and_form_posts_are_never_stopped_by_the_gate(walt, walt_token, client):
    assert terms_to_accept(user=walt) is not None
    response = client.get("/api/work/projects", HTTP_AUTHORIZATION=f"Bearer {walt_token}")
    assert response.status_code == 200
    client.force_login(walt)
    # A post (an answer typed before the new version) goes through; the next page asks.
    response = client.post(reverse("inbox:read"), {"next": reverse("work:home")})
    assert response.status_code == 302
    assert not response["Location"].startswith(reverse("accounts:terms_review"))


def test_operators_are_not_asked(omar, client):
    client.force_login(omar)
    assert client.get(reverse("accounts:profile")).status_code == 200
