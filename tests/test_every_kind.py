"""For every registered task kind, a script can do what the API promises with nothing but
`GET /api/interfaces/{key}`: create a project from the published example, post the example's
task, go live, have a worker claim it and submit the example answer through the worker API,
and read a result for the task. A new kind is covered the moment it is registered."""

import base64
import json
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags

from microwork.accounts.access import access_organisation_for_requester
from microwork.ledger.services.deposits import deposit_record
from microwork.projects.interfaces import REGISTRY, get_interface

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(rita, omar):
    deposit_record(
        organisation=access_organisation_for_requester(user=rita),
        amount="100",
        currency="USD",
        reference="every-kind-deposit",
        actor=omar,
    )


def _call(client, method, url, token, body=None):
    kwargs = {"headers": {"Authorization": f"Bearer {token}"}}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


@pytest.mark.parametrize("key", list(REGISTRY))
def test_every_kind_runs_from_its_published_example(
    key, client, rita, rita_token, walt_token, funded, past_opening_round, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    described = _call(client, "get", f"/api/interfaces/{key}", rita_token)
    assert described.status_code == 200
    example = described.json()["example"]
    assert {"config", "data", "answer"} <= example.keys(), key

    r = _call(
        client,
        "post",
        "/api/projects",
        rita_token,
        {
            "name": f"Example of {key}",
            "description": "Made from the published example.",
            "instructions": "## Examples\n\nAs the example shows.",
            "interface": key,
            "config": example["config"],
            "reward": "0.10",
            "estimated_seconds": 30,
            "overlap": 1,
            # Required before going live for kinds that show pictures or video.
            "disturbing_content": [],
            # A kind that collects personal data publishes its declaration with the example.
            **(example.get("project") or {}),
        },
    )
    assert r.status_code == 201, r.content
    project_id = r.json()["id"]

    r = _call(
        client,
        "post",
        f"/api/projects/{project_id}/tasks",
        rita_token,
        {"tasks": [{"id": "example-1", **example["data"]}]},
    )
    assert r.status_code == 201, r.content
    assert r.json()["rows_added"] == 1, r.json()
    r = _call(client, "post", f"/api/projects/{project_id}/status", rita_token, {"status": "live"})
    assert r.status_code == 200, r.content

    past_opening_round()
    if (example.get("project") or {}).get("personal_data"):
        # No consent, no task: Walt agrees to the declaration first.
        r = _call(client, "post", f"/api/work/projects/{project_id}/consent", walt_token, {})
        assert r.status_code == 200, r.content
    r = _call(client, "post", f"/api/work/projects/{project_id}/claim", walt_token, {})
    assert r.status_code == 200, r.content
    assignment = r.json()["assignment"]
    assert assignment is not None, r.json()
    sent = example["answer"]
    # A kind whose answer holds a worker's file publishes a sample of each: upload it, and
    # the answer names the ref it gets.
    for field, sample in (example.get("files") or {}).items():
        r = client.post(
            f"/api/work/assignments/{assignment['id']}/files",
            data={
                "file": SimpleUploadedFile(
                    sample["name"], base64.b64decode(sample["base64"]), sample["content_type"]
                ),
                "field": field,
            },
            headers={"Authorization": f"Bearer {walt_token}"},
        )
        assert r.status_code == 201, (key, r.content)
        sent = {**sent, field: r.json()["ref"]}
    r = _call(
        client,
        "post",
        f"/api/work/assignments/{assignment['id']}/submit",
        walt_token,
        {"answer": sent, "active_ms": 12_000},
    )
    assert r.status_code == 200, r.content

    r = _call(client, "get", f"/api/projects/{project_id}/results", rita_token)
    assert r.status_code == 200, r.content
    [item] = [i for i in r.json()["items"] if i["external_id"] == "example-1"]
    assert item["answers_count"] == 1
    [answer] = item["answers"]
    interface = get_interface(key)
    config = interface.check_config(example["config"])
    expected = interface.check_answer(config, example["data"], sent)
    assert answer["worker"] == "walt"
    assert interface.answer_key(answer["answer"]) == interface.answer_key(expected)

    # The same task reaches the exports (the answer as stored, in CSV and JSONL) and the
    # requester's results page, shown through the kind's own view.
    bodies = {}
    for name in ("results.csv", "answers.csv", "results.jsonl", "answers.jsonl"):
        r = _call(client, "get", f"/api/projects/{project_id}/{name}", rita_token)
        assert r.status_code == 200, (name, r.content)
        bodies[name] = (b"".join(r.streaming_content) if r.streaming else r.content).decode()
        assert "example-1" in bodies[name], (key, name)
    [row] = [json.loads(line) for line in bodies["answers.jsonl"].splitlines() if line.strip()]
    assert row["answer"] == interface.answer_label(expected), row
    client.force_login(rita)
    page = client.get(reverse("results:page", args=[project_id]))
    assert page.status_code == 200
    assert "example-1" in page.content.decode(), key

    # The review page shows the task itself (its text, its picture, recording or video) and
    # the answer in words, through the kind's own view, never the stored value as code.
    review = client.get(reverse("review:page", args=[project_id]) + "?status=all")
    assert review.status_code == 200
    html = review.content.decode()
    # The page's words, without the markup a kind puts inside them (marked spans).
    text = " ".join(unescape(strip_tags(html)).split())
    stored = interface.check_answer(config, example["data"], sent)
    properties = interface.input_schema_for(config).get("properties", {})
    for name, value in example["data"].items():
        if name not in properties or not isinstance(value, str) or not value.strip():
            continue
        if name.endswith("_url"):
            assert any(tag in html for tag in ("<img", "<audio", "<video")) or value in text, (
                key,
                name,
            )
        elif name not in ("id", "a_id", "b_id", "language"):
            # Word by word: a kind may mark words up inside the text (a span's tag).
            assert all(word in text for word in value.split()[:4]), (key, name)
    words = interface.answer_text(config, stored, example["data"])
    if words and not interface.file_fields_for(config):
        # Each part of the answer in words ("verdict: correct; note: …") is on the page.
        for part in str(words).split("; "):
            shown = part.split(": ", 1)[-1].strip(" —")
            assert not shown or shown[:20] in text, (key, words)
    if isinstance(stored, list | dict):
        assert repr(stored) not in html, key
    summary = interface.content_summary(config, example["data"])
    assert summary and "://" not in summary, (key, summary)
