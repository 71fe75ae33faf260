"""Pages through the test client, asserting on the database afterwards."""

import pytest
from django.urls import reverse
from django.utils import timezone

from microwork.quality.models import RuleConfig, TestAttempt
from microwork.quality.services.decisions import decision_record
from microwork.quality.services.exams import qualification_test_create
from microwork.quality.tests.helpers import make_project, make_tasks


@pytest.fixture
def project(rita):
    return make_project(owner=rita)


def test_training_gives_feedback_after_each_answer_and_never_the_gold_before(
    client, project, walt, time_machine
):
    gold = make_tasks(project, 2, gold=True)
    training = qualification_test_create(
        project=project,
        name="Practice",
        mode="training",
        task_ids=[t.pk for t in gold],
        question_count=2,
        pass_mark="0",
    )
    client.force_login(walt)
    time_machine.move_to(timezone.now(), tick=False)
    page = client.get(reverse("quality:test", args=[training.pk])).content.decode()
    assert "after each answer" in page
    client.post(reverse("quality:test_start", args=[training.pk]))
    attempt = TestAttempt.objects.get()
    question = client.get(reverse("quality:attempt", args=[attempt.pk])).content.decode()
    assert "Whiskers" not in question and "Expected" not in question
    # Asking for feedback on an unanswered question shows the question, not the answer.
    peek = client.get(reverse("quality:attempt", args=[attempt.pk]) + "?feedback=1")
    assert b"Whiskers" not in peek.content
    time_machine.shift(10)
    r = client.post(
        reverse("quality:attempt", args=[attempt.pk]),
        {"position": 1, "label": "dog", "active_ms": 9000},
    )
    feedback = client.get(r["Location"]).content.decode()
    assert "Not quite" in feedback and "Whiskers and pointed ears: a cat." in feedback
    time_machine.shift(10)
    r = client.post(
        reverse("quality:attempt", args=[attempt.pk]),
        {"position": 2, "label": "cat", "active_ms": 9000},
    )
    feedback = client.get(r["Location"]).content.decode()
    assert "Correct" in feedback and "See your result" in feedback
    attempt.refresh_from_db()
    assert attempt.status == "passed" and attempt.payment.active_ms == 18000


def test_requester_saves_a_rule_from_the_page_and_bad_numbers_are_explained(client, project, rita):
    client.force_login(rita)
    url = reverse("quality:rule_save", args=[project.pk])
    r = client.post(
        url,
        {
            "rule_key": "gold_accuracy",
            "enabled": "on",
            "threshold": "1.4",
            "bound": "upper",
            "min_answers": "10",
            "margin": "0.05",
            "grace_answers": "5",
            "action": "pause",
            "pause_hours": "24",
            "next": reverse("quality:project", args=[project.pk]),
        },
        follow=True,
    )
    page = r.content.decode()
    # The number is named as the form labels it, and the rule's form keeps what was typed.
    assert "“Lowest acceptable accuracy” must be a number from 0 to 1" in page
    assert "threshold must be" not in page
    assert 'name="threshold" value="1.4" aria-invalid="true"' in page
    assert not RuleConfig.objects.exists()
    client.post(
        url,
        {
            "rule_key": "gold_accuracy",
            "enabled": "on",
            "threshold": "0.85",
            "bound": "lower",
            "min_answers": "20",
            "margin": "0.05",
            "grace_answers": "5",
            "action": "pause",
            "pause_hours": "12",
        },
    )
    rule = RuleConfig.objects.get()
    assert rule.params["threshold"] == 0.85 and rule.pause_seconds == 12 * 3600
    page = client.get(reverse("quality:project", args=[project.pk])).content.decode()
    assert 'value="0.85"' in page


def test_other_people_get_404_and_workers_cannot_open_operator_pages(
    client, project, rob, walt, nina
):
    client.force_login(rob)
    assert client.get(reverse("quality:project", args=[project.pk])).status_code == 404
    client.force_login(walt)
    assert client.get(reverse("quality:operator")).status_code == 403
    decision = decision_record(
        worker=nina, project=project, kind="warning", inputs={}, starts_at=project.created_at
    )
    assert client.get(reverse("quality:decision", args=[decision.pk])).status_code == 404


def test_rules_doc_is_the_markdown_file_for_workers(client, walt):
    client.force_login(walt)
    page = client.get(reverse("quality:rules_doc")).content.decode()
    assert "<h1>Quality rules and appeals</h1>" in page
    assert "A rule always warns before it acts." in page
    assert "/api/quality" not in page
    standing = client.get(reverse("quality:standing")).content.decode()
    assert reverse("quality:rules_doc") in standing


def test_inbox_count_in_the_header_and_mark_read(client, project, walt):
    decision_record(
        worker=walt,
        project=project,
        kind="warning",
        rule_key="gold_accuracy",
        inputs={},
        starts_at=project.created_at,
    )
    client.force_login(walt)
    page = client.get(reverse("quality:standing")).content.decode()
    assert 'class="badge count"' in page
    client.post(reverse("inbox:read"))
    page = client.get(reverse("quality:standing")).content.decode()
    assert 'class="badge count"' not in page


