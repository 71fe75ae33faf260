"""Workers' files through the API: whole and resumable uploads, their limits, the submit's
check that a named file is complete, who may fetch a file, and deleting files. A small kind
made for these tests (`FileKind`: a text file that must start with "OK") keeps them about the
files and not about any one kind's checks, which the photo and voice tests cover."""

import json
import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from microwork.accounts import services as account_services
from microwork.lib.errors import ApplicationError
from microwork.projects import interfaces
from microwork.projects.interfaces.base import CheckedFile, TaskInterface, invalid
from microwork.work.models import Assignment, Submission, WorkerFile
from microwork.work.selectors import worker_files_older_than
from microwork.work.services import files as files_services
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.file_deletion import (
    worker_files_delete,
    worker_files_delete_older,
    worker_files_sweep,
)
from microwork.work.tests.factories import add_tasks, live_project


class FileKind(TaskInterface):
    key = "file_test"
    title = "A file"
    template_name = "projects/interfaces/free_text.html"
    answer_schema = {
        "type": "object",
        "properties": {"doc": {"type": "string", "maxLength": 64}},
        "required": ["doc"],
    }
    answer_field = "doc"
    file_fields = ("doc",)

    def check_file(
        self, config: Mapping[str, Any], field: str, content: bytes, name: str
    ) -> CheckedFile:
        if not content.startswith(b"OK"):
            raise invalid(field, "This is not an OK file.", code="file_type")
        return CheckedFile(
            content=content, content_type="text/plain", extension="txt", facts={"n": len(content)}
        )


pytestmark = pytest.mark.without_submission_hooks


@pytest.fixture(autouse=True)
def file_kind(monkeypatch, settings, tmp_path):
    # The submit's hooks (earning, quality) are not what these tests are about.
    monkeypatch.setitem(
        interfaces.REGISTRY, "file_test", "microwork.work.tests.test_files.FileKind"
    )
    settings.MEDIA_ROOT = tmp_path
    settings.WORKER_FILE_MAX_BYTES = 1000
    settings.WORKER_UPLOAD_CHUNK_MAX_BYTES = 100


@pytest.fixture
def files_project(rita):
    project = live_project(rita, interface="file_test", config={}, overlap=1)
    add_tasks(project, 2)
    return project


@pytest.fixture
def leased(walt, files_project):
    return assignment_claim(worker=walt, project=files_project, now=timezone.now())


@pytest.fixture
def nina_token(nina):
    return account_services.api_token_create(user=nina, name="phone")[1]


def auth(token):
    return {"Authorization": f"Bearer {token}"}


def post_file(client, token, assignment_id, content, name="a.txt", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        f"/api/work/assignments/{assignment_id}/files",
        data={"file": SimpleUploadedFile(name, content), **extra},
        headers=auth(token),
    )


def start(client, token, assignment_id, size):
    return client.post(
        f"/api/work/assignments/{assignment_id}/uploads",
        data=json.dumps({"size": size}),
        content_type="application/json",
        headers=auth(token),
    )


def put(client, token, upload_id, offset, piece):
    return client.put(
        f"/api/work/uploads/{upload_id}?offset={offset}",
        data=piece,
        content_type="application/octet-stream",
        headers=auth(token),
    )


def submit(client, token, assignment_id, answer):
    return client.post(
        f"/api/work/assignments/{assignment_id}/submit",
        data=json.dumps({"answer": answer}),
        content_type="application/json",
        headers=auth(token),
    )


def stored(file: WorkerFile) -> bytes:
    with default_storage.open(file.storage_name, "rb") as f:
        return f.read()


def test_a_whole_file_is_checked_stored_under_a_random_name_and_answered_with_a_ref(
    client, walt_token, leased
):
    r = post_file(client, walt_token, leased.pk, b"OK, here it is", name="walt-passport.txt")
    assert r.status_code == 201, r.content
    body = r.json()
    file = WorkerFile.objects.get(ref=body["ref"])
    assert file.status == WorkerFile.Status.COMPLETE
    assert (file.field, file.content_type, file.size_bytes) == ("doc", "text/plain", 14)
    assert body["facts"] == {"n": 14} and len(body["sha256"]) == 64
    assert stored(file) == b"OK, here it is"
    # Nothing of the worker's name for the file, of the project or of the worker is kept.
    assert re.fullmatch(r"worker-files/[0-9a-f]{32}\.txt", file.storage_name)
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", file.ref)
    row = json.dumps(list(WorkerFile.objects.filter(pk=file.pk).values())[0], default=str)
    assert "passport" not in row


