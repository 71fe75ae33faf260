"""Skipping a disturbing item costs the worker nothing: the task goes to someone else, and no
quality figure, rule or decision counts the skip (docs/wellbeing.md)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from microwork.quality import selectors as quality_selectors
from microwork.quality.models import Decision, WorkerSkill
from microwork.quality.services.configuration import rule_configure
from microwork.quality.services.enforcement import rules_evaluate
from microwork.quality.services.sweep import quality_sweep
from microwork.wellbeing.services import wellbeing_update
from microwork.wellbeing.tests.conftest import disturbing_project
from microwork.work.models import Assignment, AssignmentEvent
from microwork.work.services.claiming import assignment_claim
from microwork.work.services.giving_back import DISTURBING_SKIP, assignment_skip
from microwork.work.services.submitting import submission_create
from microwork.work.tests.factories import add_tasks, live_project


def _strict_rules(project):
    # Two skips in a row are allowed, a third is not; answers quicker than a third of the
    # project's typical time are too fast. Both would act on the first breach.
    rule_configure(
        project=project,
        rule_key="skips_in_row",
        params={"max_skips": 2, "margin": 0},
        action="pause",
    )
    rule_configure(
        project=project,
        rule_key="too_fast",
        params={"share": "0.3", "min_answers": 1, "grace_answers": 0, "margin": "0"},
        action="pause",
    )


def _figures(project, worker):
    skill = WorkerSkill.objects.filter(project=project, worker=worker).values().first() or {}
    skill.pop("updated_at", None)
    skips, _ids = quality_selectors.trailing_skips(
        project=project, worker=worker, since=None, limit=50
    )
    compared = quality_selectors.agreement_counts(project=project, worker=worker, since=None)
    median = quality_selectors.median_active_ms(project=project, worker=worker)
    return {
        "skill": skill,
        "trailing_skips": skips,
        "agreement": compared[:2],
        "median": median,
        "decisions": list(Decision.objects.filter(worker=worker).values_list("id", flat=True)),
    }


def _answer_two(project, worker):
    for _i in range(2):
        assignment = assignment_claim(worker=worker, project=project)
        submission_create(assignment=assignment, worker=worker, answer="ok", active_ms=20_000)


@pytest.fixture
def both_see_violence(walt, nina):
    for worker in (walt, nina):
        wellbeing_update(worker=worker, categories=["violence"], daily_cap=None)


def test_skipping_disturbing_items_changes_no_quality_figure(
    client, walt, walt_token, nina, rita, both_see_violence
):
    project = disturbing_project(rita, tasks=8, overlap=1)
    _strict_rules(project)
    _answer_two(project, walt)
    before = _figures(project, walt)
    assert before["skill"]["answers"] == 2 and before["decisions"] == []

    skipped = []
    for i in range(4):
        assignment = assignment_claim(worker=walt, project=project)
        skipped.append(assignment.task_id)
        if i % 2:
            r = client.post(
                f"/api/work/assignments/{assignment.pk}/skip",
                headers={"Authorization": f"Bearer {walt_token}"},
            )
            assert r.status_code == 200, r.content
        else:
            client.force_login(walt)
            assert client.post(f"/work/a/{assignment.pk}/skip/").status_code == 302
    assert (
        AssignmentEvent.objects.filter(
            assignment__worker=walt, new_status="skipped", reason=DISTURBING_SKIP
        ).count()
        == 4
    )
    later = timezone.now() + timedelta(minutes=1)
    assert rules_evaluate(project=project, worker=walt, now=later) == []
    quality_sweep(now=later)
    assert _figures(project, walt) == before
    assert not Decision.objects.exists()

    # The skipped tasks went back to the pool: someone else answers them.
    for _i in range(4):
        assignment = assignment_claim(worker=nina, project=project)
        assert assignment is not None
        submission_create(assignment=assignment, worker=nina, answer="ok", active_ms=20_000)
    assert set(skipped) <= set(
        Assignment.objects.filter(worker=nina, status="submitted").values_list("task_id", flat=True)
    )


def test_the_same_skips_on_an_ordinary_project_are_counted(walt, rita):
    # The control: without a declaration the rule sees the skips and acts.
    project = live_project(rita, overlap=1, disturbing_content=[])
    add_tasks(project, 8)
    _strict_rules(project)
    _answer_two(project, walt)
    for _i in range(3):
        assignment_skip(assignment=assignment_claim(worker=walt, project=project), worker=walt)
    later = timezone.now() + timedelta(minutes=1)
    decisions = rules_evaluate(project=project, worker=walt, now=later)
    assert [d.rule_key for d in decisions] == ["skips_in_row"]


def test_the_task_page_offers_the_penalty_free_skip(client, walt, rita, both_see_violence):
    project = disturbing_project(rita)
    assignment = assignment_claim(worker=walt, project=project)
    client.force_login(walt)
    page = client.get(f"/work/a/{assignment.pk}/").content.decode()
    assert "Skip this item (no penalty)" in page
