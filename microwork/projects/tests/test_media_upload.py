"""Requesters upload pictures, sound and video for their tasks: through the API (one or many
files) and beside the tasks file on the upload page (a ZIP). Every file is typed from its bytes
and kept within its limits; on any refusal nothing of the request stays stored."""

import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microwork.lib.errors import ApplicationError
from microwork.projects.models import MediaFile, Task
from microwork.projects.services.media import media_file_store
from microwork.projects.tests.media_samples import (
    HTML,
    JPEG,
    MP4,
    PNG,
    SAMPLES,
    WAV,
    Endless,
    make_zip,
)

MB = 1024 * 1024


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def auth(rita_token):
    return {"Authorization": f"Bearer {rita_token}"}


def _post(client, project, auth, files):
    return client.post(
        f"/api/projects/{project.pk}/media",
        {"files": [SimpleUploadedFile(name, data) for name, data in files]},
        headers=auth,
    )


def test_many_files_at_once_each_with_its_ref(client, project, auth, media_root):
    files = [(name, data) for name, (data, _t, _k) in SAMPLES.items()]
    r = _post(client, project, auth, files)
    assert r.status_code == 201, r.content
    out = {item["name"]: item for item in r.json()}
    assert set(out) == set(SAMPLES)
    for name, (data, content_type, kind) in SAMPLES.items():
        item = out[name]
        assert item["ref"].startswith(f"/media/projects/{project.pk}/")
        assert item["ref"].endswith(name.replace(".", "."))
        assert (item["content_type"], item["kind"], item["size_bytes"]) == (
            content_type,
            kind,
            len(data),
        )
        with default_storage.open(item["ref"].removeprefix("/media/")) as f:
            assert f.read() == data
    assert MediaFile.objects.filter(project=project).count() == len(SAMPLES)
    listed = client.get(f"/api/projects/{project.pk}/media?page=1", headers=auth).json()
    assert listed["count"] == len(SAMPLES)
    assert {item["ref"] for item in listed["items"]} == {item["ref"] for item in out.values()}


def test_a_file_whose_bytes_are_not_its_name_is_refused_and_nothing_stays(
    client, project, auth, media_root
):
    r = _post(client, project, auth, [("fine.png", PNG), ("voice.wav", WAV), ("cat.png", JPEG)])
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "media_type" and body["field"] == "files"
    assert "cat.png" in body["message"] and "JPEG" in body["message"]
    assert not MediaFile.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("name", "data"), [("page.html", HTML), ("evil.png", HTML), ("image.svg", b"<svg/>")]
)
def test_what_could_run_in_a_browser_is_refused(client, project, auth, name, data):
    r = _post(client, project, auth, [(name, data)])
    assert r.status_code == 400 and name in r.json()["message"]


def test_each_kind_has_its_size_limit(client, project, auth, settings, media_root):
    settings.MEDIA_MAX_BYTES = {"image": 1000, "audio": 100_000, "video": 100_000}
    r = _post(client, project, auth, [("small.wav", WAV), ("big.png", PNG + bytes(1000))])
    assert r.status_code == 413
    assert "big.png" in r.json()["message"] and r.json()["code"] == "too_large"
    assert stored_files(media_root) == [] and not MediaFile.objects.exists()


def test_a_2_gb_video_is_refused_before_its_body_is_read(client, project, auth):
    r = client.post(
        f"/api/projects/{project.pk}/media",
        b"",
        content_type="multipart/form-data; boundary=x",
        headers=auth,
        CONTENT_LENGTH=str(2 * 1024 * MB),
    )
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_a_2_gb_video_declared_as_such_is_refused_after_its_first_bytes(project, rita):
    video = Endless(MP4, 2 * 1024 * MB)
    with pytest.raises(ApplicationError) as caught:
        media_file_store(project=project, actor=rita, name="long.mp4", file=video, size=video.size)
    assert caught.value.status == 413 and "long.mp4" in caught.value.message
    assert video.read_bytes <= 64


