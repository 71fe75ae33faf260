"""The free-text and text-spans demo projects are valid as the platform checks them: their
settings, every row, every control answer and whatever the simulated crowd writes; and the
crowd is right more often the more skilled it is."""

import json
import random
from pathlib import Path

import pytest

from microwork.demo.kinds import DEMO_PROJECTS
from microwork.lib.registry import loaded
from microwork.projects.interfaces import get_interface


@pytest.mark.parametrize("key", ["free_text", "text_spans"])
def test_the_demo_is_valid_and_its_crowd_answers_pass_the_checks(key):
    demo = loaded(DEMO_PROJECTS[key])(media=Path("/nonexistent"), rng=random.Random(7))
    interface = get_interface(demo.interface)
    assert demo.interface == key
    config = interface.check_config(demo.config)
    assert 10 <= len(demo.rows) <= 30
    rng = random.Random(3)
    right = {0.55: 0, 0.97: 0}
    for row in demo.rows:
        data = interface.check_input(
            config, {k: v for k, v in row.items() if k in ("text", "image_url", "prompt")}
        )
        truth = demo.truth[row["id"]]
        assert interface.answer_matches(
            config, data, interface.check_answer(config, data, truth), truth
        )
        if "answer" in row:
            gold = interface.check_answer(config, data, json.loads(row["answer"]))
            assert interface.answer_key(gold) == interface.answer_key(truth)
        for skill in right:
            for _ in range(5):
                answer = interface.check_answer(
                    config, data, demo.crowd_answer(interface, config, truth, skill, rng)
                )
                right[skill] += interface.answer_matches(config, data, answer, truth)
    assert right[0.97] > right[0.55]
    if interface.reviewed:
        assert not any("answer" in row for row in demo.rows)
    else:
        assert sum("answer" in row for row in demo.rows) >= 3
