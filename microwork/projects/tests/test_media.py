"""Task media is served only through addresses signed for the person a page was shown to:
the project's requesters and the worker holding a task that uses the file."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from microwork.accounts import services as account_services
from microwork.projects.media import media_url, storage_name
from microwork.quality.tests.helpers import fund, make_project, make_tasks, submit
from microwork.work.models import Assignment

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
SRC = re.compile(r'<img class="task-image" src="([^"]+)"')


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MEDIA_URL_MAX_AGE = 600
    default_storage.save("demo/cat-17.png", ContentFile(PNG))
    default_storage.save("demo/other.png", ContentFile(PNG[::-1]))
    default_storage.save("demo/page.html", ContentFile(b"<script>alert(1)</script>"))
    return tmp_path


@pytest.fixture
def project(rita, omar):
    project = make_project(owner=rita)
    fund(project, omar)
    return project


def _task(project, image):
    task = make_tasks(project, 1)[0]
    task.data = {"text": "Which animal?", "image_url": f"/media/demo/{image}"}
    task.save(update_fields=["data"])
    return task


def _lease(task, worker):
    now = timezone.now()
    return Assignment.objects.create(
        project=task.project,
        task=task,
        worker=worker,
        leased_at=now,
        expires_at=now + timedelta(minutes=10),
    )


@pytest.fixture
def walts_url(client, project, walt):
    """The address Walt's task page gives him for the picture of the task he holds."""
    assignment = _lease(_task(project, "cat-17.png"), walt)
    client.force_login(walt)
    page = client.get(reverse("work:task", args=[assignment.pk])).content.decode()
    client.logout()
    (url,) = SRC.findall(page)
    assert url.startswith("/media/demo/cat-17.png?t=")
    return url


def test_the_worker_holding_the_task_gets_the_picture(client, walt, walts_url):
    client.force_login(walt)
    r = client.get(walts_url)
    assert r.status_code == 200
    assert b"".join(r.streaming_content) == PNG
    assert r["Content-Type"] == "image/png"
    assert r["X-Content-Type-Options"] == "nosniff"
    assert r["Cache-Control"] == "private, max-age=600"
    assert "sandbox" in r["Content-Security-Policy"]


@pytest.mark.parametrize("who", ["rob", "nina", "rita", "anonymous"])
def test_nobody_else_can_use_the_workers_address(client, walts_url, who, request, project):
    # Nina holds a task of the same project whose picture is another file.
    nina = request.getfixturevalue("nina")
    _lease(_task(project, "other.png"), nina)
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    assert client.get(walts_url).status_code == 403


@pytest.mark.parametrize("who", ["walt", "rob", "nina", "rita", "omar", "anonymous"])
def test_a_file_is_never_served_by_its_name_alone(client, walts_url, who, request):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for url in ("/media/demo/cat-17.png", "/media/demo/cat-17.png?t=", "/media/demo/page.html"):
        assert client.get(url).status_code in (403, 404)


def test_a_worker_whose_task_does_not_use_the_file_gets_no_address_for_it(
    client, project, nina, walts_url
):
    assignment = _lease(_task(project, "other.png"), nina)
    client.force_login(nina)
    page = client.get(reverse("work:task", args=[assignment.pk])).content.decode()
    (url,) = SRC.findall(page)
    assert url.startswith("/media/demo/other.png?t=")
    assert client.get(url).status_code == 200
    # Her signature on Walt's file's name is refused.
    token = url.split("?t=", 1)[1]
    assert client.get(f"/media/demo/cat-17.png?t={token}").status_code == 403


def test_the_requester_sees_the_picture_on_the_reject_page(client, project, rita, rob, walt):
    task = _task(project, "cat-17.png")
    answer = submit(task=task, worker=walt, label="cat")
    client.force_login(rita)
    page = client.get(reverse("review:reject", args=[answer.pk])).content.decode()
    (url,) = SRC.findall(page)
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    client.force_login(rob)
    assert client.get(url).status_code == 403


def test_an_expired_address_is_refused(client, walt, walts_url, time_machine):
    client.force_login(walt)
    time_machine.move_to(timezone.now() + timedelta(seconds=601))
    r = client.get(walts_url)
    assert r.status_code == 403 and b"expired" in r.content


@pytest.mark.parametrize(
    "tamper",
    [
        lambda url: url[:-1] + ("A" if url[-1] != "A" else "B"),
        lambda url: url.replace("cat-17.png", "other.png"),
        lambda url: url.replace("?t=", "?t=x"),
        lambda url: url.split("?")[0] + "?t=" + "a" * 40,
    ],
)
def test_a_tampered_address_is_refused(client, walt, walts_url, tamper):
    client.force_login(walt)
    assert client.get(tamper(walts_url)).status_code == 403


def test_part_of_a_file_for_players_that_ask_for_ranges(client, walt, walts_url):
    client.force_login(walt)
    r = client.get(walts_url, headers={"Range": "bytes=8-17"})
    assert r.status_code == 206
    assert r["Content-Range"] == f"bytes 8-17/{len(PNG)}"
    assert b"".join(r.streaming_content) == PNG[8:18]
    r = client.get(walts_url, headers={"Range": "bytes=-4"})
    assert b"".join(r.streaming_content) == PNG[-4:]
    r = client.get(walts_url, headers={"Range": f"bytes={len(PNG)}-"})
    assert r.status_code == 416 and r["Content-Range"] == f"bytes */{len(PNG)}"


def test_the_api_gives_the_worker_an_address_that_works_with_the_token(client, project, walt, rob):
    assignment = _lease(_task(project, "cat-17.png"), walt)
    _t, key = account_services.api_token_create(user=walt, name="phone")
    auth = {"Authorization": f"Bearer {key}"}
    r = client.get(f"/api/work/assignments/{assignment.pk}", headers=auth)
    url = r.json()["data"]["image_url"]
    assert url.startswith("/media/demo/cat-17.png?t=")
    assert r.json()["data"]["text"] == "Which animal?"
    r = client.get(url, headers=auth)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    assert client.get(url).status_code == 403
    _t, rob_key = account_services.api_token_create(user=rob, name="r")
    assert client.get(url, headers={"Authorization": f"Bearer {rob_key}"}).status_code == 403


def test_a_file_that_could_run_as_a_page_is_only_ever_a_download(client, walt):
    client.force_login(walt)
    r = client.get(media_url("/media/demo/page.html", user=walt))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/octet-stream"
    assert r["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    "value",
    [
        "https://img.example/cat.png",
        "/static/cat.png",
        "/media/../config/settings.py",
        "/media/demo/../../secret",
        "/media//etc/passwd",
        "/media/demo\\x.png",
        42,
        None,
    ],
)
def test_only_plain_paths_under_media_are_platform_files(value, walt):
    assert storage_name(value) is None
    assert media_url(value, user=walt) == value


def test_the_requester_sees_the_picture_on_the_results_page(client, project, rita, rob, walt):
    # Results listed the bare /media/ name as text, which the media view refuses to everyone:
    # the requester had no way to see what was judged.
    task = _task(project, "cat-17.png")
    submit(task=task, worker=walt, label="cat")
    client.force_login(rita)
    page = client.get(reverse("results:page", args=[project.pk])).content.decode()
    urls = set(re.findall(r'<img class="[^"]*\bthumb\b[^"]*" src="([^"]+)"', page))
    assert len(urls) == 1
    (url,) = urls
    assert url.startswith("/media/demo/cat-17.png?t=")
    r = client.get(url)
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    client.force_login(rob)
    assert client.get(url).status_code == 403
