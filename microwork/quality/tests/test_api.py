"""The quality API through real HTTP calls, asserting on the database afterwards."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from microwork.quality.feedback import feedback_releases_run
from microwork.quality.models import (
    Appeal,
    ProjectRequirement,
    QualificationGrant,
    QualificationTest,
    RuleConfig,
)
from microwork.quality.services.configuration import rule_configure
from microwork.quality.tests.helpers import answer, make_project, make_tasks


@pytest.fixture
def project(rita):
    return make_project(owner=rita)


def _auth(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_requester_creates_a_required_test_and_a_rule(client, project, rita_token, walt):
    gold = make_tasks(project, 5, gold=True)
    r = client.post(
        f"/api/quality/projects/{project.pk}/tests",
        {
            "name": "Cats test",
            "task_ids": [t.pk for t in gold],
            "question_count": 5,
            "pass_mark": "0.8",
            "required": True,
        },
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 201, r.content
    test = QualificationTest.objects.get()
    assert r.json()["tasks"] == 5
    assert ProjectRequirement.objects.get().qualification == test.qualification
    r = client.put(
        f"/api/quality/projects/{project.pk}/rules",
        {
            "rule_key": "gold_accuracy",
            "params": {"threshold": 0.9, "bound": "lower"},
            "action": "pause",
        },
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 200
    assert RuleConfig.objects.get().params["bound"] == "lower"


def test_bad_input_names_the_field_and_changes_nothing(client, project, rita_token):
    gold = make_tasks(project, 2, gold=True)
    r = client.post(
        f"/api/quality/projects/{project.pk}/tests",
        {"name": "T", "task_ids": [t.pk for t in gold], "question_count": 3},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 400 and r.json()["field"] == "question_count"
    r = client.put(
        f"/api/quality/projects/{project.pk}/rules",
        {"rule_key": "gold_accuracy", "params": {"threshold": 1.5}},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 400 and r.json()["field"] == "threshold"
    assert not QualificationTest.objects.exists() and not RuleConfig.objects.exists()


def test_another_organisation_cannot_touch_the_project(client, project, rob):
    from microwork.accounts import services as account_services
    from microwork.accounts.access import access_organisation_for_requester

    _t, key = account_services.api_token_create(
        user=rob, name="x", organisation=access_organisation_for_requester(user=rob)
    )
    r = client.get(f"/api/quality/projects/{project.pk}/skills", **_auth(key))
    assert r.status_code == 404


def test_grant_a_custom_qualification(client, rita_token, walt):
    r = client.post(
        "/api/quality/qualifications",
        {"name": "Medical reviewer"},
        content_type="application/json",
        **_auth(rita_token),
    )
    qid = r.json()["id"]
    r = client.post(
        f"/api/quality/qualifications/{qid}/grants",
        {"worker": "walt", "value": 3},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 200
    assert QualificationGrant.objects.get().value == 3
    r = client.post(
        f"/api/quality/qualifications/{qid}/grants",
        {"worker": "nobody"},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 404 and r.json()["field"] == "worker"
    r = client.delete(f"/api/quality/qualifications/{qid}/grants/walt", **_auth(rita_token))
    assert r.status_code == 204
    assert QualificationGrant.objects.get().revoked_at is not None


@override_settings(CONTROL_FEEDBACK_DELAY=24, CONTROL_FEEDBACK_MIN_ANSWERS=4)
def test_worker_reads_standing_and_appeals_over_the_api(client, project, walt, walt_token, nina):
    rule_configure(project=project, rule_key="gold_accuracy", params={"min_answers": 3})
    for task in make_tasks(project, 4, gold=True):
        answer(task=task, worker=walt, label="dog")
    r = client.get("/api/quality/me/standing", **_auth(walt_token))
    body = r.json()
    # The rule acted at once, but the figures and the evidence wait for a feedback release.
    assert body["skills"] == [] and body["missed_controls"] == []
    decision = body["decisions"][0]
    assert decision["kind"] == "warning" and "Warning on Cats or dogs" in decision["headline"]
    assert decision["evidence"] == [] and decision["evidence_waiting"] == 3
    feedback_releases_run(now=timezone.now() + timedelta(hours=25))
    body = client.get("/api/quality/me/standing", **_auth(walt_token)).json()
    assert body["skills"][0]["gold_answers"] == 4
    assert len(body["decisions"][0]["evidence"]) == 3
    r = client.post(
        f"/api/quality/decisions/{decision['id']}/appeal",
        {"message": "Gold is wrong"},
        content_type="application/json",
        **_auth(walt_token),
    )
    assert r.status_code == 201
    r = client.post(
        f"/api/quality/decisions/{decision['id']}/appeal",
        {"message": "Again"},
        content_type="application/json",
        **_auth(walt_token),
    )
    assert r.status_code == 409 and r.json()["code"] == "already_appealed"
    assert Appeal.objects.count() == 1


def test_requester_reads_and_changes_the_quality_settings(client, project, rita_token):
    url = f"/api/quality/projects/{project.pk}/settings"
    r = client.get(url, **_auth(rita_token))
    assert r.json() == {
        "reveal": "delay",
        "gold_reveal_delay_hours": 24,
        "gold_reveal_delay_seconds": 86400,
        "appeal_deadline_hours": 72,
        "rejection_confirm_share": "0.300",
    }
    r = client.put(
        url,
        {"gold_reveal_delay_hours": 0, "appeal_deadline_hours": 24},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 400 and r.json()["field"] == "gold_reveal_delay_hours"
    assert client.get(url, **_auth(rita_token)).json()["appeal_deadline_hours"] == 72
    r = client.put(
        url,
        {"gold_reveal_delay_hours": 6, "rejection_confirm_share": "0.5"},
        content_type="application/json",
        **_auth(rita_token),
    )
    assert r.status_code == 200
    assert r.json()["gold_reveal_delay_seconds"] == 6 * 3600
    assert r.json()["rejection_confirm_share"] == "0.500"
    project.refresh_from_db()
    assert project.gold_reveal_delay_seconds == 6 * 3600
