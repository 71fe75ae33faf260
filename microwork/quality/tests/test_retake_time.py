"""A failed test's waiting time is said where the test is listed (the work page's reason and
the test's page), not only after the worker clicks Start."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.lib.l10n import datetime_text
from microwork.quality import eligibility, selectors
from microwork.quality.services import exams
from microwork.quality.services.qualifications import project_requirement_add
from microwork.quality.tests.helpers import make_project, make_tasks


@pytest.fixture
def failed(rita, walt):
    project = make_project(owner=rita)
    gold = make_tasks(project, 2, gold=True)
    test = exams.qualification_test_create(
        project=project,
        name="Cats test",
        task_ids=[t.pk for t in gold],
        question_count=2,
        pass_mark="1",
        retake_cooldown_seconds=3600,
    )
    project_requirement_add(
        project=project,
        subject="qualification",
        comparator="exists",
        values=[],
        qualification=test.qualification,
    )
    attempt = exams.test_attempt_start(test=test, worker=walt)
    for pos in (1, 2):
        exams.test_answer_submit(attempt=attempt, position=pos, answer="dog", active_ms=5000)
    attempt.refresh_from_db()
    assert attempt.status == "failed"
    return project, test, attempt


def test_the_retake_time_follows_the_rule_the_start_applies(failed, walt):
    _project, test, attempt = failed
    again = attempt.finished_at + timedelta(hours=1)
    assert selectors.retake_at(test=test, worker=walt) == again
    assert selectors.retake_at(test=test, worker=walt, now=again) is None


def test_the_work_page_reason_and_the_test_page_say_when(failed, walt, client):
    project, test, attempt = failed
    when = datetime_text(attempt.finished_at + timedelta(hours=1))
    refusal = eligibility.check(project=project, worker=walt, now=timezone.now())
    assert f"again from {when} UTC" in refusal
    client.force_login(walt)
    page = client.get(reverse("quality:test", args=[test.pk])).content.decode()
    assert f"again from {when} UTC" in page
    assert reverse("quality:test_start", args=[test.pk]) not in page
