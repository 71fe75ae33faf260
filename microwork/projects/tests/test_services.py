from decimal import Decimal

import pytest
import time_machine

from microwork.lib.errors import ApplicationError
from microwork.projects.models import Project, ProjectEvent
from microwork.projects.services.projects import (
    allowed_transitions,
    project_create,
    project_set_status,
    project_update,
)
from microwork.projects.tests.factories import TaskFactory, stored_answer

S = Project.Status
ALL = [s.value for s in S]
ALLOWED = {
    ("draft", "live"),
    ("draft", "archived"),
    ("live", "paused"),
    ("live", "completed"),
    ("paused", "live"),
    ("paused", "completed"),
    ("paused", "archived"),
    ("completed", "archived"),
}


def _base(**overrides):
    data = {
        "name": "Moderation",
        "description": "Judge images.",
        "interface": "single_choice",
        "config": {"question": "OK?", "labels": ["ok", "bad"]},
        "reward": "0.05",
        "estimated_seconds": 20,
    }
    data.update(overrides)
    return data


def test_create_cleans_and_logs_the_draft(project, rita):
    assert project.status == S.DRAFT
    assert project.config["labels"] == [
        {"value": "ok", "text": "Acceptable"},
        {"value": "gory", "text": "Gory"},
    ]
    assert project.reward == Decimal("0.05")
    event = project.events.get()
    assert (event.old_status, event.new_status, event.actor) == ("", "draft", rita)


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("name", {"name": "  "}),
        ("name", {"name": "x" * 201}),
        ("description", {"description": ""}),
        ("interface", {"interface": "video_annotation"}),
        ("question", {"config": {"labels": ["a", "b"]}}),
        ("labels", {"config": {"question": "Q", "labels": ["only-one"]}}),
        ("labels", {"config": {"question": "Q", "labels": ["a", "a"]}}),
        ("scale", {"interface": "graded_relevance", "config": {"scale": ["a", "b"]}}),
        ("reward", {"reward": "-0.05"}),
        ("reward", {"reward": "0"}),
        ("reward", {"reward": "0.0000001"}),
        ("reward", {"reward": "five cents"}),
        ("currency", {"currency": "BTC"}),
        ("estimated_seconds", {"estimated_seconds": 0}),
        ("estimated_seconds", {"estimated_seconds": "soon"}),
        ("overlap", {"overlap": 0}),
        ("overlap", {"overlap": 101}),
        ("time_limit_seconds", {"time_limit_seconds": 5}),
        ("time_limit_seconds", {"time_limit_seconds": 15, "estimated_seconds": 20}),
        ("gold_rate", {"gold_rate": "1.5"}),
        ("gold_rate", {"gold_rate": "-0.1"}),
        ("gold_rate", {"gold_rate": "lots"}),
        ("max_open_per_worker", {"max_open_per_worker": 0}),
        ("order", {"order": "random"}),
        ("config", {"config": ["not", "an", "object"]}),
    ],
)
def test_bad_settings_name_the_field_and_store_nothing(rita, acme, field, overrides):
    with pytest.raises(ApplicationError) as info:
        project_create(organisation=acme, actor=rita, **_base(**overrides))
    assert info.value.field == field
    assert not Project.objects.exists()
    assert not ProjectEvent.objects.exists()


def test_overlap_zero_is_refused_with_a_plain_message(rita, acme):
    with pytest.raises(ApplicationError) as info:
        project_create(organisation=acme, actor=rita, **_base(overlap=0))
    assert "at least 1" in info.value.message


def test_reward_keeps_six_places_exactly(rita, acme):
    project = project_create(organisation=acme, actor=rita, **_base(reward="0.004125"))
    project.refresh_from_db()
    assert project.reward == Decimal("0.004125")


