"""The `api_token` command prints a key that works: a requester's reaches their
organisation's projects, a worker's the worker endpoints; unknown users are refused."""

import io

import pytest
from django.core.management import CommandError, call_command

from microwork.accounts.models import ApiToken

pytestmark = pytest.mark.django_db


def _token(*args: str) -> str:
    out = io.StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


def test_a_requester_gets_a_token_of_their_organisation(client, rita):
    key = _token("rita", "--name", "labelling script")
    token = ApiToken.objects.get(user=rita)
    assert token.name == "labelling script" and token.organisation is not None
    r = client.get("/api/projects", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200


def test_a_worker_gets_a_personal_token(client, walt):
    key = _token("walt")
    assert ApiToken.objects.get(user=walt).organisation is None
    r = client.get("/api/work/projects", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200


def test_each_call_makes_a_new_key(rita):
    assert _token("rita") != _token("rita")
    assert ApiToken.objects.filter(user=rita).count() == 2


def test_an_unknown_user_is_refused():
    with pytest.raises(CommandError, match="No active user named 'nobody'"):
        _token("nobody")
