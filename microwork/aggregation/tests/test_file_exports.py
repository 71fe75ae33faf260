"""The requester downloads workers' files: a manifest and one ZIP of the manifest and files,
only files that are part of an answer, only for the project's own organisation."""

import csv
import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from microwork.projects.tests.test_photo import jpeg_with_exif, photo_project, upload
from microwork.work.models import WorkerFile
from microwork.work.services.claiming import assignment_claim

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _get(client, url, token):
    r = client.get(url, headers={"Authorization": f"Bearer {token}"})
    body = b"".join(r.streaming_content) if r.streaming else r.content
    return r, body


def test_the_zip_holds_the_manifest_and_the_answers_files(
    client, rita, walt, walt_token, rita_token
):
    project = photo_project(rita)
    assignment = assignment_claim(worker=walt, project=project, now=timezone.now())
    ref = upload(client, walt_token, assignment.pk, jpeg_with_exif()).json()["ref"]
    # A photo taken again and not sent is no part of the answer, nor of the download.
    upload(client, walt_token, assignment.pk, jpeg_with_exif())
    r = client.post(
        f"/api/work/assignments/{assignment.pk}/submit",
        data=json.dumps({"answer": {"photo": ref}}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {walt_token}"},
    )
    assert r.status_code == 200, r.content
    r, body = _get(client, f"/api/projects/{project.pk}/files.zip", rita_token)
    assert r.status_code == 200 and r["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body))
    [row] = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8-sig"))))
    file = WorkerFile.objects.get(ref=ref)
    assert row["ref"] == ref and row["worker"] == "walt" and row["sha256"] == file.sha256
    assert json.loads(row["facts"])["width"] == 20
    with default_storage.open(file.storage_name, "rb") as f:
        assert archive.read(row["path"]) == f.read()
    assert [e["ref"] for e in json.loads(archive.read("manifest.json"))] == [ref]
    r, body = _get(client, f"/api/projects/{project.pk}/files.csv", rita_token)
    assert r.status_code == 200 and ref in body.decode()
    # The results page offers the download and shows the photo through its guarded address.
    client.force_login(rita)
    page = client.get(reverse("results:page", args=[project.pk])).content.decode()
    assert f"/api/projects/{project.pk}/files.zip" in page
    assert f"/api/work/files/{ref}" in page
    client.logout()
    # A worker's token reaches no requester's download.
    r, _body = _get(client, f"/api/projects/{project.pk}/files.zip", walt_token)
    assert r.status_code in (403, 404)
