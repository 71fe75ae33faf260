"""A requester does the whole loop through the API alone: no operator step, no web page."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microwork.accounts.models import User
from microwork.ledger.models import Transaction
from microwork.work.models import Submission

PROJECT = {
    "name": "Moderation",
    "description": "Judge images.",
    "interface": "single_choice",
    "config": {"question": "OK?", "labels": ["ok|Acceptable", "gory|Gory"]},
    "instructions": "## Examples\n",
    "reward": "0.05",
    "estimated_seconds": 20,
    "overlap": 1,
}


class Api:
    def __init__(self, client, token):
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, url):
        return self.client.get(url, headers=self.headers)

    def post(self, url, body=None):
        return self.client.post(
            url, json.dumps(body or {}), content_type="application/json", headers=self.headers
        )

    def upload(self, url, name, content):
        return self.client.post(
            url, {"file": SimpleUploadedFile(name, content)}, headers=self.headers
        )


@pytest.fixture
def rita_api(client, rita_token):
    # Rita's own API token; she never opens a web page in these tests.
    return Api(client, rita_token)


@pytest.fixture
def walt_api(client, walt_token):
    return Api(client, walt_token)


def test_a_requester_does_the_whole_loop_through_the_api_alone(
    rita_api, walt_api, walt, past_opening_round
):
    r = rita_api.post("/api/projects", PROJECT)
    assert r.status_code == 201, r.content
    pid = r.json()["id"]
    r = rita_api.upload(
        f"/api/projects/{pid}/tasks", "t.csv", b"id,text\nt1,first\nt2,second\nt3,third\n"
    )
    assert r.status_code == 201, r.content

    # No money yet: going live says how much is missing, and nothing changes.
    r = rita_api.post(f"/api/projects/{pid}/status", {"status": "live"})
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "insufficient_funds"

    deposit = {"amount": "5.00", "currency": "USD", "provider": "simulated", "request_key": "d1"}
    r = rita_api.post("/api/money/deposits", deposit)
    assert r.status_code == 201, r.content
    first = r.json()
    # A retry (the response was lost) deposits nothing more.
    again = rita_api.post("/api/money/deposits", deposit)
    assert again.status_code == 201 and again.json()["id"] == first["id"]
    assert rita_api.get("/api/billing").json()["available"] == {"USD": "5.000000"}

    r = rita_api.post(f"/api/projects/{pid}/status", {"status": "live"})
    assert r.status_code == 200, r.content
    # Going live opens with a round: whoever asks in its first minute waits for it, then is
    # served with everyone else who asked.
    r = walt_api.post(f"/api/work/projects/{pid}/claim")
    assert r.status_code == 200 and r.json()["state"] == "waiting", r.content
    past_opening_round()

    answered = []
    for label in ("gory", "ok"):
        r = walt_api.post(f"/api/work/projects/{pid}/claim")
        assert r.status_code == 200 and r.json()["state"] == "assigned", r.content
        assignment = r.json()["assignment"]["id"]
        r = walt_api.post(
            f"/api/work/assignments/{assignment}/submit", {"answer": label, "active_ms": 12_000}
        )
        assert r.status_code == 200, r.content
        answered.append(label)

    r = rita_api.post(f"/api/projects/{pid}/submissions/approve", {})
    assert r.json() == {"approved": 2}
    r = rita_api.get(f"/api/projects/{pid}/answers.csv")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    assert sorted(row["answer"] for row in rows if row["worker"] == "walt") == sorted(answered)

    statement = rita_api.get("/api/money/statement").json()
    kinds = {row["kind"] for row in statement["items"]}
    assert {"deposit", "escrow_fund"} <= kinds
    assert Submission.objects.filter(worker=walt, status="approved").count() == 2
    # Nobody but Rita and Walt took part: no operator recorded anything.
    assert not User.objects.filter(is_staff=True).exists()
    assert Transaction.objects.get(kind="deposit").created_by.username == "rita"
