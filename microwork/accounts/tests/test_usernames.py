"""Usernames: one per person whatever the case or width, and none that looks like another."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from microwork.accounts import services
from microwork.accounts.models import User
from microwork.accounts.usernames import username_skeleton
from microwork.lib.errors import ApplicationError


def sign_up_worker(username: str, email: str = "new@example.org") -> User:
    return services.worker_signup(
        username=username,
        email=email,
        password="long-enough-pass",
        country="NG",
        languages=["en"],
    )


def sign_up_requester(username: str, email: str = "new@example.org") -> User:
    return services.requester_signup(
        username=username, email=email, password="long-enough-pass", organisation_name="New Co"
    )


@pytest.mark.parametrize("signup", [sign_up_worker, sign_up_requester])
@pytest.mark.parametrize("name", ["WALT", "Walt", "ｗａｌｔ", " walt "])
def test_a_case_or_width_variant_of_a_name_is_taken(walt, signup, name):
    with pytest.raises(ApplicationError) as info:
        signup(name)
    assert (info.value.code, info.value.field) == ("taken", "username")
    assert User.objects.count() == 1


@pytest.mark.parametrize("signup", [sign_up_worker, sign_up_requester])
@pytest.mark.parametrize(
    "name",
    [
        "wa1t",  # digit one for l
        "waIt",  # capital i for l
        "wa1T",
        "ｗａ１ｔ",  # fullwidth
    ],
)
def test_a_lookalike_of_an_existing_name_is_refused(walt, signup, name):
    with pytest.raises(ApplicationError) as info:
        signup(name)
    assert (info.value.code, info.value.field) == ("lookalike", "username")
    assert User.objects.count() == 1


def test_a_name_written_wholly_in_cyrillic_lookalikes_is_refused(db):
    # No mixing of alphabets here: р, о, р are all Cyrillic, and together they read "pop".
    sign_up_worker("pop", email="pop@example.org")
    with pytest.raises(ApplicationError) as info:
        sign_up_worker("\u0440\u043e\u0440")
    assert info.value.code == "lookalike"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("wa\u200blt", "invisible_characters"),  # zero-width space
        ("wa\u200dlt", "invisible_characters"),  # zero-width joiner
        ("ri\u202eta", "invisible_characters"),  # right-to-left override
        ("rita\u2066", "invisible_characters"),  # left-to-right isolate
        ("ritа", "mixed_scripts"),  # Latin with a Cyrillic а
        ("ναlt", "mixed_scripts"),  # Greek with Latin
        ("a b", "invalid_characters"),
    ],
)
def test_invisible_direction_and_mixed_script_names_are_refused(db, name, code):
    with pytest.raises(ApplicationError) as info:
        sign_up_worker(name)
    assert (info.value.code, info.value.field) == (code, "username")
    assert not User.objects.exists()


@pytest.mark.parametrize("name", ["Иван", "田中tanaka", "अमित", "Zoë", "amara_o.k"])
def test_names_in_one_script_are_welcome(db, name):
    assert sign_up_worker(name).username == name


def test_names_are_stored_in_nfkc_form(db):
    assert sign_up_worker("ｚｏｅ").username == "zoe"


def test_the_database_refuses_a_second_name_differing_only_in_case(walt):
    # Whatever path writes the row (a script, the shell, a future service).
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="WALT", email="other@example.org")


def test_the_database_refuses_a_lookalike_written_past_the_services(walt):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="wa1t", email="other@example.org")


def test_skeletons_match_only_names_a_reader_could_confuse():
    assert username_skeleton("walt") == username_skeleton("wa1t") == username_skeleton("waIt")
    assert username_skeleton("Mary") == username_skeleton("rnary")
    assert username_skeleton("walt") != username_skeleton("wait")
    assert username_skeleton("bob") != username_skeleton("bab")


@pytest.mark.parametrize("typed", ["WALT", "Walt", "ｗａｌｔ", " walt"])
def test_log_in_by_username_ignores_case_and_width(client, walt, typed):
    r = client.post(reverse("accounts:login"), {"username": typed, "password": "walt-pass-123"})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(walt.pk)


def test_log_in_finds_a_non_ascii_name_in_any_case(client, db):
    zoe = sign_up_worker("Zoë")
    r = client.post(reverse("accounts:login"), {"username": "ZOË", "password": "long-enough-pass"})
    assert r.status_code == 302
    assert client.session["_auth_user_id"] == str(zoe.pk)


def test_the_admin_refuses_a_lookalike_name(client, omar, walt):
    client.force_login(omar)
    omar.is_superuser = True
    omar.save(update_fields=["is_superuser"])
    r = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "wаlt",  # Cyrillic а
            "email": "fake@example.org",
            "usable_password": "true",
            "password1": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
        },
    )
    assert r.status_code == 200
    assert "cannot mix alphabets" in r.content.decode()
    r = client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "wa1t",
            "email": "fake@example.org",
            "usable_password": "true",
            "password1": "long-enough-pass-1",
            "password2": "long-enough-pass-1",
        },
    )
    assert "looks too much like an existing one" in r.content.decode()
    assert not User.objects.filter(email="fake@example.org").exists()


def test_the_admin_can_still_rename_an_account_to_a_fresh_name(client, omar, walt):
    client.force_login(omar)
    omar.is_superuser = True
    omar.save(update_fields=["is_superuser"])
    page = client.get(reverse("admin:accounts_user_change", args=[walt.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        {
            "username": "walter",
            "date_joined_0": walt.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": walt.date_joined.strftime("%H:%M:%S"),
            "worker_profile-TOTAL_FORMS": "1",
            "worker_profile-INITIAL_FORMS": "1",
            "worker_profile-0-id": walt.worker_profile.pk,
            "worker_profile-0-user": walt.pk,
            "worker_profile-0-country": "NG",
            "worker_profile-0-languages": '["en", "yo"]',
            "worker_profile-0-timezone": "Africa/Lagos",
        }
    )
    data.pop("groups", None)
    data.pop("user_permissions", None)
    data.pop("last_login", None)
    r = client.post(reverse("admin:accounts_user_change", args=[walt.pk]), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    walt.refresh_from_db()
    assert walt.username == "walter"
    assert walt.username_skeleton != ""
