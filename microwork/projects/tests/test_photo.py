"""Photo collection: the picture checked from its bytes, turned upright, stored without the
place it was taken or the phone that took it unless the project needs the place and says why;
the answer names the upload's ref."""

import base64
import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import get_interface
from microwork.work.models import Submission, WorkerFile
from microwork.work.services.claiming import assignment_claim
from microwork.work.tests.factories import add_tasks, live_project

GPS = 0x8825
MAKE, MODEL, ORIENTATION = 0x010F, 0x0110, 0x0112

pytestmark = pytest.mark.django_db


def jpeg_with_exif(size=(40, 20)) -> bytes:
    exif = Image.Exif()
    exif[MAKE] = "Acme"
    exif[MODEL] = "Phone 9"
    # The phone was held upright: the picture is stored on its side and the tag says turn it.
    exif[ORIENTATION] = 6
    exif[GPS] = {1: "N", 2: (6.0, 27.0, 0.0), 3: "E", 4: (3.0, 23.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def photo_project(rita, **config):
    project = live_project(
        rita,
        name="Pharmacies",
        interface="photo_collection",
        config=get_interface("photo_collection").check_config(config),
        overlap=1,
    )
    add_tasks(project, 1)
    project.tasks.update(data={"subject": "A pharmacy sign"})
    return project


def upload(client, token, assignment_id, content, name="photo.jpg"):
    return client.post(
        f"/api/work/assignments/{assignment_id}/files",
        data={"file": SimpleUploadedFile(name, content)},
        headers={"Authorization": f"Bearer {token}"},
    )


def stored_exif(ref):
    file = WorkerFile.objects.get(ref=ref)
    with default_storage.open(file.storage_name, "rb") as f:
        picture = Image.open(io.BytesIO(f.read()))
        picture.load()
    return picture, picture.getexif()


def test_exif_location_and_device_are_stripped_and_the_photo_turned_upright(
    client, rita, walt, walt_token
):
    project = photo_project(rita)
    assignment = assignment_claim(worker=walt, project=project, now=timezone.now())
    r = upload(client, walt_token, assignment.pk, jpeg_with_exif())
    assert r.status_code == 201, r.content
    assert r.json()["content_type"] == "image/jpeg"
    assert r.json()["facts"] == {"width": 20, "height": 40, "location_kept": False}
    picture, exif = stored_exif(r.json()["ref"])
    assert picture.format == "JPEG" and picture.size == (20, 40)
    assert exif.get_ifd(GPS) == {}
    assert not {GPS, MAKE, MODEL, ORIENTATION} & set(exif)
    r = client.post(
        f"/api/work/assignments/{assignment.pk}/submit",
        data=json.dumps({"answer": {"photo": r.json()["ref"]}}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {walt_token}"},
    )
    assert r.status_code == 200, r.content
    assert Submission.objects.get(assignment=assignment).answer["photo"]


def test_a_project_that_needs_the_location_keeps_it_but_never_the_device(
    client, rita, walt, walt_token
):
    project = photo_project(
        rita, needs_location=True, location_reason="We map pharmacies in Lagos."
    )
    assignment = assignment_claim(worker=walt, project=project, now=timezone.now())
    r = upload(client, walt_token, assignment.pk, jpeg_with_exif())
    assert r.status_code == 201, r.content
    _picture, exif = stored_exif(r.json()["ref"])
    assert exif.get_ifd(GPS)[1] == "N"
    assert not {MAKE, MODEL} & set(exif)
    # The worker reads why before taking the photo.
    client.force_login(walt)
    page = client.get(f"/work/a/{assignment.pk}/")
    assert "We map pharmacies in Lagos." in page.content.decode()


def test_keeping_the_location_needs_a_reason_for_the_worker():
    with pytest.raises(ApplicationError) as exc:
        get_interface("photo_collection").check_config({"needs_location": True})
    assert exc.value.field == "location_reason"


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body>not a picture</body></html>",
        b"\xff\xd8\xff\xe0" + b"garbage that is no JPEG at all" * 4,
        b"GIF89a" + b"\x00" * 40,
    ],
    ids=["html named jpg", "jpeg magic then garbage", "a gif"],
)
def test_a_file_that_claims_to_be_a_jpeg_but_is_not_is_refused_naming_the_field(
    client, rita, walt, walt_token, content, tmp_path
):
    project = photo_project(rita)
    assignment = assignment_claim(worker=walt, project=project, now=timezone.now())
    r = upload(client, walt_token, assignment.pk, content, name="photo.jpg")
    assert r.status_code == 400, r.content
    assert r.json()["field"] == "photo" and r.json()["code"] == "file_type"
    assert r.json()["message"].startswith("photo:")
    assert not WorkerFile.objects.exists()
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_photo_smaller_than_the_project_asks_is_refused(client, rita, walt, walt_token):
    project = photo_project(rita, min_side=100)
    assignment = assignment_claim(worker=walt, project=project, now=timezone.now())
    r = upload(client, walt_token, assignment.pk, jpeg_with_exif())
    assert r.status_code == 400 and r.json()["code"] == "file_too_small"


def test_png_and_webp_are_accepted_and_stay_what_they_are():
    interface = get_interface("photo_collection")
    for fmt, content_type in (("PNG", "image/png"), ("WEBP", "image/webp")):
        out = io.BytesIO()
        Image.new("RGB", (10, 10), (1, 2, 3)).save(out, fmt)
        checked = interface.check_file({}, "photo", out.getvalue(), "x")
        assert checked.content_type == content_type
        assert Image.open(io.BytesIO(checked.content)).format == fmt


def test_the_published_sample_is_a_real_jpeg_the_kind_accepts():
    example = get_interface("photo_collection").example
    sample = example["files"]["photo"]
    content = base64.b64decode(sample["base64"])
    checked = get_interface("photo_collection").check_file(example["config"], "photo", content, "")
    assert checked.content_type == sample["content_type"] == "image/jpeg"