def test_instructions_markdown_is_sanitised_when_rendered(rita, acme):
    from microwork.lib.text import render_markdown

    project = project_create(
        organisation=acme, actor=rita, **_base(instructions="Hi <script>alert(1)</script> **b**")
    )
    html = render_markdown(project.instructions)
    assert "<script>" not in html and "<strong>b</strong>" in html


def _at(project, status):
    Project.objects.filter(pk=project.pk).update(status=status)
    project.refresh_from_db()
    return project


@pytest.mark.parametrize("old", ALL)
@pytest.mark.parametrize("new", ALL)
def test_lifecycle_table(project, rita, old, new):
    TaskFactory(project=project)
    _at(project, old)
    events_before = ProjectEvent.objects.count()
    if (old, new) in ALLOWED:
        project_set_status(project=project, actor=rita, status=new, reason="test")
        project.refresh_from_db()
        assert project.status == new
        event = ProjectEvent.objects.latest("id")
        assert (event.old_status, event.new_status, event.reason, event.actor) == (
            old,
            new,
            "test",
            rita,
        )
    else:
        with pytest.raises(ApplicationError) as info:
            project_set_status(project=project, actor=rita, status=new)
        assert info.value.field == "status"
        project.refresh_from_db()
        assert project.status == old
        assert ProjectEvent.objects.count() == events_before


def test_allowed_transitions_match_the_table(project):
    for status in ALL:
        _at(project, status)
        assert {(status, s) for s in allowed_transitions(project)} == {
            pair for pair in ALLOWED if pair[0] == status
        }


def test_unknown_status_is_refused(project, rita):
    with pytest.raises(ApplicationError) as info:
        project_set_status(project=project, actor=rita, status="deleted")
    assert info.value.field == "status"


def test_going_live_needs_a_task(project, rita):
    with pytest.raises(ApplicationError) as info:
        project_set_status(project=project, actor=rita, status="live")
    assert info.value.code == "no_tasks"
    assert Project.objects.get(pk=project.pk).status == "draft"


def test_going_live_needs_a_task_that_is_not_gold(project, rita):
    TaskFactory(project=project, is_gold=True, gold_answer="ok")
    with pytest.raises(ApplicationError) as info:
        project_set_status(project=project, actor=rita, status="live")
    assert info.value.code == "no_tasks"


def test_going_live_rechecks_the_config(project, rita):
    TaskFactory(project=project)
    Project.objects.filter(pk=project.pk).update(config={"question": "", "labels": []})
    with pytest.raises(ApplicationError) as info:
        project_set_status(project=project, actor=rita, status="live")
    assert info.value.field == "question"


def test_status_event_time_is_the_frozen_now(project, rita):
    TaskFactory(project=project)
    with time_machine.travel("2026-03-01 12:00:00+00:00", tick=False):
        project_set_status(project=project, actor=rita, status="live")
    event = ProjectEvent.objects.latest("id")
    assert event.at.isoformat() == "2026-03-01T12:00:00+00:00"


def test_update_changes_only_what_is_given(project, rita):
    project_update(project=project, actor=rita, changes={"name": "New name", "overlap": 5})
    project.refresh_from_db()
    assert (project.name, project.overlap, project.reward) == ("New name", 5, Decimal("0.05"))


def test_update_refuses_unknown_and_bad_fields(project, rita):
    with pytest.raises(ApplicationError) as info:
        project_update(project=project, actor=rita, changes={"status": "live"})
    assert info.value.field == "status"
    with pytest.raises(ApplicationError) as info:
        project_update(project=project, actor=rita, changes={"overlap": 0})
    assert info.value.field == "overlap"
    assert Project.objects.get(pk=project.pk).overlap == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reward", "0.01"),
        ("currency", "EUR"),
        ("interface", "multiple_choice"),
        ("config", {"question": "OK?", "labels": ["ok", "gory", "unsure"]}),
    ],
)
def test_answered_projects_lock_what_answers_mean_and_never_lower_the_reward(
    project, rita, walt, field, value
):
    stored_answer(TaskFactory(project=project), walt)
    with pytest.raises(ApplicationError) as info:
        project_update(project=project, actor=rita, changes={field: value})
    assert (info.value.code, info.value.field) == ("locked", field)