def test_a_video_that_lies_about_its_size_is_cut_off_at_the_limit(
    project, rita, settings, media_root
):
    settings.MEDIA_MAX_BYTES = {"image": MB, "audio": MB, "video": 3 * MB}
    video = Endless(MP4, 2 * 1024 * MB)
    with pytest.raises(ApplicationError) as caught:
        media_file_store(project=project, actor=rita, name="long.mp4", file=video, size=None)
    assert caught.value.status == 413
    assert video.read_bytes <= 5 * MB
    assert stored_files(media_root) == []


def test_the_same_file_again_is_the_file_already_there(client, project, auth):
    first = _post(client, project, auth, [("cat.png", PNG)]).json()[0]
    again = _post(client, project, auth, [("cat.png", PNG)])
    assert again.status_code == 201 and again.json()[0]["ref"] == first["ref"]
    other = _post(client, project, auth, [("cat.png", PNG + b"x")])
    assert other.status_code == 409 and "cat.png" in other.json()["message"]
    assert MediaFile.objects.count() == 1


def test_two_files_of_one_name_in_a_request_are_refused(client, project, auth):
    r = _post(client, project, auth, [("cat.png", PNG), ("cat.png", PNG)])
    assert r.status_code == 400 and r.json()["code"] == "duplicate_name"


def test_another_organisation_cannot_upload_to_or_list_the_project(client, project, rob):
    from microwork.accounts import services as account_services
    from microwork.accounts.access import access_organisation_for_requester

    org = access_organisation_for_requester(user=rob)
    _t, key = account_services.api_token_create(user=rob, name="r", organisation=org)
    auth = {"Authorization": f"Bearer {key}"}
    assert _post(client, project, auth, [("cat.png", PNG)]).status_code == 404
    assert client.get(f"/api/projects/{project.pk}/media", headers=auth).status_code == 404
    assert not MediaFile.objects.exists()


# The upload page: a ZIP of files beside the tasks file.


def _upload_page(client, project, csv: bytes, archive: bytes | None):
    data = {"file": SimpleUploadedFile("tasks.csv", csv)}
    if archive is not None:
        data["media_zip"] = SimpleUploadedFile("media.zip", archive)
    return client.post(reverse("projects:upload", args=[project.pk]), data)


def test_rows_name_the_files_of_the_zip_beside_them(client, project, rita):
    client.force_login(rita)
    archive = make_zip({"cat-17.png": PNG, "photos/dog-3.jpg": JPEG, "__MACOSX/._x": b"junk"})
    csv = b"image_url,text\ncat-17.png,A cat\nphotos/dog-3.jpg,\n"
    r = _upload_page(client, project, csv, archive)
    assert r.status_code == 302, r.content.decode()[-2000:]
    refs = {m.name: m.ref for m in MediaFile.objects.filter(project=project)}
    assert set(refs) == {"cat-17.png", "photos/dog-3.jpg"}
    data = [t.data for t in Task.objects.order_by("row_number")]
    assert data == [
        {"image_url": refs["cat-17.png"], "text": "A cat"},
        {"image_url": refs["photos/dog-3.jpg"]},
    ]


def test_a_refused_tasks_file_takes_the_zips_files_with_it(client, project, rita, media_root):
    client.force_login(rita)
    archive = make_zip({"cat-17.png": PNG})
    r = _upload_page(client, project, b"image_url\nmissing.png\n", archive)
    assert r.status_code == 400
    assert "must be an http(s) URL" in r.content.decode()
    assert not MediaFile.objects.exists() and not Task.objects.exists()
    assert stored_files(media_root) == []


def _refused_zip(client, project, rita, media_root, archive: bytes) -> str:
    client.force_login(rita)
    r = _upload_page(client, project, b"image_url\ncat-17.png\n", archive)
    assert r.status_code in (400, 413), r.status_code
    assert not MediaFile.objects.exists() and not Task.objects.exists()
    assert stored_files(media_root) == []
    return r.content.decode()


