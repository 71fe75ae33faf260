"""Video rating: a clip judged against the requester's labels, with the second where the
problem is when the project asks for it; aggregated by label like a single choice."""

import math
import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from microwork.demo.clips import SHIPPED
from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import get_interface
from microwork.quality.tests.helpers import make_tasks
from microwork.work.models import Assignment, Submission
from microwork.work.tests.factories import live_project

video = get_interface("video_rating")
CONFIG = video.check_config(
    {
        "question": "Can this clip be shown to everyone?",
        "labels": ["ok|Acceptable", "gory|Gory", "harmful|Harmful"],
        "ask_timestamp": True,
    }
)
CLIP = (SHIPPED / "video" / "v03.webm").read_bytes()


def test_settings_default_to_a_silent_clip_and_no_timestamp():
    config = video.check_config({"question": "Ok?", "labels": ["ok", "bad"]})
    assert config["muted"] is True and config["ask_timestamp"] is False
    with pytest.raises(ApplicationError) as exc:
        video.check_config({"question": "Ok?", "labels": ["ok"]})
    assert exc.value.field == "labels"


@pytest.mark.parametrize(
    ("answer", "stored"),
    [
        ("gory", {"label": "gory", "at": None}),
        ({"label": "gory"}, {"label": "gory", "at": None}),
        ({"label": "gory", "at": 2}, {"label": "gory", "at": 2.0}),
        ({"label": "harmful", "at": "12,345"}, {"label": "harmful", "at": 12.35}),
        ({"label": "ok", "at": ""}, {"label": "ok", "at": None}),
    ],
)
def test_an_answer_is_a_label_and_an_optional_second(answer, stored):
    assert video.check_answer(CONFIG, {}, answer) == stored


def test_a_second_is_dropped_when_the_project_does_not_ask_for_one():
    config = {**CONFIG, "ask_timestamp": False}
    assert video.check_answer(config, {}, {"label": "ok", "at": 3}) == {"label": "ok", "at": None}


@pytest.mark.parametrize("label", ["blue", "", None, 3, ["ok"]])
def test_a_label_the_project_does_not_have_is_refused_by_name(label):
    with pytest.raises(ApplicationError) as exc:
        video.check_answer(CONFIG, {}, {"label": label, "at": None})
    assert exc.value.field == "label"
    assert "ok, gory, harmful" in exc.value.message


@pytest.mark.parametrize(
    "at", [-1, -0.01, math.nan, math.inf, "nan", "inf", "-3", "soon", True, 86_401, "9" * 400]
)
def test_a_negative_or_not_a_number_second_is_refused_by_name(at):
    with pytest.raises(ApplicationError) as exc:
        video.check_answer(CONFIG, {}, {"label": "gory", "at": at})
    assert exc.value.field == "at"


def test_answers_are_classes_by_label_so_majority_and_dawid_skene_work():
    a = video.check_answer(CONFIG, {}, {"label": "gory", "at": 1.5})
    b = video.check_answer(CONFIG, {}, {"label": "gory", "at": 2.0})
    assert video.answer_label(a) == video.answer_label(b) == "gory"
    assert video.answer_key(a) == video.answer_key(b)
    assert video.label_values(CONFIG) == ["ok", "gory", "harmful"]
    assert video.consensus_for(CONFIG) is None
    assert video.label_value("gory") == {"label": "gory", "at": None}
    assert video.label_agrees(CONFIG, a, "gory") and not video.label_agrees(CONFIG, a, "ok")


def test_a_control_answer_matches_on_label_and_on_the_second_within_two():
    expected = video.check_answer(CONFIG, {}, {"label": "gory", "at": 10})
    assert video.answer_matches(CONFIG, {}, {"label": "gory", "at": 11.5}, expected)
    assert not video.answer_matches(CONFIG, {}, {"label": "gory", "at": 13}, expected)
    assert not video.answer_matches(CONFIG, {}, {"label": "gory", "at": None}, expected)
    assert not video.answer_matches(CONFIG, {}, {"label": "ok", "at": 10}, expected)
    # A control answer without a second is judged on the label alone.
    assert video.answer_matches(CONFIG, {}, {"label": "ok", "at": 4}, {"label": "ok", "at": None})


def test_the_answer_reads_as_the_label_and_the_moment():
    assert video.answer_text(CONFIG, {"label": "gory", "at": 72.5}) == "Gory at 1:12.5"
    assert video.answer_text(CONFIG, {"label": "ok", "at": None}) == "Acceptable"


@pytest.fixture
def clip(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    default_storage.save("clips/v03.webm", ContentFile(CLIP))
    return "/media/clips/v03.webm"


@pytest.mark.django_db
def test_the_worker_page_plays_the_clip_silently_through_a_signed_address(client, rita, walt, clip):
    project = live_project(rita, interface="video_rating", config=CONFIG, overlap=1)
    [task] = make_tasks(project, 1)
    task.data = {"video_url": clip, "title": "Kitchen accident", "start": 1}
    task.save(update_fields=["data"])
    now = timezone.now()
    assignment = Assignment.objects.create(
        project=project, task=task, worker=walt, leased_at=now, expires_at=now + timedelta(hours=1)
    )
    client.force_login(walt)
    page = client.get(reverse("work:task", args=[assignment.pk])).content.decode()
    (src,) = re.findall(r'<video class="task-video" src="([^"]+)"', page)
    assert src.startswith("/media/clips/v03.webm?t=")
    assert re.search(r"<video [^>]*\bplaysinline\b[^>]*\bmuted\b", page)
    assert 'data-start="1"' in page and "projects/player.js" in page
    assert 'data-player-key="1"' in page and 'name="at"' in page
    r = client.get(src, headers={"range": "bytes=0-99"})
    assert r.status_code == 206 and r["Content-Type"] == "video/webm"

    r = client.post(
        reverse("work:task", args=[assignment.pk]), {"label": "gory", "at": "-2", "active_ms": 900}
    )
    assert r.status_code == 400 and not Submission.objects.exists()
    client.post(
        reverse("work:task", args=[assignment.pk]), {"label": "gory", "at": "1.5", "active_ms": 900}
    )
    assert Submission.objects.get().answer == {"label": "gory", "at": 1.5}

    # The requester sees the clip as a small player beside its label on the results page.
    client.force_login(rita)
    page = client.get(reverse("results:page", args=[project.pk])).content.decode()
    assert re.search(r'<video class="task-video thumb" controls muted[^>]*src="/media/clips/', page)
    assert "Gory" in page


@pytest.mark.django_db
def test_the_read_only_view_shows_the_clip_and_the_answer(rita, clip):
    request = RequestFactory().get("/")
    request.user = rita
    html = Template("{% load tasks %}{% task_view 'video_rating' config data answer %}").render(
        Context(
            {
                "request": request,
                "config": CONFIG,
                "data": {"video_url": clip, "query": "street food"},
                "answer": {"label": "gory", "at": 1.5},
            }
        )
    )
    assert re.search(r'<video class="task-video thumb" controls muted[^>]*src="/media/clips/', html)
    assert "street food" in html and "Gory at 0:01.5" in html
