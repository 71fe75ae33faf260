"""Aggregation through the results page, the downloads and the API."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from microwork.aggregation import exports
from microwork.aggregation.models import AggregationRun, TaskAggregate
from microwork.aggregation.services import live, runs
from microwork.aggregation.services import settings as aggregation_settings
from microwork.projects.models import Task
from microwork.projects.tests.factories import stored_answer
from microwork.work.tests.factories import add_tasks, live_project, make_worker

IMMEDIATE = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "uploads", "aggregation"],
    }
}


@pytest.fixture
def project(rita):
    # Rita's live image-moderation project (ok / gory), five answers per task at most.
    return live_project(rita, overlap=5)


@pytest.fixture
def answered(project):
    # Two tasks: three workers agree on "gory" for the first; the second splits 2–1 for "ok".
    workers = [make_worker(f"crowd{i}") for i in range(3)]
    first, second = add_tasks(project, 2)
    for worker in workers:
        stored_answer(first, worker, "gory")
    for worker, label in zip(workers, ["ok", "ok", "gory"], strict=True):
        stored_answer(second, worker, label)
    return first, second


def _run(project):
    run = AggregationRun.objects.create(
        project=project, method=project.aggregation_method, created_at=project.created_at
    )
    return runs.aggregation_run_execute(run_id=run.pk)


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


# --- exports ----------------------------------------------------------------------------------


def test_csv_and_jsonl_exports_carry_label_confidence_and_method(project, answered):
    first, second = answered
    run = _run(project)
    response = exports.export_response(project=project, kind="results", fmt="csv")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = {int(r["task_id"]): r for r in csv.DictReader(io.StringIO(text))}
    header = next(csv.reader(io.StringIO(text)))
    assert header.index("agreement") < header.index("label") < header.index("confidence")
    assert header.index("confidence") < header.index("method") < header.index("answers_count")
    assert (rows[first.pk]["label"], rows[first.pk]["method"]) == ("gory", "ds")
    assert rows[first.pk]["majority_label"] == "gory" and rows[first.pk]["agreement"] == "1.0000"
    confidence = TaskAggregate.objects.get(task=first).confidence
    assert rows[first.pk]["confidence"] == str(confidence)
    assert rows[second.pk]["label"] == "ok" and rows[second.pk]["stopped_early"] == "False"

    response = exports.export_response(project=project, kind="results", fmt="jsonl")
    lines = [json.loads(x) for x in b"".join(response.streaming_content).decode().splitlines()]
    item = next(x for x in lines if x["task_id"] == second.pk)
    assert (item["label"], item["method"]) == ("ok", "ds")
    assert Decimal(item["confidence"]) == TaskAggregate.objects.get(task=second).confidence
    assert run.status == "done"


def test_a_task_without_answers_exports_empty_label_cells(project):
    add_tasks(project, 1)
    response = exports.export_response(project=project, kind="results", fmt="csv")
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert (row["label"], row["confidence"], row["method"]) == ("", "", "")


# --- API --------------------------------------------------------------------------------------


def test_api_results_carry_label_confidence_and_method(client, project, answered, rita_token):
    first, _second = answered
    _run(project)
    response = client.get(f"/api/projects/{project.pk}/results", **_bearer(rita_token))
    assert response.status_code == 200
    item = next(x for x in response.json()["items"] if x["task_id"] == first.pk)
    assert (item["label"], item["method"], item["majority_label"]) == ("gory", "ds", "gory")
    assert Decimal(item["confidence"]) == TaskAggregate.objects.get(task=first).confidence


@override_settings(TASKS=IMMEDIATE)
def test_api_post_aggregate_queues_a_run_that_the_job_finishes(
    client, project, answered, rita_token, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/projects/{project.pk}/aggregate", **_bearer(rita_token))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["method"] == "ds"
    response = client.get(
        f"/api/projects/{project.pk}/aggregation/runs/{body['id']}", **_bearer(rita_token)
    )
    assert response.status_code == 200
    run = response.json()
    assert (run["status"], run["progress"], run["n_answers"]) == ("done", 100, 6)
    assert TaskAggregate.objects.filter(source="run").count() == 2


def test_api_reads_and_changes_the_settings(client, project, rita_token):
    url = f"/api/projects/{project.pk}/aggregation"
    body = client.get(url, **_bearer(rita_token)).json()
    assert (body["method"], body["dynamic_overlap"], body["max_overlap"]) == ("ds", False, 5)
    assert "glad" in body["methods"] and "bt" not in body["methods"]
    assert body["latest_run"] is None
    response = client.put(
        url,
        data={"dynamic_overlap": True, "min_overlap": 3, "target_confidence": "0.99"},
        content_type="application/json",
        **_bearer(rita_token),
    )
    assert response.status_code == 200, response.json()
    project.refresh_from_db()
    assert (project.dynamic_overlap, project.min_overlap) == (True, 3)
    assert project.target_confidence == Decimal("0.990")
    assert project.aggregation_method == "ds", "fields left out keep their value"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"method": "bt"}, "method"),
        ({"min_overlap": 9}, "min_overlap"),
        ({"target_confidence": "0.4"}, "target_confidence"),
    ],
)
def test_api_refuses_bad_settings_naming_the_field(client, project, rita_token, payload, field):
    response = client.put(
        f"/api/projects/{project.pk}/aggregation",
        data=payload,
        content_type="application/json",
        **_bearer(rita_token),
    )
    assert response.status_code == 400
    assert response.json()["field"] == field
    project.refresh_from_db()
    assert (project.aggregation_method, project.min_overlap) == ("ds", 2)


def test_api_hides_another_organisations_project(client, project, rob):
    from microwork.accounts import services as account_services
    from microwork.accounts.access import access_organisation_for_requester

    # Rob's token reaches only his own organisation: Rita's project is not there for him.
    org = access_organisation_for_requester(user=rob)
    _token, key = account_services.api_token_create(user=rob, name="t", organisation=org)
    for method, url in [
        ("get", f"/api/projects/{project.pk}/aggregation"),
        ("post", f"/api/projects/{project.pk}/aggregate"),
        ("get", f"/api/projects/{project.pk}/results"),
    ]:
        assert getattr(client, method)(url, **_bearer(key)).status_code == 404
    assert not AggregationRun.objects.exists()


def test_api_run_of_another_project_is_not_found(client, project, rita, rita_token):
    other = live_project(rita, name="Other")
    run = AggregationRun.objects.create(project=other, method="ds", created_at=other.created_at)
    response = client.get(
        f"/api/projects/{project.pk}/aggregation/runs/{run.pk}", **_bearer(rita_token)
    )
    assert response.status_code == 404 and response.json()["field"] == "run_id"


# --- pages ------------------------------------------------------------------------------------


def test_results_page_shows_label_confidence_settings_and_run(client, project, answered, rita):
    first, _second = answered
    _run(project)
    client.force_login(rita)
    response = client.get(reverse("results:page", args=[project.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Re-estimate now" in html and 'id="run-status"' in html
    assert "Up to date" in html
    for task in answered:
        row = _table_row(html, task)
        aggregate = TaskAggregate.objects.get(task=task)
        assert (aggregate.label, aggregate.method) == (("gory", "ds") if task == first else
                                                       ("ok", "ds"))  # fmt: skip
        # The label as workers read it: the shown text of the chosen label.
        shown = {"gory": "Gory", "ok": "Acceptable"}[aggregate.label]
        assert f'<td>{shown}<br><span class="muted">ds</span>' in row
        assert f"<td>{aggregate.confidence:.3f}</td>" in row
    assert 'name="method"' in html and 'value="ds" selected' in html


def _table_row(html, task):
    """The results table's row of one task (it starts with the task's id)."""
    start = html.index(f"<tr>\n<td>{task.pk}")
    return html[start : html.index("</tr>", start)]


def test_re_estimate_button_queues_a_run_and_the_fragment_shows_progress(
    client, project, answered, rita, django_capture_on_commit_callbacks
):
    client.force_login(rita)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("results:reestimate", args=[project.pk]))
    assert response.status_code == 302 and len(callbacks) == 1
    run = AggregationRun.objects.get()
    AggregationRun.objects.filter(pk=run.pk).update(status="running", stage="fitting", progress=45)
    fragment = client.get(reverse("results:run_status", args=[project.pk])).content.decode()
    assert "data-active" in fragment and 'value="45"' in fragment and "Estimating" in fragment


def test_settings_form_saves_and_shows_errors_on_the_field(client, project, rita):
    client.force_login(rita)
    url = reverse("results:configure", args=[project.pk])
    data = {"method": "mv", "dynamic_overlap": "on", "min_overlap": "3", "target_confidence": "0.9"}
    assert client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert (project.aggregation_method, project.dynamic_overlap, project.min_overlap) == (
        "mv",
        True,
        3,
    )
    response = client.post(url, {**data, "min_overlap": "8"})
    assert response.status_code == 400
    assert "from 1 to the project" in response.content.decode()
    project.refresh_from_db()
    assert project.min_overlap == 3


def test_rob_gets_404_on_every_aggregation_page_of_ritas_project(client, project, rob):
    # Rob belongs to another organisation: Rita's project does not exist for him.
    client.force_login(rob)
    for name in ("page", "run_status"):
        assert client.get(reverse(f"results:{name}", args=[project.pk])).status_code == 404
    for name in ("configure", "reestimate"):
        url = reverse(f"results:{name}", args=[project.pk])
        assert client.post(url, {"method": "mv"}).status_code == 404
    assert not AggregationRun.objects.exists()
    project.refresh_from_db()
    assert project.aggregation_method == "ds"


def test_a_worker_cannot_open_the_results_page(client, project, walt):
    client.force_login(walt)
    assert client.get(reverse("results:page", args=[project.pk])).status_code == 403


def test_turning_dynamic_overlap_off_reopens_the_tasks_it_closed(project, rita):
    aggregation_settings.project_aggregation_configure(
        project=project, method="ds", dynamic_overlap=True, min_overlap=2, target_confidence="0.9"
    )
    [task] = add_tasks(project, 1)
    workers = [make_worker(f"g{i}") for i in range(2)]
    for worker in workers:
        stored_answer(task, worker, "ok")
    # Both workers have a clean control record, so two agreeing answers are enough.
    gold = add_tasks(project, 0, gold=4)
    for g in gold:
        for worker in workers:
            sub = stored_answer(g, worker, "ok")
            type(sub).objects.filter(pk=sub.pk).update(gold_correct=True)
    row = live.task_aggregate_refresh(task_id=task.pk)
    assert Task.objects.get(pk=task.pk).done and row.stop_rule == "target_reached"
    assert row.stop_details["answers"] == 2 and row.stop_details["target"] == "0.900"
    aggregation_settings.project_aggregation_configure(
        project=project, method="ds", dynamic_overlap=True, min_overlap=2, target_confidence="0.99"
    )
    assert not Task.objects.get(pk=task.pk).done, "the stricter target is not met any more"
    assert TaskAggregate.objects.get(task=task).stop_rule == ""


def test_operators_can_read_runs_and_task_aggregates_in_the_admin(client, project, answered, omar):
    run = _run(project)
    client.force_login(omar)
    omar.is_superuser = True
    omar.save(update_fields=["is_superuser"])
    assert client.get(f"/admin/aggregation/aggregationrun/{run.pk}/change/").status_code == 200
    assert client.get("/admin/aggregation/taskaggregate/").status_code == 200


def test_results_page_explains_why_a_task_stopped_early(client, project, rita):
    aggregation_settings.project_aggregation_configure(
        project=project, method="ds", dynamic_overlap=True, min_overlap=2, target_confidence="0.9"
    )
    [task] = add_tasks(project, 1)
    workers = [make_worker(f"g{i}") for i in range(2)]
    for g in add_tasks(project, 0, gold=3):
        for worker in workers:
            sub = stored_answer(g, worker, "ok")
            type(sub).objects.filter(pk=sub.pk).update(gold_correct=True)
    for worker in workers:
        stored_answer(task, worker, "gory")
    live.task_aggregate_refresh(task_id=task.pk)
    client.force_login(rita)
    html = client.get(reverse("results:page", args=[project.pk])).content.decode()
    assert "stopped early" in html
    assert "After 2 answers the confidence 0.9" in html and "reached the target 0.900" in html
    assert "1 task stopped early" in html