@pytest.mark.parametrize("name", ["../evil.png", "/etc/evil.png", "a/../../evil.png", "c:/x.png"])
def test_a_zip_name_that_leaves_the_folder_is_refused(client, project, rita, media_root, name):
    archive = make_zip({"cat-17.png": PNG, name: PNG})
    page = _refused_zip(client, project, rita, media_root, archive)
    assert "must stay inside it" in page


def test_a_zip_with_a_file_that_is_not_its_name(client, project, rita, media_root):
    archive = make_zip({"cat-17.png": PNG, "notes.png": HTML})
    page = _refused_zip(client, project, rita, media_root, archive)
    assert "notes.png" in page


def test_a_zip_with_too_many_files(client, project, rita, media_root, settings):
    settings.MEDIA_ZIP_MAX_FILES = 2
    archive = make_zip({"cat-17.png": PNG, "b.png": PNG, "c.png": PNG})
    assert "more than 2 files" in _refused_zip(client, project, rita, media_root, archive)


def test_a_zip_bomb_is_refused_by_its_ratio(client, project, rita, media_root):
    # 20 MB of zeros behind a PNG header packs into some 20 KB.
    archive = make_zip({"cat-17.png": PNG + bytes(20 * MB)})
    assert len(archive) < MB
    page = _refused_zip(client, project, rita, media_root, archive)
    assert "times its packed size" in page


def test_a_zip_that_unpacks_to_too_much(client, project, rita, media_root, settings):
    settings.MEDIA_ZIP_MAX_UNPACKED_BYTES = 1000
    archive = make_zip({"cat-17.png": PNG, "b.png": PNG}, compression=zipfile.ZIP_STORED)
    assert "unpacks to more than" in _refused_zip(client, project, rita, media_root, archive)


def test_a_zip_entry_that_holds_more_than_it_declares(client, project, rita, media_root):
    archive = bytearray(make_zip({"cat-17.png": PNG}, compression=zipfile.ZIP_STORED))
    # Make the central directory claim 100 bytes fewer than the entry holds.
    at = archive.index(b"PK\x01\x02") + 24
    declared = int.from_bytes(archive[at : at + 4], "little")
    archive[at : at + 4] = (declared - 100).to_bytes(4, "little")
    page = _refused_zip(client, project, rita, media_root, bytes(archive))
    assert "cat-17.png" in page


def test_a_file_that_is_no_zip(client, project, rita, media_root):
    assert "not a readable ZIP" in _refused_zip(client, project, rita, media_root, PNG)


def test_a_zip_bigger_than_its_limit(client, project, rita, media_root, settings):
    settings.MEDIA_ZIP_MAX_BYTES = 100
    archive = make_zip({"cat-17.png": PNG})
    _refused_zip(client, project, rita, media_root, archive)


def test_tasks_sent_through_the_api_name_files_by_their_name_or_ref(client, project, auth):
    refs = {i["name"]: i["ref"] for i in _post(client, project, auth, [("cat.png", PNG)]).json()}
    r = client.post(
        f"/api/projects/{project.pk}/tasks",
        {"tasks": [{"image_url": "cat.png", "answer": "cat.png"}, {"image_url": refs["cat.png"]}]},
        content_type="application/json",
        headers=auth,
    )
    # The answer column is never taken for a file: "cat.png" is no label of the project.
    assert r.status_code == 400 and r.json()["details"][0]["field"] == "answer"
    r = client.post(
        f"/api/projects/{project.pk}/tasks",
        {"tasks": [{"image_url": "cat.png"}, {"image_url": refs["cat.png"]}]},
        content_type="application/json",
        headers=auth,
    )
    assert r.status_code == 201, r.content
    assert [t.data for t in Task.objects.order_by("row_number")] == [
        {"image_url": refs["cat.png"]},
        {"image_url": refs["cat.png"]},
    ]
