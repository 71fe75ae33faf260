"""The demo's voice and video clips: shipped small, copied under names that tell nothing, and
their demo projects' rows and simulated answers are valid for their kinds."""

import hashlib
import random

import pytest

from microwork.demo.clips import SHIPPED, clip_rows
from microwork.demo.kinds import DEMO_PROJECTS
from microwork.lib.registry import loaded
from microwork.projects.interfaces import get_interface

CLIP_KINDS = ["audio_transcription", "video_rating"]


def test_the_shipped_clips_are_small_and_each_listed_one_exists():
    files = [p for p in SHIPPED.rglob("*") if p.suffix in (".ogg", ".webm")]
    assert sum(p.stat().st_size for p in files) <= 300 * 1024
    for kind, suffix in (("audio", ".ogg"), ("video", ".webm")):
        rows = clip_rows(kind)
        assert len(rows) >= 10
        assert {p.name for p in (SHIPPED / kind).glob(f"*{suffix}")} == {
            f"{row[0]}{suffix}" for row in rows
        }


@pytest.mark.parametrize("key", CLIP_KINDS)
def test_the_demo_rows_and_crowd_answers_are_valid_for_the_kind(key, tmp_path):
    demo = loaded(DEMO_PROJECTS[key])(media=tmp_path, rng=random.Random(1))
    interface = get_interface(demo.interface)
    config = interface.check_config(demo.config)
    assert 10 <= len(demo.rows) <= 30 and sum("answer" in row for row in demo.rows) >= 2
    rng = random.Random(3)
    for row in demo.rows:
        data = interface.check_input(config, row)
        url = data.get("audio_url") or data.get("video_url")
        name = url.rsplit("/", 1)[1]
        stored = tmp_path / url.removeprefix("/media/")
        # Named by the hash of their bytes: a name says nothing of the answer.
        assert name.split(".")[0] == hashlib.sha256(stored.read_bytes()).hexdigest()[:32]
        truth = demo.truth[row["id"]]
        if "answer" in row:
            interface.check_answer(config, data, row["answer"])
        careful = interface.check_answer(
            config, data, demo.crowd_answer(interface, config, truth, 1.0, rng)
        )
        assert interface.answer_matches(config, data, careful, truth)
        for _ in range(5):
            interface.check_answer(
                config, data, demo.crowd_answer(interface, config, truth, 0.5, rng)
            )
