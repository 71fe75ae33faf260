"""Password reset by e-mail, and revoking API tokens with a new password."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from microwork.accounts import services
from microwork.accounts.models import ApiToken, LoginFailure, PasswordResetRequest

RESET = reverse("accounts:password_reset")
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _mail_in_this_process(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.SITE_URL = "https://work.example.org"
    yield
    translation.deactivate()


@pytest.fixture
def ask(client, django_capture_on_commit_callbacks):
    def ask(email: str, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(RESET, {"email": email}, **extra)

    return ask


def reset_link(message) -> str:
    match = re.search(r"https://work\.example\.org(/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def choose_password(client: Client, link: str, password: str, revoke: bool) -> None:
    # Django swaps the token in the address for one kept in the session, then asks.
    form_url = client.get(link).url
    data = {"new_password1": password, "new_password2": password}
    if revoke:
        data["revoke_api_tokens"] = "on"
    r = client.post(form_url, data)
    assert r.status_code == 302 and r.url == reverse("accounts:password_reset_complete")


def test_the_log_in_page_links_to_the_reset(client, db):
    assert RESET in client.get(reverse("accounts:login")).content.decode()


def test_a_reset_link_is_mailed_and_sets_a_new_password(client, walt, ask):
    r = ask("WALT@example.org")
    assert r.status_code == 302 and r.url == reverse("accounts:password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["walt@example.org"]
    assert message.subject == "Reset your microwork password"
    # The link is built from SITE_URL, never from the Host header of whoever asked.
    choose_password(client, reset_link(message), "a-brand-new-pass-7", revoke=False)
    walt.refresh_from_db()
    assert walt.check_password("a-brand-new-pass-7")


def test_the_reset_mail_is_in_the_users_language(nina, ask):
    # Nina reads French; the request came from a browser set to English.
    ask("nina@example.org", HTTP_ACCEPT_LANGUAGE="en")
    (message,) = mail.outbox
    assert message.subject == "Réinitialiser votre mot de passe microwork"
    assert "Bonjour nina" in message.body


def test_a_reset_link_cannot_be_used_twice(client, walt, ask):
    ask("walt@example.org")
    link = reset_link(mail.outbox[0])
    choose_password(client, link, "a-brand-new-pass-7", revoke=False)
    page = Client().get(link, follow=True)
    assert "expired or was already used" in page.content.decode()


def test_the_answer_does_not_tell_whether_an_address_has_an_account(walt, ask):
    known = ask("walt@example.org")
    unknown = ask("nobody@example.org")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert [m.to for m in mail.outbox] == [["walt@example.org"]]


def test_a_reset_ends_every_session_and_can_revoke_the_api_tokens(client, walt, walt_token, ask):
    phone = Client()
    phone.force_login(walt)
    assert phone.get(reverse("accounts:profile")).status_code == 200
    ask("walt@example.org")
    choose_password(client, reset_link(mail.outbox[0]), "a-brand-new-pass-7", revoke=True)
    # The phone's session was made with the old password: it is logged out.
    assert phone.get(reverse("accounts:profile")).status_code == 302
    assert ApiToken.objects.get(user=walt).revoked_at is not None
    api = Client().get("/api/work/projects", headers={"Authorization": f"Bearer {walt_token}"})
    assert api.status_code == 401


def test_a_reset_keeps_the_api_tokens_when_asked_to(client, walt, walt_token, ask):
    ask("walt@example.org")
    choose_password(client, reset_link(mail.outbox[0]), "a-brand-new-pass-7", revoke=False)
    api = Client().get("/api/work/projects", headers={"Authorization": f"Bearer {walt_token}"})
    assert api.status_code == 200


def test_the_reset_form_offers_to_revoke_tokens_checked(client, walt, ask):
    ask("walt@example.org")
    form_url = client.get(reset_link(mail.outbox[0])).url
    html = client.get(form_url).content.decode()
    assert re.search(r'<input type="checkbox" name="revoke_api_tokens"[^>]* checked', html)


def test_a_reset_lifts_a_lock_someone_else_put_on_the_account(client, walt, ask, settings):
    # Someone keeps failing to log in as Walt; Walt proves he reads his mail and is let in.
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        Client().post(reverse("accounts:login"), {"username": "walt", "password": "wrong"})
    ask("walt@example.org")
    choose_password(client, reset_link(mail.outbox[0]), "a-brand-new-pass-7", revoke=False)
    assert not LoginFailure.objects.filter(account=f"user:{walt.pk}").exists()
    r = Client().post(
        reverse("accounts:login"), {"username": "walt", "password": "a-brand-new-pass-7"}
    )
    assert r.status_code == 302


def test_reset_mails_to_one_address_are_limited_quietly(walt, ask, settings):
    settings.PASSWORD_RESET_LIMIT = 2
    answers = [ask("walt@example.org") for _ in range(4)]
    assert {(a.status_code, a.url) for a in answers} == {
        (302, reverse("accounts:password_reset_done"))
    }
    assert len(mail.outbox) == 2


def test_reset_requests_from_one_client_address_are_limited(walt, ask, settings):
    settings.PASSWORD_RESET_ADDRESS_LIMIT = 3
    for i in range(3):
        assert ask(f"someone{i}@example.org", REMOTE_ADDR="203.0.113.9").status_code == 302
    r = ask("walt@example.org", REMOTE_ADDR="203.0.113.9")
    assert r.status_code == 429
    assert not mail.outbox
    # Someone else is not slowed by that address.
    assert ask("walt@example.org", REMOTE_ADDR="198.51.100.4").status_code == 302
    assert PasswordResetRequest.objects.filter(ip="203.0.113.9").count() == 3


def test_password_change_can_revoke_the_api_tokens(client, walt, walt_token):
    client.force_login(walt)
    page = client.get(reverse("accounts:password_change")).content.decode()
    assert "Also revoke my API tokens" in page
    r = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "walt-pass-123",
            "new_password": "a-new-longer-pass-9",
            "new_password_again": "a-new-longer-pass-9",
            "revoke_api_tokens": "on",
        },
    )
    assert r.status_code == 302
    assert ApiToken.objects.get(user=walt).revoked_at is not None
    api = Client().get("/api/work/projects", headers={"Authorization": f"Bearer {walt_token}"})
    assert api.status_code == 401


def test_password_change_keeps_the_api_tokens_unless_asked(client, walt, walt_token):
    client.force_login(walt)
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "walt-pass-123",
            "new_password": "a-new-longer-pass-9",
            "new_password_again": "a-new-longer-pass-9",
        },
    )
    assert ApiToken.objects.get(user=walt).revoked_at is None


def test_password_change_service_revokes_only_when_asked(walt, walt_token):
    services.user_password_change(
        user=walt,
        old_password="walt-pass-123",
        new_password="a-new-longer-pass-9",
        revoke_api_tokens=True,
    )
    assert ApiToken.objects.filter(user=walt, revoked_at__isnull=True).count() == 0


def _settings_in_a_fresh_process(env: dict[str, str]) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        "print(json.dumps({'mailers': settings.MAILERS, 'from': settings.DEFAULT_FROM_EMAIL}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_mail_goes_to_the_console_unless_an_smtp_server_is_named():
    assert _settings_in_a_fresh_process({})["mailers"]["default"] == {
        "BACKEND": "django.core.mail.backends.console.EmailBackend"
    }
    smtp = _settings_in_a_fresh_process(
        {
            "EMAIL_HOST": "smtp.example.org",
            "EMAIL_HOST_USER": "microwork",
            "EMAIL_HOST_PASSWORD": "s3cret",
            "EMAIL_USE_SSL": "1",
            "DEFAULT_FROM_EMAIL": "microwork <help@example.org>",
        }
    )
    default = smtp["mailers"]["default"]
    assert default["BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert default["OPTIONS"] | {"timeout": None} == {
        "host": "smtp.example.org",
        "port": 465,
        "username": "microwork",
        "password": "s3cret",
        "use_tls": False,
        "use_ssl": True,
        "timeout": None,
    }
    assert smtp["from"] == "microwork <help@example.org>"
