"""Real browsers on a phone: a transcriber slows the clip and plays it from the keyboard while
typing; a moderator steps a clip frame by frame, picks a label with a number key and marks the
moment. Both answers arrive in the stored shape."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test.testcases import _MediaFilesHandler

from microwork.demo.clips import SHIPPED
from microwork.work.models import Submission
from microwork.work.tests.factories import add_tasks, live_project
from microwork.work.tests.test_browser import log_in, wait_for

pytestmark = pytest.mark.browser


@pytest.fixture
def media(settings, tmp_path, monkeypatch):
    # The test server would serve MEDIA_ROOT itself, unsigned and without ranges (a browser
    # then cannot seek a video); let the site's own signed, ranged view answer instead.
    monkeypatch.setattr(_MediaFilesHandler, "_should_handle", lambda self, path: False)
    settings.MEDIA_ROOT = tmp_path
    default_storage.save("calls/a01.ogg", ContentFile((SHIPPED / "audio" / "a01.ogg").read_bytes()))
    default_storage.save(
        "clips/v03.webm", ContentFile((SHIPPED / "video" / "v03.webm").read_bytes())
    )


def _start(page, base, project):
    log_in(page, base, "walt", "walt-pass-123")
    page.click(f"form[action='/work/p/{project.pk}/start/'] button")
    page.wait_for_selector("#task-form")
    # Chromium fetched the clip through its signed address and read its length.
    page.wait_for_selector("[data-player][data-loaded=true]")
    assert page.eval_on_selector("[data-player-media]", "m => m.duration") > 2


def _leave(page):
    # Nothing of the page may still be talking to the server when the test's data is wiped
    # (PostgreSQL would wait on the open request's locks).
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")


def _media(page, expression):
    return page.eval_on_selector("[data-player-media]", f"m => {expression}")


def test_a_transcriber_controls_the_clip_while_typing(
    transactional_db, live_server, phone, rita, walt, media
):
    project = live_project(
        rita,
        interface="audio_transcription",
        config={
            "question": "Type what you hear.",
            "max_length": 500,
            "allow_no_speech": True,
            "checked_by": "consensus",
        },
        overlap=1,
    )
    [task] = add_tasks(project, 1)
    task.data = {"audio_url": "/media/calls/a01.ogg", "language": "en"}
    task.save(update_fields=["data"])
    _start(phone, live_server.url, project)

    phone.tap("[data-player-rate='0.75']")
    assert _media(phone, "m.playbackRate") == 0.75
    assert phone.get_attribute("[data-player-rate='0.75']", "aria-pressed") == "true"
    phone.tap("[data-player-toggle]")
    assert wait_for(lambda: _media(phone, "!m.paused"))
    phone.tap("#transcript")
    phone.keyboard.type("The clinic opens at eight")
    # The keys work inside the text box and type nothing into it.
    phone.keyboard.press("Escape")
    assert wait_for(lambda: _media(phone, "m.paused"))
    phone.keyboard.press("Control+ArrowUp")
    assert _media(phone, "m.playbackRate") == 1
    phone.keyboard.press("Control+Space")
    assert wait_for(lambda: _media(phone, "!m.paused"))
    phone.keyboard.press("Control+ArrowLeft")
    assert phone.input_value("#transcript") == "The clinic opens at eight"
    phone.keyboard.type(" on Monday.")
    phone.tap("#task-form button[type=submit]")
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    assert Submission.objects.get(worker=walt).answer == "The clinic opens at eight on Monday."
    _leave(phone)


def test_a_moderator_steps_the_clip_and_answers_with_a_number_key(
    transactional_db, live_server, phone, rita, walt, media
):
    project = live_project(
        rita,
        interface="video_rating",
        config={
            "question": "Can this clip be shown to everyone?",
            "labels": [
                {"value": "ok", "text": "Acceptable"},
                {"value": "gory", "text": "Gory"},
                {"value": "harmful", "text": "Harmful"},
            ],
            "muted": True,
            "ask_timestamp": True,
        },
        overlap=1,
    )
    [task] = add_tasks(project, 1)
    task.data = {"video_url": "/media/clips/v03.webm", "title": "Kitchen accident"}
    task.save(update_fields=["data"])
    _start(phone, live_server.url, project)
    assert _media(phone, "m.muted") is True

    phone.tap("[data-player-rate='1.5']")
    assert _media(phone, "m.playbackRate") == 1.5
    for _ in range(3):
        phone.tap("[data-player-step='1']")
    assert wait_for(lambda: abs(_media(phone, "m.currentTime") - 0.12) < 0.01)
    phone.keyboard.press("ArrowRight")  # one more frame, from the keyboard
    assert wait_for(lambda: abs(_media(phone, "m.currentTime") - 0.16) < 0.01)
    phone.keyboard.press("2")
    assert phone.is_checked("input[name=label][value=gory]")
    phone.tap("[data-player-mark='at']")
    assert phone.input_value("#at") == "0.16"
    phone.tap("#task-form button[type=submit]")
    assert wait_for(lambda: Submission.objects.filter(worker=walt).exists())
    assert Submission.objects.get(worker=walt).answer == {"label": "gory", "at": 0.16}
    _leave(phone)
