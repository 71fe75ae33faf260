"""Both text kinds show on the pages that show a task: the requester's review page shows
each answer (the spans as labelled marks, the text as written, all escaped), and the results
page shows the spans the crowd agreed on."""

import json

import pytest
from django.urls import reverse

from microwork.accounts.access import access_organisation_for_requester
from microwork.ledger.services.deposits import deposit_record
from microwork.projects.interfaces import get_interface

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(rita, omar):
    deposit_record(
        organisation=access_organisation_for_requester(user=rita),
        amount="100",
        currency="USD",
        reference="text-kinds-deposit",
        actor=omar,
    )


def _call(client, method, url, token, body=None):
    kwargs = {"headers": {"Authorization": f"Bearer {token}"}}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def _answered(client, rita_token, walt_token, past_opening_round, key, data, answer):
    example = get_interface(key).example
    r = _call(
        client,
        "post",
        "/api/projects",
        rita_token,
        {
            "name": f"Pages of {key}",
            "description": "Shown on every page.",
            "instructions": "As the example shows.",
            "interface": key,
            "config": example["config"],
            "reward": "0.10",
            "estimated_seconds": 30,
            "overlap": 1,
        },
    )
    project_id = r.json()["id"]
    r = _call(client, "post", f"/api/projects/{project_id}/tasks", rita_token,
              {"tasks": [{"id": "t-1", **data}]})  # fmt: skip
    assert r.status_code == 201, r.content
    _call(client, "post", f"/api/projects/{project_id}/status", rita_token, {"status": "live"})
    past_opening_round()
    r = _call(client, "post", f"/api/work/projects/{project_id}/claim", walt_token, {})
    assignment = r.json()["assignment"]
    r = _call(client, "post", f"/api/work/assignments/{assignment['id']}/submit", walt_token,
              {"answer": answer, "active_ms": 9_000})  # fmt: skip
    assert r.status_code == 200, r.content
    return project_id


def test_spans_show_as_labelled_marks_on_review_and_results(
    client, rita, rita_token, walt_token, funded, past_opening_round
):
    text = 'Caster Semenya ran <b>through</b> "Pretoria" & Hatfield.'
    start = text.index("Pretoria")
    answer = [
        {"label": "PER", "start": 0, "end": 14},
        {"label": "LOC", "start": start, "end": start + 8},
    ]
    project_id = _answered(
        client, rita_token, walt_token, past_opening_round, "text_spans", {"text": text}, answer
    )
    client.force_login(rita)
    for url in (
        reverse("review:page", args=[project_id]),
        reverse("results:page", args=[project_id]),
    ):
        html = client.get(url).content.decode()
        assert '<mark class="span lab-0" title="Person">Caster Semenya' in html, url
        assert '<mark class="span lab-2" title="Place">Pretoria' in html, url
        assert "&lt;b&gt;through" in html and "<b>through" not in html
    html = client.get(reverse("review:page", args=[project_id])).content.decode()
    assert "PER: Caster Semenya; LOC: Pretoria" in html


def test_free_text_answers_show_as_written_on_the_review_page(
    client, rita, rita_token, walt_token, funded, past_opening_round
):
    answer = "A red <b>kettle</b> on a table."
    project_id = _answered(
        client,
        rita_token,
        walt_token,
        past_opening_round,
        "free_text",
        {"prompt": "Describe the kettle."},
        answer,
    )
    client.force_login(rita)
    html = client.get(reverse("review:page", args=[project_id])).content.decode()
    assert "Describe the kettle." in html
    assert "A red &lt;b&gt;kettle&lt;/b&gt; on a table." in html
    assert json.dumps(answer) not in html
