"""Log-in throttling that holds per account and cannot be turned against other people."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from microwork.accounts.models import LoginFailure

LOGIN = reverse("accounts:login")


def log_in(client, name, password, **extra):
    return client.post(LOGIN, {"username": name, "password": password}, **extra)


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20


def test_an_account_locked_by_name_is_locked_by_email_and_any_case(client, walt):
    # Someone guesses Walt's password by name; switching to his e-mail address or to capitals
    # gives them no fresh guesses, and the lock holds even for the right password.
    for _ in range(3):
        assert log_in(client, "walt", "wrong").status_code == 200
    for name in ("walt@example.org", "WALT@EXAMPLE.ORG", "Walt", "ｗａｌｔ"):
        r = log_in(client, name, "walt-pass-123")
        assert r.status_code == 429, name
        assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(account=f"user:{walt.pk}").count() == 3


def test_guesses_by_email_lock_the_name_too(client, walt):
    for _ in range(3):
        log_in(client, "Walt@Example.org", "wrong")
    assert log_in(client, "walt", "walt-pass-123").status_code == 429


def test_one_address_failing_for_many_names_never_refuses_another_accounts_right_password(
    client, rita, walt
):
    # A café's shared address: someone there fails 30 times across many names (more than the
    # address limit). Rita, at the next table, types her password right and gets in.
    for i in range(30):
        log_in(client, f"guess{i}", "wrong", REMOTE_ADDR="203.0.113.9")
    log_in(client, "walt", "wrong", REMOTE_ADDR="203.0.113.9")
    r = log_in(client, "rita", "rita-pass-123", REMOTE_ADDR="203.0.113.9")
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(rita.pk)


def test_a_busy_address_gets_too_many_for_wrong_and_unknown_log_ins_only(client, rita, walt):
    for i in range(21):
        log_in(client, f"guess{i}", "wrong", REMOTE_ADDR="203.0.113.9")
    assert log_in(client, "rita", "wrong", REMOTE_ADDR="203.0.113.9").status_code == 429
    assert log_in(client, "nobody", "wrong", REMOTE_ADDR="203.0.113.9").status_code == 429
    # Another address is not slowed, and Walt's right password from the busy one still works.
    assert log_in(client, "rita", "wrong", REMOTE_ADDR="198.51.100.4").status_code == 200
    assert log_in(client, "walt", "walt-pass-123", REMOTE_ADDR="203.0.113.9").status_code == 302


def test_an_unknown_name_is_throttled_exactly_like_a_known_one(client, walt):
    # The answers must not tell an attacker which names have accounts.
    bodies = {}
    for name in ("walt", "nobody"):
        answers = [log_in(client, name, "wrong") for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        bodies[name] = [
            re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", a.content.decode()).replace(
                name, "NAME"
            )
            for a in answers
        ]
    assert bodies["walt"] == bodies["nobody"]
    assert LoginFailure.objects.filter(account="name:nobody").count() == 3


def test_a_right_password_forgets_the_accounts_failures(client, walt):
    for _ in range(2):
        log_in(client, "walt", "wrong")
    assert log_in(client, "walt", "walt-pass-123").status_code == 302
    assert not LoginFailure.objects.filter(account=f"user:{walt.pk}").exists()


def test_failures_are_counted_for_the_client_behind_a_trusted_proxy(client, walt, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    # The client wrote the first entry itself: it is never believed.
    forwarded = "192.0.2.1, 203.0.113.9, 10.0.0.7"
    log_in(client, "walt", "wrong", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == ["203.0.113.9"]


def test_forwarded_headers_are_ignored_without_trusted_proxies(client, walt):
    log_in(client, "walt", "wrong", REMOTE_ADDR="198.51.100.4", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert list(LoginFailure.objects.values_list("ip", flat=True)) == ["198.51.100.4"]


def test_behind_a_proxy_one_clients_failures_do_not_slow_another(client, rita, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    proxy = {"REMOTE_ADDR": "10.0.0.5"}
    for i in range(5):
        log_in(client, f"guess{i}", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy)
    assert (
        log_in(client, "rita", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.9", **proxy).status_code
        == 429
    )
    assert (
        log_in(client, "rita", "wrong", HTTP_X_FORWARDED_FOR="198.51.100.4", **proxy).status_code
        == 200
    )


def test_ipv6_clients_are_counted_by_their_64_network(client, walt):
    log_in(client, "walt", "wrong", REMOTE_ADDR="2001:db8:1:2::17")
    log_in(client, "walt", "wrong", REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert set(LoginFailure.objects.values_list("ip", flat=True)) == {"2001:db8:1:2::"}


def test_the_admin_log_in_is_throttled_like_the_sites(client, omar):
    # The admin's own form is no side door for guessing an operator's password.
    url = reverse("admin:login")
    for _ in range(3):
        r = client.post(url, {"username": "omar", "password": "wrong"})
        assert r.status_code == 200
    r = client.post(url, {"username": "omar", "password": "omar-pass-123"})
    assert "_auth_user_id" not in client.session
    assert "Too many failed log-ins" in r.content.decode()
    assert LoginFailure.objects.filter(account=f"user:{omar.pk}").count() == 3


def test_the_admin_log_in_accepts_an_operator_by_email(client, omar):
    r = client.post(
        reverse("admin:login"), {"username": "OMAR@microwork.example", "password": "omar-pass-123"}
    )
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(omar.pk)


def test_someone_locking_an_account_does_not_lock_its_owner_out_of_their_phone(client, walt):
    # Walt logged in on his phone last week; today someone fails on "walt" from elsewhere
    # until the account locks. His phone still gets in; a new browser is still refused.
    phone = client
    assert log_in(phone, "walt", "walt-pass-123").status_code == 302
    phone.post(reverse("accounts:logout"))
    attacker = Client()
    for _ in range(3):
        log_in(attacker, "walt", "wrong")
    assert log_in(attacker, "walt", "walt-pass-123").status_code == 429
    assert log_in(Client(), "walt", "walt-pass-123").status_code == 429
    r = log_in(phone, "walt", "walt-pass-123")
    assert r.status_code == 302
    assert phone.session["_auth_user_id"] == str(walt.pk)


def test_a_known_device_has_its_own_failure_limit(client, walt):
    assert log_in(client, "walt", "walt-pass-123").status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(3):
        assert log_in(client, "walt", "wrong").status_code == 200
    assert log_in(client, "walt", "walt-pass-123").status_code == 429


def test_a_device_mark_for_another_account_or_forged_is_worth_nothing(client, rita, walt):
    assert log_in(client, "rita", "rita-pass-123").status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(3):
        log_in(Client(), "walt", "wrong")
    # Rita's browser has no standing for Walt's account.
    assert log_in(client, "walt", "walt-pass-123").status_code == 429
    forged = Client()
    forged.cookies["mw_device"] = f"{walt.pk}:made-up"
    assert log_in(forged, "walt", "walt-pass-123").status_code == 429


def test_the_owner_logging_in_from_their_phone_gives_the_guesser_no_fresh_guesses(client, walt):
    assert log_in(client, "walt", "walt-pass-123").status_code == 302
    attacker = Client()
    for _ in range(3):
        log_in(attacker, "walt", "wrong")
    assert log_in(client, "walt", "walt-pass-123").status_code == 302
    assert log_in(attacker, "walt", "walt-pass-123").status_code == 429
