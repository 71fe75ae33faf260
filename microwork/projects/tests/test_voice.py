"""Voice recording: the server decodes what a browser recorded (WebM/Opus, MP4/AAC) and
refuses silence, clipping, a recording too short or too long, and anything that is not a
recording, each naming the field."""

import base64
import json

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import get_interface
from microwork.projects.media import sound
from microwork.work.models import Submission, WorkerFile
from microwork.work.services.claiming import assignment_claim
from microwork.work.tests.factories import add_tasks, live_project

pytestmark = pytest.mark.django_db

CONFIG = {"min_seconds": 2, "max_seconds": 5}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def leased(rita, walt):
    project = live_project(
        rita,
        name="Clinic phrases",
        interface="voice_recording",
        config=get_interface("voice_recording").check_config(CONFIG),
        overlap=1,
    )
    add_tasks(project, 1)
    project.tasks.update(data={"text": "The clinic opens at nine."})
    return assignment_claim(worker=walt, project=project, now=timezone.now())


def upload(client, token, assignment_id, content, name="voice.webm"):
    return client.post(
        f"/api/work/assignments/{assignment_id}/files",
        data={"file": SimpleUploadedFile(name, content)},
        headers={"Authorization": f"Bearer {token}"},
    )


def check(content, config=CONFIG):
    interface = get_interface("voice_recording")
    return interface.check_file(interface.check_config(config), "recording", content, "")


def test_a_webm_opus_recording_is_stored_as_sent_with_its_measures(
    client, walt, walt_token, leased
):
    content = sound.encode(sound.tone_samples(3))
    r = upload(client, walt_token, leased.pk, content)
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["content_type"] == "audio/webm"
    assert 2.9 <= body["facts"]["duration_seconds"] <= 3.1
    assert -20 < body["facts"]["level_dbfs"] < -8
    assert body["facts"]["codec"] == "opus"
    file = WorkerFile.objects.get(ref=body["ref"])
    with default_storage.open(file.storage_name, "rb") as f:
        assert f.read() == content
    r = client.post(
        f"/api/work/assignments/{leased.pk}/submit",
        data=json.dumps({"answer": {"recording": body["ref"]}}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {walt_token}"},
    )
    assert r.status_code == 200, r.content
    assert Submission.objects.get(assignment=leased).answer == {"recording": body["ref"]}


def test_safaris_mp4_aac_is_read_too():
    checked = check(sound.encode(sound.tone_samples(3), fmt="mp4", codec="aac"))
    assert checked.content_type == "audio/mp4" and checked.extension == "m4a"
    assert 2.9 <= checked.facts["duration_seconds"] <= 3.2


def test_a_silent_recording_is_refused(client, walt_token, leased):
    r = upload(client, walt_token, leased.pk, sound.encode(np.zeros(48_000 * 3)))
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "too_quiet" and r.json()["field"] == "recording"
    assert not WorkerFile.objects.exists()


def test_a_whisper_under_the_room_level_is_refused_too():
    with pytest.raises(ApplicationError) as exc:
        check(sound.encode(sound.tone_samples(3, amplitude=0.002)))
    assert exc.value.code == "too_quiet"


def test_a_clipped_recording_is_refused(client, walt_token, leased):
    t = np.arange(48_000 * 3) / 48_000
    shouting = np.clip(3.0 * np.sin(2 * np.pi * 220 * t), -1, 1)
    r = upload(client, walt_token, leased.pk, sound.encode(shouting))
    assert r.status_code == 400, r.content
    assert r.json()["code"] == "clipped" and r.json()["field"] == "recording"


@pytest.mark.parametrize(
    ("seconds", "code"), [(0.02, "too_short"), (1.0, "too_short"), (7.0, "too_long")]
)
def test_a_recording_too_short_or_too_long_is_refused(seconds, code):
    with pytest.raises(ApplicationError) as exc:
        check(sound.encode(sound.tone_samples(seconds)))
    assert exc.value.code == code and exc.value.field == "recording"
    assert exc.value.message.startswith("recording:")


def test_a_long_recording_is_decoded_no_further_than_the_limit():
    measured = sound.measure(sound.encode(sound.tone_samples(20)), max_seconds=5)
    assert measured.duration_seconds < 7


@pytest.mark.parametrize(
    "content",
    [
        b"<html>not a recording</html>",
        b"\x1a\x45\xdf\xa3" + b"webm" + b"\x00" * 100,
        b"\xff\xd8\xff\xe0" + b"\x00" * 100,
    ],
    ids=["html", "a broken webm", "a jpeg"],
)
def test_what_is_no_recording_is_refused_naming_the_field(content):
    with pytest.raises(ApplicationError) as exc:
        check(content)
    assert exc.value.code == "file_type" and exc.value.field == "recording"


def test_a_video_is_refused_a_voice_is_all_that_is_asked():
    import io

    import av

    out = io.BytesIO()
    with av.open(out, "w", format="webm") as container:
        video = container.add_stream("libvpx", rate=10)
        video.width, video.height, video.pix_fmt = 32, 32, "yuv420p"
        for _ in range(5):
            frame = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for packet in video.encode(frame):
                container.mux(packet)
        for packet in video.encode(None):
            container.mux(packet)
    with pytest.raises(ApplicationError) as exc:
        check(out.getvalue())
    assert exc.value.code == "file_type" and "video" in exc.value.message


def test_the_shortest_may_not_exceed_the_longest():
    with pytest.raises(ApplicationError) as exc:
        get_interface("voice_recording").check_config({"min_seconds": 9, "max_seconds": 5})
    assert exc.value.field == "min_seconds"


def test_the_published_sample_passes_the_checks():
    example = get_interface("voice_recording").example
    content = base64.b64decode(example["files"]["recording"]["base64"])
    checked = check(content, example["config"])
    assert checked.content_type == example["files"]["recording"]["content_type"]
