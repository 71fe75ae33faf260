import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from microwork.projects.models import Project, Task
from microwork.work.models import Assignment, Submission
from microwork.work.services.submitting import DRAFT_MAX_BYTES
from microwork.work.tests.factories import add_tasks, live_project


def call(client, method, url, token, body=None):
    return getattr(client, method)(
        url,
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


@pytest.fixture
def nina_token(nina):
    from microwork.accounts import services

    return services.api_token_create(user=nina, name="phone")[1]


def test_worker_lists_projects_with_hourly_rate(client, walt_token, project, tasks):
    r = call(client, "get", "/api/work/projects", walt_token)
    assert r.status_code == 200
    [row] = r.json()
    assert row["name"] == project.name
    assert Decimal(row["hourly_rate"]) == Decimal("9.00")
    assert row["tasks_available"] == 5


def test_claim_draft_submit_round_trip(client, walt_token, walt, project, tasks):
    r = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "assigned"
    a = body["assignment"]
    assert a["data"]["text"].startswith("Picture number")
    assert a["project"]["config"]["labels"][0]["value"] == "ok"
    r = call(
        client,
        "put",
        f"/api/work/assignments/{a['id']}/draft",
        walt_token,
        {"draft": "gory", "active_ms": 1200},
    )
    assert r.status_code == 200 and r.json()["draft"] == "gory"
    again = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token).json()
    assert again["assignment"]["id"] == a["id"] and again["assignment"]["draft"] == "gory"
    first = call(
        client,
        "post",
        f"/api/work/assignments/{a['id']}/submit",
        walt_token,
        {"answer": "gory", "active_ms": 2000},
    )
    retry = call(
        client,
        "post",
        f"/api/work/assignments/{a['id']}/submit",
        walt_token,
        {"answer": "gory", "active_ms": 2000},
    )
    assert first.status_code == retry.status_code == 200
    assert first.json() == retry.json()
    assert Submission.objects.count() == 1
    assert Task.objects.get(submissions__isnull=False).answers_count == 1
    history = call(client, "get", "/api/work/history", walt_token).json()
    assert history[0]["answer_label"] == "gory"
    assert history[0]["status"] == "pending"


def test_worker_payloads_never_reveal_control_tasks(client, walt_token, rita):
    project = live_project(rita, gold_rate=Decimal("1"))
    add_tasks(project, 1, gold=1)
    body = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token).json()
    assert Assignment.objects.get().task.is_gold
    text = json.dumps(body)
    for secret in ("gold", "is_gold", "task_id", "explanation", "No blood"):
        assert secret not in text
    gold = body["assignment"]
    Assignment.objects.all().delete()
    Task.objects.update(is_gold=False, gold_answer=None)
    plain = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token).json()
    assert set(gold) == set(plain["assignment"]) and set(gold["project"]) == set(
        plain["assignment"]["project"]
    )


def test_bad_answer_is_refused_with_the_field(client, walt_token, project, tasks):
    a = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token).json()[
        "assignment"
    ]
    r = call(
        client, "post", f"/api/work/assignments/{a['id']}/submit", walt_token, {"answer": "blue"}
    )
    assert r.status_code == 400
    assert r.json()["field"] == "label" and r.json()["code"] == "invalid_answer"
    assert not Submission.objects.exists()


def test_someone_elses_assignment_is_not_found(client, walt_token, nina_token, project, tasks):
    a = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token).json()[
        "assignment"
    ]
    for method, suffix, body in (
        ("post", "submit", {"answer": "ok"}),
        ("post", "skip", None),
        ("post", "return", None),
        ("put", "draft", {"draft": "ok"}),
    ):
        r = call(client, method, f"/api/work/assignments/{a['id']}/{suffix}", nina_token, body)
        assert r.status_code == 404, suffix
    assert Assignment.objects.get().status == "leased" and Assignment.objects.get().draft is None


def test_paused_project_refuses_claims(client, walt_token, project, tasks):
    Project.objects.filter(pk=project.pk).update(status=Project.Status.PAUSED)
    r = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token)
    assert r.status_code == 400 and r.json()["code"] == "project_paused"
    assert not Assignment.objects.exists()


def test_returning_twice_is_a_clear_error(client, walt_token, project, tasks):
    a = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token).json()[
        "assignment"
    ]
    assert (
        call(client, "post", f"/api/work/assignments/{a['id']}/return", walt_token).status_code
        == 200
    )
    r = call(client, "post", f"/api/work/assignments/{a['id']}/return", walt_token)
    assert r.status_code == 409 and r.json()["code"] == "already_returned"


def test_draft_too_big_is_refused(client, walt_token, project, tasks):
    a = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token).json()[
        "assignment"
    ]
    r = call(
        client,
        "put",
        f"/api/work/assignments/{a['id']}/draft",
        walt_token,
        {"draft": "x" * (DRAFT_MAX_BYTES + 1)},
    )
    assert r.status_code == 400 and r.json()["field"] == "draft"


def test_requester_token_cannot_take_work(client, rita_token, project, tasks):
    r = call(client, "post", f"/api/work/projects/{project.pk}/claim", rita_token)
    assert r.status_code == 403


def test_no_work_left_says_so(client, walt_token, rita):
    project = live_project(rita)
    r = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token)
    assert r.json()["state"] == "no_work"


def test_scarce_work_puts_the_worker_in_the_waiting_round(client, walt_token, nina_token, rita):
    project = live_project(rita, overlap=1)
    add_tasks(project, 1)
    assert (
        call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token).json()["state"]
        == "assigned"
    )
    body = call(client, "post", f"/api/work/projects/{project.pk}/claim", nina_token).json()
    assert body["state"] == "waiting"
    assert body["waiting"]["retry_after_seconds"] == 5
    assert "fewest tasks" in body["waiting"]["explanation"]


def test_subscribe_to_an_opening(client, walt_token, walt, rita):
    project = live_project(rita, opens_at=timezone.now() + timedelta(hours=2))
    add_tasks(project, 3)
    rows = call(client, "get", "/api/work/projects", walt_token).json()
    assert rows[0]["opens_at"] is not None
    r = call(client, "post", f"/api/work/projects/{project.pk}/notify", walt_token)
    assert r.status_code == 204
    r = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token)
    assert r.json()["code"] == "project_not_open"


def test_leaving_the_line_through_the_api_stops_waiting(client, walt_token, walt, nina, rita):
    from microwork.work.models import WorkRequest
    from microwork.work.services.claiming import assignment_claim

    project = live_project(rita, overlap=1)
    add_tasks(project, 1)
    assignment_claim(worker=nina, project=project)
    body = call(client, "post", f"/api/work/projects/{project.pk}/claim", walt_token).json()
    assert body["state"] == "waiting"
    r = call(client, "post", f"/api/work/projects/{project.pk}/leave", walt_token)
    assert r.status_code == 200 and r.json()["state"] == "no_work"
    assert WorkRequest.objects.get(worker=walt).status == WorkRequest.Status.CANCELLED
    # Leaving again, with nothing to leave, changes nothing.
    again = call(client, "post", f"/api/work/projects/{project.pk}/leave", walt_token)
    assert again.status_code == 200
    assert WorkRequest.objects.filter(worker=walt).count() == 1
