from urllib.parse import urlencode

import pytest
from django.urls import reverse

from microwork.accounts import services
from microwork.accounts.models import LoginFailure, User
from microwork.lib.errors import ApplicationError
from microwork.lib.tests.redirect_attacks import OPEN_REDIRECT_ATTACKS


def test_passwords_are_hashed_with_argon2(db, settings):
    from config import settings as real

    settings.PASSWORD_HASHERS = real.PASSWORD_HASHERS
    user = services.worker_signup(
        username="ada",
        email="ada@example.org",
        password="ada-pass-1234",
        country="NG",
        languages=["en"],
    )
    assert user.password.startswith("argon2")
    assert user.check_password("ada-pass-1234")


def test_worker_signup_keeps_profile(walt):
    assert walt.worker_profile.country == "NG"
    assert walt.worker_profile.languages == ["en", "yo"]
    assert walt.is_worker and not walt.is_requester


def test_requester_signup_creates_organisation(rita):
    assert rita.is_requester and not rita.is_worker
    assert rita.memberships.get().organisation.name == "Acme Labs"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("country", {"country": "Nigeria"}),
        ("languages", {"languages": [""]}),
        ("timezone", {"timezone_name": "Mars/Olympus"}),
        ("password", {"password": "123"}),
        ("email", {"email": "not-an-email"}),
    ],
)
def test_bad_signup_names_the_field_and_stores_nothing(field, kwargs):
    data = {
        "username": "x",
        "email": "x@example.org",
        "password": "long-enough-pass",
        "country": "NG",
        "languages": ["en"],
        "timezone_name": "UTC",
    }
    data.update(kwargs)
    with pytest.raises(ApplicationError) as info:
        services.worker_signup(**data)
    assert info.value.field == field
    assert not User.objects.exists()


def test_duplicate_username_refused(walt):
    with pytest.raises(ApplicationError) as info:
        services.worker_signup(
            username="WALT",
            email="other@example.org",
            password="long-enough-pass",
            country="NG",
            languages=["en"],
        )
    assert info.value.code == "taken"


@pytest.mark.django_db
def test_signup_page_logs_the_worker_in(client):
    response = client.post(
        reverse("accounts:signup"),
        {
            "as": "worker",
            "username": "ada",
            "email": "ada@example.org",
            "password": "ada-long-pass-1",
            "country": "ng",
            "languages": "en, ha",
            "timezone": "Africa/Lagos",
            "language": "en",
            "accept_terms": "on",
        },
    )
    assert response.status_code == 302
    ada = User.objects.get(username="ada")
    assert ada.worker_profile.languages == ["en", "ha"]
    assert client.session["_auth_user_id"] == str(ada.pk)


def test_login_by_username_or_email_and_logout(client, walt):
    response = client.post(
        reverse("accounts:login"), {"username": "walt@example.org", "password": "walt-pass-123"}
    )
    assert response.status_code == 302
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_throttled_even_with_the_right_password(client, walt, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        r = client.post(reverse("accounts:login"), {"username": "walt", "password": "wrong"})
        assert r.status_code == 200
    assert LoginFailure.objects.filter(account=f"user:{walt.pk}").count() == 3
    r = client.post(reverse("accounts:login"), {"username": "walt", "password": "walt-pass-123"})
    assert r.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_change(client, walt):
    client.force_login(walt)
    r = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "walt-pass-123",
            "new_password": "a-new-longer-pass-9",
            "new_password_again": "a-new-longer-pass-9",
        },
    )
    assert r.status_code == 302
    walt.refresh_from_db()
    assert walt.check_password("a-new-longer-pass-9")
    # Still logged in: the session follows the new password.
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_password_change_page_shows_the_services_refusal_and_keeps_the_password(client, walt):
    client.force_login(walt)
    r = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "not-walts-password",
            "new_password": "a-new-longer-pass-9",
            "new_password_again": "a-new-longer-pass-9",
        },
    )
    assert r.status_code == 400 and "entered incorrectly" in r.content.decode()
    walt.refresh_from_db()
    assert walt.check_password("walt-pass-123")


def test_password_change_service_checks_the_old_password_first(walt):
    with pytest.raises(ApplicationError) as info:
        services.user_password_change(
            user=walt, old_password="wrong", new_password="a-new-longer-pass-9"
        )
    assert (info.value.code, info.value.field) == ("wrong_password", "old_password")
    walt.refresh_from_db()
    assert walt.check_password("walt-pass-123")


def test_password_change_service_refuses_a_weak_password(walt):
    with pytest.raises(ApplicationError) as info:
        services.user_password_change(user=walt, old_password="walt-pass-123", new_password="123")
    assert (info.value.code, info.value.field) == ("weak_password", "new_password")
    walt.refresh_from_db()
    assert walt.check_password("walt-pass-123")


def test_password_change_service_sets_the_new_password(walt):
    user = services.user_password_change(
        user=walt, old_password="walt-pass-123", new_password="a-new-longer-pass-9"
    )
    walt.refresh_from_db()
    assert walt.check_password("a-new-longer-pass-9") and user.pk == walt.pk


def test_a_login_name_is_a_username_or_an_email(walt):
    from microwork.accounts import selectors

    assert selectors.login_username(name="WALT@Example.org") == "walt"
    assert selectors.login_username(name="walt") == "walt"
    assert selectors.login_username(name="nobody@example.org") == "nobody@example.org"


def test_api_token_is_stored_hashed_and_shown_once(client, rita):
    client.force_login(rita)
    r = client.post(reverse("accounts:tokens"), {"name": "script"})
    key = r.context["new_key"]
    assert key.startswith("mw_")
    token = rita.api_tokens.get()
    assert token.key_hash != key and token.organisation.name == "Acme Labs"
    assert key not in client.get(reverse("accounts:tokens")).content.decode()


def test_profile_update_switches_language(client, nina):
    client.force_login(nina)
    r = client.get(reverse("accounts:profile"))
    assert r.status_code == 200
    assert "Votre compte" in r.content.decode()


@pytest.mark.parametrize("attack", OPEN_REDIRECT_ATTACKS)
def test_logging_in_never_follows_next_off_the_site(client, walt, attack):
    r = client.post(
        reverse("accounts:login") + "?" + urlencode({"next": attack}),
        {"username": "walt", "password": "walt-pass-123"},
    )
    assert r.status_code == 302 and r["Location"] == reverse("home")
    client.logout()
    r = client.post(
        reverse("accounts:login") + "?" + urlencode({"next": "/work/history/"}),
        {"username": "walt", "password": "walt-pass-123"},
    )
    assert r["Location"] == "/work/history/"