def test_answered_projects_may_raise_overlap_not_lower_it(project, rita, walt):
    stored_answer(TaskFactory(project=project), walt)
    project_update(project=project, actor=rita, changes={"overlap": 4})
    with pytest.raises(ApplicationError) as info:
        project_update(project=project, actor=rita, changes={"overlap": 2})
    assert info.value.field == "overlap"
    project_update(project=project, actor=rita, changes={"instructions": "Better ones"})
    assert Project.objects.get(pk=project.pk).overlap == 4


def test_archived_projects_are_read_only(project, rita):
    project_set_status(project=project, actor=rita, status="archived")
    with pytest.raises(ApplicationError) as info:
        project_update(project=project, actor=rita, changes={"name": "x"})
    assert info.value.code == "archived"


DAY = 24 * 3600


def test_the_approval_period_defaults_to_three_days_and_can_be_set(rita, acme):
    default = project_create(organisation=acme, actor=rita, **_base())
    assert default.auto_approve_seconds == 3 * DAY
    chosen = project_create(
        organisation=acme, actor=rita, **_base(name="Quick pay", auto_approve_seconds=DAY)
    )
    assert Project.objects.get(pk=chosen.pk).auto_approve_seconds == DAY


@pytest.mark.parametrize("value", [7 * DAY + 1, 3599, 0, -1, "soon", None])
def test_an_approval_period_outside_one_hour_to_seven_days_is_refused(rita, acme, value):
    with pytest.raises(ApplicationError) as info:
        project_create(organisation=acme, actor=rita, **_base(auto_approve_seconds=value))
    assert info.value.field == "auto_approve_seconds"
    assert "auto_approve_seconds" in info.value.message
    assert not Project.objects.exists()


def test_the_approval_period_is_changed_through_update(project, rita):
    project_update(project=project, actor=rita, changes={"auto_approve_seconds": DAY})
    assert Project.objects.get(pk=project.pk).auto_approve_seconds == DAY
    with pytest.raises(ApplicationError) as info:
        project_update(project=project, actor=rita, changes={"auto_approve_seconds": 8 * DAY})
    assert info.value.field == "auto_approve_seconds"
    assert Project.objects.get(pk=project.pk).auto_approve_seconds == DAY


def test_once_answered_the_approval_period_may_shorten_never_lengthen(project, rita, walt):
    # Walt's answer waits for its money on the period he was shown; it must not grow.
    stored_answer(TaskFactory(project=project), walt)
    with pytest.raises(ApplicationError) as info:
        project_update(project=project, actor=rita, changes={"auto_approve_seconds": 5 * DAY})
    assert (info.value.code, info.value.field) == ("locked", "auto_approve_seconds")
    project_update(project=project, actor=rita, changes={"auto_approve_seconds": DAY})
    assert Project.objects.get(pk=project.pk).auto_approve_seconds == DAY


def test_answers_are_counted_from_every_registered_answer_store(project, rita, walt, monkeypatch):
    from microwork.projects import hooks, selectors

    assert not selectors.project_has_answers(project=project)
    stored_answer(TaskFactory(project=project), walt)
    [listed] = selectors.projects_for_requester(user=rita)
    assert listed.answers_total == 1
    assert selectors.project_counts(project=project)["answers"] == 1
    assert selectors.project_has_answers(project=project)
    # A second app storing answers registers the same way and is counted with the first.
    monkeypatch.setitem(hooks.ANSWER_MODELS, "again", "work.Submission")
    [listed] = selectors.projects_for_requester(user=rita)
    assert listed.answers_total == 2
    monkeypatch.setattr(hooks, "ANSWER_MODELS", {})
    assert selectors.projects_for_requester(user=rita)[0].answers_total == 0
    assert not selectors.project_has_answers(project=project)
