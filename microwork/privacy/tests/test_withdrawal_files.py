"""The workers' own files under consent: a recording sent with an answer is gone from storage
once the worker withdraws or the retention period ends, the requester learns which items
went, and the worker's data download lists it as deleted."""

import base64
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from microwork.inbox.models import Notification
from microwork.privacy.models import Deletion
from microwork.privacy.services.retention import retention_sweep
from microwork.privacy.tests.conftest import VOICE
from microwork.projects.interfaces import get_interface
from microwork.work.models import Submission, WorkerFile
from microwork.work.tests.factories import add_tasks, live_project

SAMPLE = get_interface("voice_recording").example


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def voices(rita):
    # Rita's live project that records workers reading aloud, declared with 30 days' retention.
    project = live_project(
        rita,
        name="Read aloud",
        interface="voice_recording",
        config=get_interface("voice_recording").check_config(SAMPLE["config"]),
        overlap=1,
        **VOICE,
    )
    add_tasks(project, 2)
    project.tasks.update(data=SAMPLE["data"])
    return project


def _api(client, method, url, token, **kwargs):
    return getattr(client, method)(url, headers={"Authorization": f"Bearer {token}"}, **kwargs)


def _record(client, token, project):
    """Agree, take a task, upload the sample recording and answer with it; the stored file."""
    agreed = _api(
        client,
        "post",
        f"/api/work/projects/{project.pk}/consent",
        token,
        content_type="application/json",
    )
    assert agreed.status_code in (200, 201), agreed.content
    claim = _api(client, "post", f"/api/work/projects/{project.pk}/claim", token).json()
    assert "assignment" in claim, claim
    assignment_id = claim["assignment"]["id"]
    sample = SAMPLE["files"]["recording"]
    upload = _api(
        client,
        "post",
        f"/api/work/assignments/{assignment_id}/files",
        token,
        data={
            "file": SimpleUploadedFile(
                sample["name"], base64.b64decode(sample["base64"]), sample["content_type"]
            )
        },
    )
    assert upload.status_code == 201, upload.content
    answer = {"answer": {"recording": upload.json()["ref"]}}
    r = _api(
        client,
        "post",
        f"/api/work/assignments/{assignment_id}/submit",
        token,
        data=json.dumps(answer),
        content_type="application/json",
    )
    assert r.status_code in (200, 201), r.content
    file = WorkerFile.objects.get(ref=upload.json()["ref"])
    assert default_storage.exists(file.storage_name)
    return file


def test_withdrawal_deletes_the_recording_from_storage_and_tells_the_requester(
    client, rita, rita_token, walt, walt_token, voices
):
    file = _record(client, walt_token, voices)
    task_id = file.assignment.task_id

    r = _api(client, "delete", f"/api/work/projects/{voices.pk}/consent", walt_token)
    assert r.status_code == 200, r.content

    # Gone from storage, not merely marked.
    assert not default_storage.exists(file.storage_name)
    file.refresh_from_db()
    assert file.status == WorkerFile.Status.DELETED and file.deletion_reason == "withdrawal"
    deletion = Deletion.objects.get(worker=walt, project=voices)
    assert deletion.items["work_files"] == [task_id]
    [note] = Notification.objects.filter(user=rita, kind="personal_data_deleted")
    assert task_id in note.params["tasks"]
    # The answer (and its pay) stays; the requester can no longer fetch the recording.
    assert Submission.objects.filter(worker=walt, project=voices).exists()
    assert _api(client, "get", f"/api/work/files/{file.ref}", rita_token).status_code == 404

    # The worker's download lists the file as deleted, with no address to fetch it from.
    data = json.loads(
        b"".join(_api(client, "get", "/api/work/me/data", walt_token).streaming_content)
    )
    [listed] = [f for f in data["files"] if f["ref"] == file.ref]
    assert listed["status"] == "deleted" and listed["download"] is None


def test_the_retention_period_deletes_the_recording_from_storage_on_time(
    client, walt, walt_token, voices
):
    file = _record(client, walt_token, voices)
    last = Submission.objects.get(worker=walt, project=voices).submitted_at
    with time_machine.travel(last + timedelta(days=30) - timedelta(minutes=1), tick=False):
        assert retention_sweep() == []
    assert default_storage.exists(file.storage_name)
    with time_machine.travel(last + timedelta(days=30), tick=False):
        [deletion] = retention_sweep()
    assert deletion.reason == Deletion.Reason.RETENTION
    assert deletion.items["work_files"] == [file.assignment.task_id]
    assert not default_storage.exists(file.storage_name)
