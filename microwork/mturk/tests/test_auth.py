"""Signature V4 and parameters refused the way MTurk refuses them, through boto3 itself; the
access keys' command and page; one organisation's HIT unseen by another's key."""

import io
import json
import re
from datetime import UTC, datetime, timedelta

import botocore.auth
import pytest
from botocore.exceptions import ClientError
from django.core.management import call_command

from microwork.lib.l10n import datetime_text
from microwork.mturk.models import AccessKey
from microwork.mturk.services.keys import access_key_create, access_key_revoke
from microwork.mturk.tests.helpers import client_for, hit_params, requester_client
from microwork.work.tests.factories import fund

pytestmark = pytest.mark.django_db(transaction=True)


def _error(call):
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response


def test_unknown_key_wrong_secret_and_revoked_key_are_refused(live_server, rita):
    unknown = client_for(live_server.url, "MWAKNOTAKEY000000000", "secret")
    response = _error(unknown.get_account_balance)
    assert response["Error"]["Code"] == "UnrecognizedClientException"
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400

    key, secret = access_key_create(user=rita)
    wrong = client_for(live_server.url, key.access_key_id, secret + "x")
    response = _error(wrong.get_account_balance)
    assert response["Error"]["Code"] == "InvalidSignatureException"
    assert "signature we calculated does not match" in response["Error"]["Message"]

    right = client_for(live_server.url, key.access_key_id, secret)
    assert right.get_account_balance()["AvailableBalance"] == "0.00"
    access_key_revoke(key=key)
    assert _error(right.get_account_balance)["Error"]["Code"] == "UnrecognizedClientException"


def test_a_stale_or_future_date_is_refused(live_server, rita, monkeypatch):
    mt = requester_client(live_server.url, rita)
    then = datetime.now(UTC) - timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: then.replace(tzinfo=None))
    response = _error(mt.get_account_balance)
    assert response["Error"]["Code"] == "InvalidSignatureException"
    assert response["Error"]["Message"].startswith("Signature expired")
    later = datetime.now(UTC) + timedelta(minutes=20)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: later.replace(tzinfo=None))
    assert "not yet current" in _error(mt.get_account_balance)["Error"]["Message"]


def test_an_unsigned_request_is_refused(client):
    response = client.post(
        "/mturk/",
        data="{}",
        content_type="application/x-amz-json-1.1",
        HTTP_X_AMZ_TARGET="MTurkRequesterServiceV20170117.GetAccountBalance",
    )
    assert response.status_code == 400
    assert json.loads(response.content)["__type"] == "MissingAuthenticationTokenException"


def test_parameters_are_checked_with_the_parameter_named(live_server, rita):
    fund(rita.memberships.first().organisation, "50")
    mt = requester_client(live_server.url, rita)
    response = _error(lambda: mt.create_hit(**hit_params(Reward="0.5x")))
    assert response["Error"]["Code"] == "ParameterValidationError"
    assert response["Error"]["Message"].startswith("Reward:")
    response = _error(lambda: mt.create_hit(**hit_params(AssignmentDurationInSeconds=200000)))
    assert response["Error"]["Code"] == "ParameterValidationError"
    assert "AssignmentDurationInSeconds" in response["Error"]["Message"]
    response = _error(lambda: mt.list_hits(NextToken="not-a-token"))
    assert response["Error"]["Code"] == "ParameterValidationError"
    # Under the pay floor: refused with the reason and the reward that meets it.
    response = _error(lambda: mt.create_hit(**hit_params(Reward="0.01")))
    assert response["Error"]["Code"] == "RequestError"
    assert "floor" in response["Error"]["Message"]
    # A Question that declares entities is refused before anything expands.
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE q [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><HTMLQuestion>&b;</HTMLQuestion>'
    )
    response = _error(lambda: mt.create_hit(**hit_params(Question=laughs)))
    assert "DOCTYPE" in response["Error"]["Message"]
    assert mt.list_hits()["NumResults"] == 0


def test_another_organisation_sees_none_of_the_hits(live_server, rita, rob):
    fund(rita.memberships.first().organisation, "50")
    hit = requester_client(live_server.url, rita).create_hit(**hit_params())["HIT"]
    robs = requester_client(live_server.url, rob)
    response = _error(lambda: robs.get_hit(HITId=hit["HITId"]))
    assert response["Error"]["Code"] == "RequestError"
    assert robs.list_hits()["NumResults"] == 0


def test_the_command_prints_two_lines_that_work(live_server, rita):
    out = io.StringIO()
    call_command("mturk_keys", "rita", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("AWS_ACCESS_KEY_ID=") and lines[1].startswith(
        "AWS_SECRET_ACCESS_KEY="
    )
    key_id, secret = lines[0].split("=", 1)[1], lines[1].split("=", 1)[1]
    stored = AccessKey.objects.get(access_key_id=key_id)
    assert secret not in stored.secret_encrypted  # kept encrypted, not in clear
    assert client_for(live_server.url, key_id, secret).get_account_balance()


def test_the_keys_page_makes_and_revokes_a_key(client, rita, walt):
    client.force_login(rita)
    page = client.post("/mturk/keys/")
    assert page.status_code == 200
    key = AccessKey.objects.get(user=rita)
    assert key.access_key_id in page.content.decode()
    # Dates read as on every other page, with their time zone, not as raw ISO.
    html = client.get("/mturk/keys/").content.decode()
    assert f"{datetime_text(key.created_at)} UTC" in html
    assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", html)
    client.post(f"/mturk/keys/{key.pk}/revoke/")
    key.refresh_from_db()
    assert key.revoked_at is not None
    client.force_login(walt)
    assert client.get("/mturk/keys/").status_code == 403
    assert client.post(f"/mturk/keys/{key.pk}/revoke/").status_code == 404
