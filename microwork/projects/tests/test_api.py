import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from microwork.projects.models import Batch, Project, ProjectEvent, Task
from microwork.projects.tests.factories import stored_answer

PROJECT = {
    "name": "Moderation",
    "description": "Judge images.",
    "interface": "single_choice",
    "config": {"question": "OK?", "labels": ["ok|Acceptable", "gory|Gory"]},
    "instructions": "## Examples\n",
    "reward": "0.05",
    "estimated_seconds": 20,
}


@pytest.fixture
def api(client, rita_token, acme):
    class Api:
        headers = {"Authorization": f"Bearer {rita_token}"}

        def get(self, url, **kw):
            return client.get(url, headers=self.headers, **kw)

        def post(self, url, data=None, **kw):
            if (
                "content_type" not in kw
                and not isinstance(data, dict | None)
                or kw.pop("multipart", False)
            ):
                return client.post(url, data, headers=self.headers, **kw)
            return client.post(
                url, json.dumps(data), content_type="application/json", headers=self.headers, **kw
            )

        def patch(self, url, data):
            return client.patch(
                url, json.dumps(data), content_type="application/json", headers=self.headers
            )

    return Api()


def test_end_to_end_create_upload_go_live_results(api, rita, walt, nina):
    r = api.post("/api/projects", PROJECT)
    assert r.status_code == 201, r.content
    project = r.json()
    assert project["reward"] == "0.050000" or project["reward"] == "0.05"
    assert project["status"] == "draft" and project["allowed_transitions"] == ["live", "archived"]
    pid = project["id"]

    csv = b"id,text,answer\nt1,first,\nt2,second,\ng1,gold one,gory\n"
    r = api.post(
        f"/api/projects/{pid}/tasks",
        {"file": SimpleUploadedFile("t.csv", csv, content_type="text/csv")},
        multipart=True,
    )
    assert r.status_code == 201, r.content
    batch = r.json()
    assert (batch["status"], batch["rows_added"], batch["gold_added"]) == ("done", 3, 1)
    assert api.get(f"/api/batches/{batch['id']}").json()["rows_added"] == 3

    r = api.post(f"/api/projects/{pid}/status", {"status": "live", "reason": "ready"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "live"
    assert ProjectEvent.objects.filter(project_id=pid, new_status="live", reason="ready").exists()

    t1 = Task.objects.get(external_id="t1")
    stored_answer(t1, walt, "gory")
    stored_answer(t1, nina, "gory")
    r = api.get(f"/api/projects/{pid}/results")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 3
    first = next(i for i in body["items"] if i["external_id"] == "t1")
    assert (first["majority_label"], first["agreement"], first["answers_count"]) == (
        "gory",
        "1.0000",
        2,
    )
    assert {a["worker"] for a in first["answers"]} == {"walt", "nina"}
    gold = next(i for i in body["items"] if i["external_id"] == "g1")
    assert gold["is_gold"] and gold["gold_answer"] == "gory"

    r = api.get(f"/api/projects/{pid}/results.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = b"".join(r.streaming_content).decode()
    assert "majority_label" in text.splitlines()[0] and "gory" in text
    r = api.get(f"/api/projects/{pid}/results.jsonl")
    rows = [json.loads(line) for line in b"".join(r.streaming_content).decode().splitlines()]
    assert len(rows) == 3


def test_bad_input_is_json_with_field(api):
    r = api.post("/api/projects", {**PROJECT, "overlap": 0})
    assert r.status_code == 400
    assert r.json()["field"] == "overlap"
    r = api.post("/api/projects", {**PROJECT, "reward": "-1"})
    assert (r.status_code, r.json()["field"]) == (400, "reward")
    assert not Project.objects.exists()


def test_patch_and_forbidden_transition(api):
    pid = api.post("/api/projects", PROJECT).json()["id"]
    r = api.patch(f"/api/projects/{pid}", {"name": "Renamed", "overlap": 5})
    assert r.status_code == 200 and r.json()["name"] == "Renamed" and r.json()["overlap"] == 5
    r = api.post(f"/api/projects/{pid}/status", {"status": "completed"})
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (
        409,
        "transition_not_allowed",
        "status",
    )
    r = api.post(f"/api/projects/{pid}/status", {"status": "live"})
    assert (r.status_code, r.json()["code"]) == (409, "no_tasks")


def test_json_body_upload_and_its_retry(api):
    pid = api.post("/api/projects", PROJECT).json()["id"]
    body = {"tasks": [{"text": "a"}, {"text": "b", "answer": "ok"}]}
    r = api.post(f"/api/projects/{pid}/tasks", body)
    assert r.status_code == 201 and r.json()["rows_added"] == 2
    again = api.post(f"/api/projects/{pid}/tasks", body)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert Task.objects.count() == 2
    r = api.get(f"/api/projects/{pid}/tasks")
    assert r.json()["count"] == 2


def test_refused_upload_lists_problems(api):
    pid = api.post("/api/projects", PROJECT).json()["id"]
    r = api.post(f"/api/projects/{pid}/tasks", {"tasks": [{"text": "a", "answer": "maybe"}]})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "upload_refused"
    assert body["message"] == "The file was refused: 1 problem. Nothing was added."
    assert body["details"][0]["row"] == 1 and body["details"][0]["field"] == "answer"
    assert not Batch.objects.exists()


def test_oversized_body_is_refused_before_reading(api, settings):
    pid = api.post("/api/projects", PROJECT).json()["id"]
    settings.MAX_UPLOAD_BYTES = 10
    r = api.post(
        f"/api/projects/{pid}/tasks",
        {"file": SimpleUploadedFile("t.csv", b"text\n" + b"x\n" * 50_000)},
        multipart=True,
    )
    assert (r.status_code, r.json()["code"]) == (400, "too_large")


def test_rob_cannot_see_ritas_projects(api, client, rob):
    from microwork.accounts import services as account_services

    pid = api.post("/api/projects", PROJECT).json()["id"]
    org = rob.memberships.get().organisation
    _t, key = account_services.api_token_create(user=rob, name="rob", organisation=org)
    headers = {"Authorization": f"Bearer {key}"}
    for url in (
        f"/api/projects/{pid}",
        f"/api/projects/{pid}/tasks",
        f"/api/projects/{pid}/results",
        f"/api/projects/{pid}/results.csv",
    ):
        assert client.get(url, headers=headers).status_code == 404, url
    assert client.get("/api/projects", headers=headers).json()["count"] == 0


def test_worker_token_is_refused(client, walt_token):
    r = client.get("/api/projects", headers={"Authorization": f"Bearer {walt_token}"})
    assert r.status_code == 403


def test_openapi_lists_the_paths(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in (
        "/api/projects",
        "/api/projects/{project_id}",
        "/api/projects/{project_id}/status",
        "/api/projects/{project_id}/tasks",
        "/api/batches/{batch_id}",
        "/api/projects/{project_id}/results",
        "/api/projects/{project_id}/results.csv",
        "/api/projects/{project_id}/results.jsonl",
    ):
        assert path in paths, path
    assert client.get("/api/docs").status_code == 200


def test_the_approval_period_is_set_read_and_checked_through_the_api(api):
    r = api.post("/api/projects", {**PROJECT, "auto_approve_seconds": 8 * 24 * 3600})
    assert (r.status_code, r.json()["field"]) == (400, "auto_approve_seconds")
    assert not Project.objects.exists()
    r = api.post("/api/projects", {**PROJECT, "auto_approve_seconds": 2 * 24 * 3600})
    assert r.status_code == 201 and r.json()["auto_approve_seconds"] == 2 * 24 * 3600
    pid = r.json()["id"]
    r = api.patch(f"/api/projects/{pid}", {"auto_approve_seconds": 3600})
    assert r.status_code == 200 and r.json()["auto_approve_seconds"] == 3600
    r = api.patch(f"/api/projects/{pid}", {"auto_approve_seconds": 60})
    assert (r.status_code, r.json()["field"]) == (400, "auto_approve_seconds")
    assert Project.objects.get().auto_approve_seconds == 3600