def test_an_empty_a_too_big_and_a_refused_file_leave_nothing(client, walt_token, leased, tmp_path):
    empty = post_file(client, walt_token, leased.pk, b"")
    assert empty.status_code == 400 and empty.json()["code"] == "empty_file"
    big = post_file(client, walt_token, leased.pk, b"OK" + b"x" * 1000)
    assert big.status_code == 413 and big.json()["field"] == "doc"
    fake = post_file(client, walt_token, leased.pk, b"<html>")
    assert fake.status_code == 400
    assert fake.json() == {
        "code": "file_type",
        "message": "This is not an OK file.",
        "field": "doc",
    }
    assert not WorkerFile.objects.exists()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_only_the_assignments_worker_and_only_while_the_lease_is_open(
    client, walt_token, nina_token, leased
):
    # Nina cannot send a file for Walt's task: for her it does not exist.
    r = post_file(client, nina_token, leased.pk, b"OK")
    assert r.status_code == 404
    Assignment.objects.filter(pk=leased.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    r = post_file(client, walt_token, leased.pk, b"OK")
    assert r.status_code == 409 and r.json()["code"] == "not_open"
    assert not WorkerFile.objects.exists()


def test_a_resumable_upload_cut_off_is_resumed_from_the_servers_offset(client, walt_token, leased):
    content = b"OK" + bytes(range(200)) + b"end"
    r = start(client, walt_token, leased.pk, len(content))
    assert r.status_code == 201, r.content
    upload_id = r.json()["upload_id"]
    assert r.json()["offset"] == 0 and r.json()["file"] is None
    r = put(client, walt_token, upload_id, 0, content[:100])
    assert r.status_code == 200 and r.json()["offset"] == 100
    # The connection drops after the server stored the second piece but before the phone
    # heard back: the page asks where the upload stands and goes on from there.
    put(client, walt_token, upload_id, 100, content[100:200])
    state = client.get(f"/api/work/uploads/{upload_id}", headers=auth(walt_token))
    assert state.json()["offset"] == 200 and state.json()["status"] == "uploading"
    # Sending the second piece again is refused with the offset the server has.
    again = put(client, walt_token, upload_id, 100, content[100:200])
    assert again.status_code == 409
    assert again.json()["code"] == "wrong_offset" and again.json()["details"] == {"offset": 200}
    done = put(client, walt_token, upload_id, 200, content[200:])
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "complete"
    file = WorkerFile.objects.get(ref=done.json()["file"]["ref"])
    assert stored(file) == content and file.chunks == []
    assert _pieces() == []


def _pieces():
    from pathlib import Path

    root = Path(default_storage.path("worker-uploads"))
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_resumable_upload_refused_at_its_end_leaves_no_piece(client, walt_token, leased):
    r = start(client, walt_token, leased.pk, 150)
    upload_id = r.json()["upload_id"]
    put(client, walt_token, upload_id, 0, b"NO" + b"x" * 98)
    assert _pieces()
    r = put(client, walt_token, upload_id, 100, b"y" * 50)
    assert r.status_code == 400 and r.json()["field"] == "doc"
    assert _pieces() == []
    upload = WorkerFile.objects.get(upload_key=upload_id)
    assert (upload.status, upload.deletion_reason) == ("deleted", "refused")


def test_upload_limits_a_zero_byte_an_over_limit_file_and_a_big_piece(client, walt_token, leased):
    assert start(client, walt_token, leased.pk, 0).json()["code"] == "empty_file"
    r = start(client, walt_token, leased.pk, 1001)
    assert r.status_code == 413
    upload_id = start(client, walt_token, leased.pk, 500).json()["upload_id"]
    r = put(client, walt_token, upload_id, 0, b"OK" + b"x" * 100)
    assert r.status_code == 413
    r = put(client, walt_token, upload_id, 0, b"")
    assert r.status_code == 400
    assert WorkerFile.objects.get(upload_key=upload_id).received_bytes == 0


def test_the_submit_takes_only_a_complete_file_of_the_same_assignment(
    client, walt, walt_token, nina, nina_token, files_project, leased
):
    upload_id = start(client, walt_token, leased.pk, 150).json()["upload_id"]
    put(client, walt_token, upload_id, 0, b"OK" + b"x" * 98)
    half = WorkerFile.objects.get(upload_key=upload_id)
    r = submit(client, walt_token, leased.pk, {"doc": half.ref})
    assert r.status_code == 400
    assert r.json()["code"] == "file_not_complete" and r.json()["field"] == "doc"
    # Nina's complete file is no file of Walt's task.
    ninas = assignment_claim(worker=nina, project=files_project, now=timezone.now())
    theirs = post_file(client, nina_token, ninas.pk, b"OK nina").json()["ref"]
    r = submit(client, walt_token, leased.pk, {"doc": theirs})
    assert r.status_code == 400 and r.json()["field"] == "doc"
    assert not Submission.objects.filter(worker=walt).exists()
    ref = post_file(client, walt_token, leased.pk, b"OK walt").json()["ref"]
    r = submit(client, walt_token, leased.pk, {"doc": ref})
    assert r.status_code == 200, r.content
    submission = Submission.objects.get(worker=walt)
    assert submission.answer == {"doc": ref}
    assert WorkerFile.objects.get(ref=ref).submission == submission


def test_a_file_is_served_to_its_worker_and_the_requester_never_to_another_worker(
    client, walt_token, nina_token, rita_token, rita, rob, leased
):
    ref = post_file(client, walt_token, leased.pk, b"OK private").json()["ref"]
    url = f"/api/work/files/{ref}"
    mine = client.get(url, headers=auth(walt_token))
    assert mine.status_code == 200 and b"".join(mine.streaming_content) == b"OK private"
    assert mine["X-Content-Type-Options"] == "nosniff"
    requester = client.get(url, headers=auth(rita_token))
    assert requester.status_code == 200
    # Nina, another worker, and Rob, a requester of another organisation, find nothing.
    assert client.get(url, headers=auth(nina_token)).status_code == 404
    client.force_login(rob)
    assert client.get(url).status_code == 404
    client.force_login(rita)
    assert client.get(url).status_code == 200
    # The generic media view never serves workers' files, even with the storage name.
    name = WorkerFile.objects.get(ref=ref).storage_name
    assert client.get(f"/media/{name}").status_code in (403, 404)


def test_deleting_a_workers_files_removes_them_from_storage(
    client, walt, walt_token, files_project, leased
):
    ref = post_file(client, walt_token, leased.pk, b"OK gone soon").json()["ref"]
    half = start(client, walt_token, leased.pk, 150).json()["upload_id"]
    put(client, walt_token, half, 0, b"OK" + b"x" * 98)
    file = WorkerFile.objects.get(ref=ref)
    assert default_storage.exists(file.storage_name) and _pieces()
    gone = worker_files_delete(project=files_project, worker=walt, reason="withdrawn")
    assert [(g.ref, g.task_id) for g in gone] == [(ref, leased.task_id)]
    assert not default_storage.exists(file.storage_name) and _pieces() == []
    file.refresh_from_db()
    assert (file.status, file.deletion_reason) == ("deleted", "withdrawn")
    assert client.get(f"/api/work/files/{ref}", headers=auth(walt_token)).status_code == 404
    # Again: nothing more to delete, no error.
    assert worker_files_delete(project=files_project, worker=walt, reason="withdrawn") == []


def test_files_older_than_a_cutoff_are_listed_and_deleted_for_retention(
    client, walt_token, files_project, leased
):
    ref = post_file(client, walt_token, leased.pk, b"OK old").json()["ref"]
    WorkerFile.objects.filter(ref=ref).update(created_at=timezone.now() - timedelta(days=40))
    recent = post_file(client, walt_token, leased.pk, b"OK new").json()["ref"]
    cutoff = timezone.now() - timedelta(days=30)
    assert [f.ref for f in worker_files_older_than(project=files_project, before=cutoff)] == [ref]
    gone = worker_files_delete_older(project=files_project, before=cutoff, reason="retention")
    assert [g.ref for g in gone] == [ref]
    assert WorkerFile.objects.get(ref=recent).status == "complete"


def test_the_sweep_removes_abandoned_uploads_and_files_no_answer_names(
    client, walt, walt_token, leased
):
    kept = post_file(client, walt_token, leased.pk, b"OK answer").json()["ref"]
    retaken = post_file(client, walt_token, leased.pk, b"OK first try").json()["ref"]
    half = start(client, walt_token, leased.pk, 150).json()["upload_id"]
    put(client, walt_token, half, 0, b"OK" + b"x" * 98)
    assert submit(client, walt_token, leased.pk, {"doc": kept}).status_code == 200
    later = timezone.now() + timedelta(hours=25)
    assert worker_files_sweep(now=later) == {"abandoned": 1, "not_in_answer": 1}
    assert WorkerFile.objects.get(ref=kept).status == "complete"
    assert WorkerFile.objects.get(ref=retaken).deletion_reason == "not_in_answer"
    assert _pieces() == []


def test_a_kind_without_file_fields_takes_no_file(client, walt, walt_token, rita):
    project = live_project(rita)
    add_tasks(project, 1)
    assignment = assignment_claim(worker=walt, project=project, now=timezone.now())
    r = post_file(client, walt_token, assignment.pk, b"OK")
    assert r.status_code == 400 and r.json()["code"] == "no_file_field"
    with pytest.raises(ApplicationError):
        interfaces.get_interface("single_choice").check_file({}, "x", b"", "")


def test_a_file_ref_starts_with_a_letter_so_csv_files_carry_it_unchanged():
    # "-", "+", "=" and "@" start a formula: the CSV exports escape such cells.
    refs = [files_services._token() for _ in range(2000)]
    assert all(ref[0].isascii() and ref[0].isalpha() for ref in refs)
    assert len(set(refs)) == len(refs) and {len(ref) for ref in refs} == {32}
