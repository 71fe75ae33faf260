"""An attacker's script against control-task secrecy: answer a project's tasks one by one
through the worker API, read the standing (API and page) after each answer, and try to tell
which answers were controls. Nothing may move until a feedback release, and a release must
cover so many answers that none of them can be singled out."""

import random
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from microwork.quality.models import FeedbackRelease
from microwork.quality.services.sweep import quality_sweep
from microwork.quality.tests.helpers import fund, make_project, make_tasks
from microwork.work.models import Assignment, Submission

T0 = datetime(2026, 5, 4, 8, 0, tzinfo=UTC)
# The masked CSRF token (and a script nonce, if any) differ on every render by design.
VOLATILE = re.compile(r'(csrfmiddlewaretoken" value="|csrf-token" content="|nonce=")[^"]*"')


def _api(client, method, url, token):
    return getattr(client, method)(
        url, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )


class Attacker:
    """Walt, scripted: claims and answers through the API, reads his standing after each."""

    def __init__(self, client, token, project, time_machine):
        self.client, self.token, self.project, self.clock = client, token, project, time_machine
        self.answers: list[int] = []

    def standing(self) -> tuple[dict, str]:
        api = _api(self.client, "get", "/api/quality/me/standing", self.token)
        assert api.status_code == 200, api.content
        page = self.client.get(reverse("quality:standing"))
        assert page.status_code == 200
        return api.json(), VOLATILE.sub("", page.content.decode())

    def answer_one(self, label: str) -> dict:
        claim = _api(self.client, "post", f"/api/work/projects/{self.project.pk}/claim", self.token)
        body = claim.json()
        assert body["state"] == "assigned", body
        assignment = body["assignment"]["id"]
        sent = self.client.post(
            f"/api/work/assignments/{assignment}/submit",
            data={"answer": label, "active_ms": 5000},
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        assert sent.status_code == 200, sent.content
        self.answers.append(sent.json()["id"])
        return sent.json()

    def sweep(self) -> None:
        # The periodic job, run as the clock would between answers.
        quality_sweep()


@pytest.mark.django_db
def test_an_attacker_reading_the_standing_after_each_answer_cannot_single_out_a_control(
    client, rita, walt, walt_token, omar, time_machine, monkeypatch
):
    # Rita's project: one task in four handed out is a control (expected answer "cat").
    monkeypatch.setattr("microwork.work.services.claiming.default_rng", random.Random(10))
    time_machine.move_to(T0, tick=False)
    project = make_project(owner=rita, gold_rate=Decimal("0.25"), overlap=1)
    make_tasks(project, 60)
    make_tasks(project, 30, gold=True)
    fund(project, omar)
    client.force_login(walt)
    walt_attack = Attacker(client, walt_token, project, time_machine)
    block = settings.CONTROL_FEEDBACK_MIN_ANSWERS
    delay = timedelta(hours=settings.CONTROL_FEEDBACK_DELAY)
    assert block >= 5 and delay >= timedelta(hours=1)

    # Walt answers 25 tasks a minute apart, alternating "cat" and "dog" so that any counter
    # that moved would also tell him a control's answer. He reads everything after each.
    before = walt_attack.standing()
    responses = []
    for i in range(25):
        time_machine.shift(60)
        responses.append(walt_attack.answer_one("cat" if i % 2 else "dog"))
        walt_attack.sweep()
        assert walt_attack.standing() == before, f"the standing moved after answer {i + 1}"
    # The submit responses look the same for controls and ordinary tasks.
    assert {tuple(sorted(r)) for r in responses} == {tuple(sorted(responses[0]))}
    assert {r["status"] for r in responses} == {"pending"}
    subs = Submission.objects.filter(pk__in=walt_attack.answers).select_related("task")
    controls = [s.pk for s in subs if s.task.is_gold]
    assert 0 < len(controls) < 25, "the scenario needs both kinds of answers"

    # A day later, still nothing new until the periodic job makes the release.
    time_machine.move_to(T0 + delay + timedelta(minutes=30), tick=False)
    assert walt_attack.standing() == before
    walt_attack.sweep()
    first = FeedbackRelease.objects.get(worker=walt, project=project)
    api, _page = walt_attack.standing()
    [skill] = api["skills"]
    # The release covers every answer so far at once: 25 answers, of which this many were
    # controls, never which ones.
    assert first.new_answers == first.answers == 25 >= block
    assert skill["answers"] == 25 and skill["gold_answers"] == len(controls)
    wrong = [s for s in subs if s.task.is_gold and s.gold_correct is False]
    assert skill["gold_correct"] == len(controls) - len(wrong)
    # The explanation of each missed control comes with the release, not before.
    assert len(api["missed_controls"]) == len(wrong)
    assert all(m["shown"] and m["evidence"]["expected"] == "Cat" for m in api["missed_controls"])

    # Walt tries smaller blocks: five more answers, then a long wait. Five answers are too few
    # for a release: their controls stay hidden however long he waits.
    after_first = walt_attack.standing()
    for i in range(5):
        time_machine.shift(60)
        walt_attack.answer_one("cat" if i % 2 else "dog")
        walt_attack.sweep()
        assert walt_attack.standing() == after_first
    time_machine.shift(int(3 * delay.total_seconds()))
    walt_attack.sweep()
    assert walt_attack.standing() == after_first
    assert FeedbackRelease.objects.filter(worker=walt).count() == 1

    # Fifteen more answers make a block of twenty: released only once the newest of them is
    # a day old, and then all twenty at once.
    for i in range(block - 5):
        time_machine.shift(60)
        walt_attack.answer_one("cat" if i % 2 else "dog")
        walt_attack.sweep()
        assert walt_attack.standing() == after_first
    time_machine.shift(int(delay.total_seconds()) + 120)
    walt_attack.sweep()
    second = FeedbackRelease.objects.filter(worker=walt).order_by("-number").first()
    assert second is not None and second.number == 2
    assert second.new_answers == block and second.answers == 25 + block

    # What the standing ever showed changed twice, each time over a block of at least
    # `block` answers: every answer shares its block's totals with the others in it.
    releases = list(FeedbackRelease.objects.filter(worker=walt).order_by("number"))
    assert all(r.new_answers >= block for r in releases)
    covered = Submission.objects.filter(worker=walt).count()
    assert sum(r.new_answers for r in releases) == covered
    assert Assignment.objects.filter(worker=walt, status=Assignment.Status.LEASED).count() == 0
