"""Audio transcription: a voice clip played through the worker's own controls, answered with
the transcript; checked by consensus (ROVER) or by reviewers, as the project says."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from microwork.aggregation.models import TaskAggregate
from microwork.demo.clips import SHIPPED
from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import get_interface
from microwork.projects.interfaces.audio import NO_SPEECH
from microwork.quality.tests.helpers import make_tasks
from microwork.work.models import Assignment, Submission
from microwork.work.tests.factories import live_project

audio = get_interface("audio_transcription")
CONFIG = audio.check_config({"question": "Type what you hear.", "max_length": 60})
CLIP = (SHIPPED / "audio" / "a01.ogg").read_bytes()


def test_settings_have_defaults_and_limits():
    config = audio.check_config({})
    assert config == {
        "question": "",
        "max_length": 2000,
        "allow_no_speech": True,
        "checked_by": "consensus",
    }
    for bad in ({"max_length": 10_001}, {"max_length": 0}, {"checked_by": "robots"}):
        with pytest.raises(ApplicationError) as exc:
            audio.check_config(bad)
        assert exc.value.field == next(iter(bad))


def test_reviewers_instead_of_consensus_when_the_project_says_so():
    assert audio.consensus_for(CONFIG) == "rover" and not audio.reviewed_for(CONFIG)
    reviewed = audio.check_config({"checked_by": "reviewers"})
    assert audio.reviewed_for(reviewed) and audio.consensus_for(reviewed) is None


def test_the_transcript_is_trimmed_and_in_one_unicode_form():
    decomposed = "  Le rendez-vous est reporte\u0301  à jeudi.\r\nMerci "
    assert (
        audio.check_answer(CONFIG, {}, decomposed) == "Le rendez-vous est reporté à jeudi.\nMerci"
    )
    assert audio.check_answer(CONFIG, {}, {"transcript": "ok"}) == "ok"


def test_a_transcript_longer_than_the_limit_is_refused_by_name():
    with pytest.raises(ApplicationError) as exc:
        audio.check_answer(CONFIG, {}, "word " * 20)
    assert exc.value.field == "transcript"
    assert exc.value.message == "The transcript is longer than 60 characters."


@pytest.mark.parametrize("empty", ["", "   ", None, ["a"]])
def test_an_empty_transcript_is_refused(empty):
    with pytest.raises(ApplicationError) as exc:
        audio.check_answer(CONFIG, {}, empty)
    assert exc.value.field == "transcript"


def test_no_speech_is_said_with_the_marker_when_the_project_allows_it():
    assert audio.check_answer(CONFIG, {}, " [Inaudible] ") == NO_SPEECH
    strict = audio.check_config({"allow_no_speech": False})
    with pytest.raises(ApplicationError) as exc:
        audio.check_answer(strict, {}, "[inaudible]")
    assert exc.value.field == "transcript"
    # The marker for one unclear word is always fine.
    assert audio.check_answer(strict, {}, "call [inaudible] now") == "call [inaudible] now"


def test_a_control_transcript_matches_within_one_word_in_ten():
    expected = "The clinic opens at eight on Monday and closes at four."
    assert audio.answer_matches(
        CONFIG, {}, "the clinic opens at eight on monday and closes at four", expected
    )
    one_off = "The clinic opens at late on Monday and closes at four."
    assert audio.answer_matches(CONFIG, {}, one_off, expected)  # 1 of 11 words
    two_off = "The clinic opens at late on Monday and closes at for."
    assert not audio.answer_matches(CONFIG, {}, two_off, expected)
    assert audio.answer_matches(CONFIG, {}, NO_SPEECH, NO_SPEECH)
    assert not audio.answer_matches(CONFIG, {}, "inaudible", NO_SPEECH)
    assert not audio.answer_matches(CONFIG, {}, NO_SPEECH, expected)


@given(st.text(max_size=80))
def test_any_text_is_either_a_clean_transcript_or_refused_by_name(text):
    try:
        cleaned = audio.check_answer(CONFIG, {}, text)
    except ApplicationError as exc:
        assert exc.field == "transcript"
    else:
        assert 0 < len(cleaned) <= 60 and cleaned == cleaned.strip()


def test_lists_show_the_start_of_a_long_transcript():
    assert len(audio.answer_text(CONFIG, "word " * 200)) <= 200
    assert audio.answer_text(CONFIG, "short one") == "short one"


@pytest.fixture
def clip(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    default_storage.save("calls/a01.ogg", ContentFile(CLIP))
    return "/media/calls/a01.ogg"


@pytest.mark.django_db
def test_the_worker_page_plays_the_clip_through_a_signed_address_and_keeps_the_draft(
    client, rita, walt, clip
):
    project = live_project(rita, interface="audio_transcription", config=CONFIG, overlap=1)
    [task] = make_tasks(project, 1)
    task.data = {"audio_url": clip, "language": "en", "context": "A clinic's answering machine"}
    task.save(update_fields=["data"])
    now = timezone.now()
    assignment = Assignment.objects.create(
        project=project,
        task=task,
        worker=walt,
        leased_at=now,
        expires_at=now + timedelta(hours=1),
        draft="The clinic opens",
    )
    client.force_login(walt)
    page = client.get(reverse("work:task", args=[assignment.pk])).content.decode()
    (src,) = re.findall(r'<audio src="([^"]+)"', page)
    assert src.startswith("/media/calls/a01.ogg?t=")
    assert 'maxlength="60"' in page and 'lang="en"' in page and "projects/player.js" in page
    assert ">The clinic opens</textarea>" in page
    assert "Ctrl</kbd>+<kbd>Space" in page and 'data-player-rate="0.75"' in page
    r = client.get(src, headers={"range": "bytes=0-99"})
    assert r.status_code == 206 and r["Content-Type"] == "audio/ogg"

    r = client.post(reverse("work:task", args=[assignment.pk]), {"transcript": "x" * 61})
    assert r.status_code == 400 and not Submission.objects.exists()
    assert "longer than 60 characters" in r.content.decode()
    client.post(
        reverse("work:task", args=[assignment.pk]),
        {"transcript": "The clinic opens at eight.", "active_ms": 4000},
    )
    assert Submission.objects.get().answer == "The clinic opens at eight."
    # One answer is already its task's consensus, word by word.
    aggregate = TaskAggregate.objects.get(task=task)
    assert aggregate.label == "The clinic opens at eight."
    assert [part["word"] for part in aggregate.parts][:2] == ["The", "clinic"]

    # The requester hears the clip beside the transcript on the results page.
    client.force_login(rita)
    page = client.get(reverse("results:page", args=[project.pk])).content.decode()
    assert re.search(r'<audio class="task-audio" controls preload="none" src="/media/calls/', page)
    assert "The clinic opens at eight." in page
    page = client.get(reverse("review:page", args=[project.pk])).content.decode()
    assert re.search(r'<audio class="task-audio" controls preload="none" src="/media/calls/', page)
    assert "The clinic opens at eight." in page


@pytest.mark.django_db
def test_the_read_only_view_has_a_player_and_the_whole_transcript(rita, clip):
    request = RequestFactory().get("/")
    request.user = rita
    long = "word " * 60 + "end"
    html = Template(
        "{% load tasks %}{% task_view 'audio_transcription' config data answer %}"
    ).render(
        Context(
            {
                "request": request,
                "config": CONFIG,
                "data": {"audio_url": clip, "language": "fr"},
                "answer": long,
            }
        )
    )
    assert re.search(
        r'<audio class="task-audio" controls preload="none" src="/media/calls/a01.ogg\?t=', html
    )
    assert long in html and 'lang="fr"' in html
