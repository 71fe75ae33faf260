"""Fair-sharing settings a requester controls: when work opens (for the project or for one
batch) and how many tasks one worker may take an hour. Checked, stored and logged."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microwork.lib.errors import ApplicationError
from microwork.projects.models import Batch, Project, ProjectEvent, Task
from microwork.projects.services.batches import batch_upload
from microwork.projects.services.projects import project_create, project_update
from microwork.projects.tests.factories import FORM, upload

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CSV = "id,text\nt1,first\nt2,second\n"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def reasons(project):
    return list(
        ProjectEvent.objects.filter(project=project, old_status=project.status)
        .exclude(reason="created")
        .order_by("id")
        .values_list("reason", flat=True)
    )


def test_opening_time_and_hourly_cap_are_stored_and_logged(project, rita):
    project_update(
        project=project,
        actor=rita,
        changes={"opens_at": "2026-03-02T11:00:42+01:00", "hourly_cap_per_worker": "12"},
    )
    project.refresh_from_db()
    # Kept to the minute, in UTC.
    assert project.opens_at == datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    assert project.hourly_cap_per_worker == 12
    assert reasons(project) == [
        "Work opens at 2 Mar 2026, 10:00 UTC.",
        "At most 12 tasks per worker per hour.",
    ]
    events = ProjectEvent.objects.filter(project=project).exclude(reason="created")
    assert {e.actor for e in events} == {rita}


def test_a_past_opening_naive_time_or_bad_cap_is_refused_and_changes_nothing(project, rita):
    cases = [
        ({"opens_at": "2026-03-02T08:59:00Z"}, "opens_at", "must be in the future"),
        ({"opens_at": "2026-03-02T10:00:00"}, "opens_at", "needs a time zone"),
        ({"opens_at": "next tuesday"}, "opens_at", "must be a date and time"),
        ({"opens_at": "2028-03-02T10:00:00Z"}, "opens_at", "at most a year ahead"),
        ({"hourly_cap_per_worker": 0}, "hourly_cap_per_worker", "between 1 and 1000"),
        ({"hourly_cap_per_worker": "ten"}, "hourly_cap_per_worker", "whole number"),
    ]
    for changes, field, words in cases:
        with pytest.raises(ApplicationError) as info:
            project_update(project=project, actor=rita, changes=changes)
        assert info.value.field == field and words in info.value.message, changes
    project.refresh_from_db()
    assert project.opens_at is None and project.hourly_cap_per_worker is None
    assert reasons(project) == []


def test_an_opening_already_past_may_stay_while_other_settings_change(project, rita):
    project_update(project=project, actor=rita, changes={"opens_at": "2026-03-02T09:30Z"})
    with time_machine.travel(NOW + timedelta(hours=2), tick=False):
        project_update(project=project, actor=rita, changes={"name": "Renamed"})
        # Removing it is always allowed, and logged.
        project_update(project=project, actor=rita, changes={"opens_at": None})
    project.refresh_from_db()
    assert project.name == "Renamed" and project.opens_at is None
    assert reasons(project)[-1] == "No opening time: work is open while the project is live."


def test_creating_with_an_opening_time_logs_it(rita, acme):
    project = project_create(
        organisation=acme,
        actor=rita,
        name="Scheduled",
        description="Opens tomorrow.",
        interface="single_choice",
        config={"question": "OK?", "labels": ["ok", "bad"]},
        reward="0.05",
        estimated_seconds=20,
        opens_at=NOW + timedelta(days=1),
        hourly_cap_per_worker=5,
    )
    assert reasons(project) == [
        "Work opens at 3 Mar 2026, 09:00 UTC.",
        "At most 5 tasks per worker per hour.",
    ]


def test_a_batch_announced_for_later_keeps_its_time_and_logs_it(project, rita):
    outcome = upload(project, rita, CSV)
    assert outcome.batch.opens_at is None
    f = SimpleUploadedFile("later.csv", b"id,text\nt3,third\n", content_type="text/csv")
    later = batch_upload(
        project=project,
        actor=rita,
        file=f,
        filename="later.csv",
        content_type="text/csv",
        size=f.size,
        opens_at="2026-03-02T18:00:00Z",
    ).batch
    assert later.opens_at == datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    assert reasons(project) == [
        f"Batch {later.pk} (later.csv): its tasks open at 2 Mar 2026, 18:00 UTC."
    ]


def test_a_batch_opening_in_the_past_is_refused_before_anything_is_stored(project, rita):
    f = SimpleUploadedFile("t.csv", CSV.encode(), content_type="text/csv")
    with pytest.raises(ApplicationError) as info:
        batch_upload(
            project=project,
            actor=rita,
            file=f,
            filename="t.csv",
            content_type="text/csv",
            size=f.size,
            opens_at="2026-03-02T08:00:00Z",
        )
    assert info.value.field == "opens_at"
    assert not Batch.objects.exists() and not Task.objects.exists()


@pytest.fixture
def api(client, rita_token, acme):
    headers = {"Authorization": f"Bearer {rita_token}"}

    class Api:
        def send(self, method, url, data):
            return getattr(client, method)(
                url, json.dumps(data), content_type="application/json", headers=headers
            )

        def multipart(self, url, data):
            return client.post(url, data, headers=headers)

    return Api()


def test_the_api_sets_and_shows_both_settings(api, acme):
    body = {
        "name": "Moderation",
        "description": "Judge images.",
        "interface": "single_choice",
        "config": {"question": "OK?", "labels": ["ok", "bad"]},
        "reward": "0.05",
        "estimated_seconds": 20,
        "opens_at": "2026-03-02T12:00:00Z",
        "hourly_cap_per_worker": 30,
    }
    r = api.send("post", "/api/projects", body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["opens_at"].startswith("2026-03-02T12:00") and out["hourly_cap_per_worker"] == 30
    pid = out["id"]
    r = api.send("patch", f"/api/projects/{pid}", {"hourly_cap_per_worker": None})
    assert r.status_code == 200 and r.json()["hourly_cap_per_worker"] is None
    r = api.send("patch", f"/api/projects/{pid}", {"opens_at": "2026-03-01T12:00:00Z"})
    assert (r.status_code, r.json()["field"]) == (400, "opens_at")
    assert Project.objects.get(pk=pid).opens_at == datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_the_api_takes_a_batch_opening_time_in_json_and_in_a_form(api, project):
    r = api.send(
        "post",
        f"/api/projects/{project.pk}/tasks",
        {"tasks": [{"id": "a", "text": "one"}], "opens_at": "2026-03-02T15:00:00Z"},
    )
    assert r.status_code == 201, r.content
    assert r.json()["opens_at"].startswith("2026-03-02T15:00")
    r = api.multipart(
        f"/api/projects/{project.pk}/tasks",
        {
            "file": SimpleUploadedFile("t.csv", CSV.encode(), content_type="text/csv"),
            "opens_at": "yesterday",
        },
    )
    assert (r.status_code, r.json()["field"]) == (400, "opens_at")
    assert Task.objects.filter(project=project).count() == 1


def test_the_project_form_and_the_upload_form_set_the_times(client, rita, project):
    client.force_login(rita)
    form = {**FORM, "opens_at": "2026-03-02T11:30", "hourly_cap_per_worker": "8"}
    r = client.post(reverse("projects:edit", args=[project.pk]), form)
    assert r.status_code == 302, r.content.decode()[:2000]
    project.refresh_from_db()
    assert project.opens_at == datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
    assert project.hourly_cap_per_worker == 8
    page = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    assert "Work opens at 2 Mar 2026, 11:30 UTC." in page
    assert "At most 8 tasks per worker per hour." in page
    # Saving the edit form again with the same values changes and logs nothing.
    client.post(reverse("projects:edit", args=[project.pk]), form)
    assert len(reasons(project)) == 2

    r = client.post(
        reverse("projects:upload", args=[project.pk]),
        {
            "file": SimpleUploadedFile("t.csv", CSV.encode(), content_type="text/csv"),
            "opens_at": "2026-03-02T20:00",
        },
    )
    assert r.status_code == 302
    assert Batch.objects.get(project=project).opens_at == datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    r = client.post(
        reverse("projects:upload", args=[project.pk]),
        {
            "file": SimpleUploadedFile("u.csv", b"id,text\nu1,x\n", content_type="text/csv"),
            "opens_at": "2026-03-01T20:00",
        },
    )
    assert r.status_code == 400 and "must be in the future" in r.content.decode()
    assert Batch.objects.filter(project=project).count() == 1