def test_requester_sets_up_tests_requirements_and_grants_from_the_page(client, project, rita, walt):
    from microwork.quality.models import ProjectRequirement, QualificationGrant, QualificationTest

    make_tasks(project, 4, gold=True)
    client.force_login(rita)
    base = reverse("quality:project", args=[project.pk])
    r = client.post(
        reverse("quality:test_create", args=[project.pk]),
        {
            "all_gold": "on",
            "name": "Entry test",
            "mode": "test",
            "question_count": "5",
            "pass_mark": "0.8",
            "cooldown_hours": "24",
            "max_attempts": "3",
            "required": "on",
            "next": base,
        },
        follow=True,
    )
    assert "only 4 control tasks" in r.content.decode()
    assert not QualificationTest.objects.exists()
    client.post(
        reverse("quality:test_create", args=[project.pk]),
        {
            "all_gold": "on",
            "name": "Entry test",
            "mode": "test",
            "question_count": "4",
            "pass_mark": "0.75",
            "cooldown_hours": "24",
            "max_attempts": "3",
            "required": "on",
        },
    )
    test = QualificationTest.objects.get()
    assert test.tasks.count() == 4
    assert ProjectRequirement.objects.get().qualification == test.qualification
    client.post(
        reverse("quality:requirement_add", args=[project.pk]),
        {"subject": "country", "comparator": "in", "values": "ng, mg"},
    )
    assert ProjectRequirement.objects.filter(subject="country").get().values == ["NG", "MG"]
    client.post(reverse("quality:qualification_add", args=[project.pk]), {"name": "Trusted"})
    trusted = test.qualification.organisation.qualifications.get(name="Trusted")
    client.post(
        reverse("quality:grant_add", args=[project.pk]),
        {"qualification_id": trusted.pk, "worker": "walt", "value": "2"},
    )
    assert QualificationGrant.objects.get(qualification=trusted).value == 2
    page = client.get(base).content.decode()
    assert "Entry test" in page and "Trusted" in page


def test_requester_sets_the_reveal_delay_and_workers_see_missed_gold_then(
    client, project, rita, walt
):
    from datetime import timedelta

    from microwork.quality import selectors
    from microwork.quality.tests.helpers import answer, release

    client.force_login(rita)
    url = reverse("quality:settings_save", args=[project.pk])
    page = client.get(reverse("quality:project", args=[project.pk])).content.decode()
    assert 'name="gold_reveal_delay_hours" value="24"' in page
    back = reverse("quality:project", args=[project.pk])
    for bad in ("0", "721", "soon"):
        r = client.post(
            url,
            {
                "form": "settings",
                "gold_reveal_delay_hours": bad,
                "appeal_deadline_hours": "48",
                "next": back,
            },
            follow=True,
        )
        shown = r.content.decode()
        # Named in words, and the settings form keeps what was typed.
        assert "in hours (1 to 720)” must be a whole number from 1 to 720" in shown
        assert "gold_reveal_delay_hours must" not in shown
        assert f'name="gold_reveal_delay_hours" value="{bad}" aria-invalid="true"' in shown
        assert 'name="appeal_deadline_hours" value="48"' in shown
    project.refresh_from_db()
    assert project.gold_reveal_delay_seconds == 24 * 3600
    assert selectors.settings_for_project(project).appeal_deadline_hours == 72
    client.post(url, {"gold_reveal_delay_hours": "48"})
    project.refresh_from_db()
    assert project.gold_reveal_delay_seconds == 48 * 3600
    missed = answer(task=make_tasks(project, 1, gold=True)[0], worker=walt, label="dog")
    at = missed.submitted_at
    release(project=project, worker=walt)
    assert not selectors.missed_gold(worker=walt, now=at + timedelta(hours=47))[0]["shown"]
    assert selectors.missed_gold(worker=walt, now=at + timedelta(hours=48))[0]["shown"]


def test_the_quality_page_is_linked_from_the_requesters_project_pages(client, project, rita):
    client.force_login(rita)
    quality = reverse("quality:project", args=[project.pk])
    detail = client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    listing = client.get(reverse("projects:list")).content.decode()
    assert f'href="{quality}"' in detail and f'href="{quality}"' in listing
    assert client.get(quality).status_code == 200


def test_operators_lift_only_suspensions_and_flags(client, project, walt, omar):
    warning = decision_record(
        worker=walt, project=project, kind="warning", inputs={}, starts_at=timezone.now()
    )
    client.force_login(omar)
    r = client.post(reverse("quality:operator_lift", args=[warning.pk]), {"reason": "x"})
    assert r.status_code == 404
    warning.refresh_from_db()
    assert warning.status == "active"


def test_the_workers_table_shows_the_counts_beside_the_labelled_estimate(
    client, project, rita, walt
):
    from microwork.quality.tests.helpers import answer

    answer(task=make_tasks(project, 1, gold=True)[0], worker=walt, label="cat")
    client.force_login(rita)
    html = client.get(reverse("quality:project", args=[project.pk])).content.decode()
    # One control task, answered right: the count says so; the smoothed figure is an estimate.
    assert "1 of 1 right" in html
    assert "estimated " in html and "likely between" in html
    assert "1/1" not in html
