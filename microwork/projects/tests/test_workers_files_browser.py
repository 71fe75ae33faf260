"""Real browsers on a phone: a worker takes a photo through the file input and sends it; a
worker records their voice (Chromium's fake microphone plays a beep), listens, and sends it.
Both answers are stored naming a complete file, and the files are in storage."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from conftest import CHROMIUM_FLAGS
from microwork.projects.interfaces import get_interface
from microwork.work.models import Submission, WorkerFile
from microwork.work.tests.factories import add_tasks, live_project
from microwork.work.tests.test_browser import log_in, wait_for

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _leave(page):
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def _project(rita, interface, config, data):
    project = live_project(
        rita,
        name=f"Collect {interface}",
        interface=interface,
        config=get_interface(interface).check_config(config),
        overlap=1,
    )
    [task] = add_tasks(project, 1)
    task.data = data
    task.save(update_fields=["data"])
    return project


def _start(page, base, project):
    log_in(page, base, "walt", "walt-pass-123")
    page.click(f"form[action='/work/p/{project.pk}/start/'] button")
    page.wait_for_selector("#task-form")


def _submitted(page, field):
    assert wait_for(
        lambda: page.eval_on_selector(f"input[name={field}]", "i => i.value") != "", 20
    ), page.inner_text("[data-worker-file-state]")
    assert not page.is_disabled("#task-form button[type=submit]")
    ref = page.eval_on_selector(f"input[name={field}]", "i => i.value")
    page.click("#task-form button[type=submit]")
    assert wait_for(lambda: Submission.objects.exists(), 15)
    return ref


def test_a_photo_chosen_on_a_phone_is_uploaded_and_sent(
    transactional_db, live_server, phone, rita, walt, media
):
    project = _project(rita, "photo_collection", {}, {"subject": "A pharmacy sign"})
    _start(phone, live_server.url, project)
    assert phone.get_attribute("#photo-input", "capture") == "environment"
    picture = io.BytesIO()
    exif = Image.Exif()
    exif[0x0110] = "Phone 9"
    Image.new("RGB", (64, 48), (20, 90, 200)).save(picture, "JPEG", exif=exif)
    phone.set_input_files(
        "#photo-input",
        files=[{"name": "IMG_0001.jpg", "mimeType": "image/jpeg", "buffer": picture.getvalue()}],
    )
    ref = _submitted(phone, "photo")
    submission = Submission.objects.get()
    assert submission.answer == {"photo": ref} and submission.worker == walt
    file = WorkerFile.objects.get(ref=ref)
    assert file.submission == submission and file.status == "complete"
    with default_storage.open(file.storage_name, "rb") as f:
        stored = Image.open(io.BytesIO(f.read()))
        assert stored.size == (64, 48) and 0x0110 not in stored.getexif()
    _leave(phone)


@pytest.fixture
def microphone_phone(browser, chromium_path):
    """A phone whose Chromium has a fake microphone (it plays a beep) the page may use."""
    recording_browser = browser.browser_type.launch(
        executable_path=chromium_path,
        args=[
            *CHROMIUM_FLAGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
        ],
        headless=True,
    )
    context = recording_browser.new_context(**PHONE, has_touch=True, permissions=["microphone"])
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
    recording_browser.close()


def test_a_voice_recorded_on_a_phone_is_uploaded_and_sent(
    transactional_db, live_server, microphone_phone, rita, walt, media
):
    page = microphone_phone
    project = _project(
        rita,
        "voice_recording",
        {"min_seconds": 1, "max_seconds": 20},
        {"text": "The clinic opens at nine.", "language": "en"},
    )
    _start(page, live_server.url, project)
    page.click("[data-recorder-start]")
    assert wait_for(lambda: not page.is_disabled("[data-recorder-stop]"))
    page.wait_for_timeout(3000)
    page.click("[data-recorder-stop]")
    # The recording can be played back before it is sent.
    page.wait_for_selector("[data-recorder-playback]:not([hidden])")
    ref = _submitted(page, "recording")
    submission = Submission.objects.get()
    assert submission.answer == {"recording": ref}
    file = WorkerFile.objects.get(ref=ref)
    assert file.submission == submission
    assert file.content_type in ("audio/webm", "audio/mp4", "audio/ogg")
    assert 2 <= file.facts["duration_seconds"] <= 6
    with default_storage.open(file.storage_name, "rb") as f:
        assert len(f.read()) == file.size_bytes > 0
    _leave(page)
