"""Every decision reads as plain words, in English and in the worker's language."""

import pytest
from django.utils import timezone, translation

from microwork.quality import texts
from microwork.quality.models import Decision
from microwork.quality.services.configuration import rule_configure
from microwork.quality.services.decisions import decision_record
from microwork.quality.tests.helpers import answer_gold_series, make_project


@pytest.mark.parametrize("kind", [k for k, _label in Decision.Kind.choices])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_kind_of_decision_has_a_headline_and_an_explanation(rita, walt, kind, language):
    project = None if kind == "suspension" else make_project(owner=rita)
    decision = decision_record(
        worker=walt,
        project=project,
        kind=kind,
        inputs={},
        starts_at=timezone.now(),
        reason_code="wrong_answer" if kind == "rejection" else "",
        note="Checked twice.",
        # A block reaches every project of the organisation that made it.
        organisation=project.organisation if kind == "block" else None,
    )
    with translation.override(language):
        headline = texts.decision_headline(decision)
        text = texts.decision_text(decision)
    assert headline and headline in text
    assert "Checked twice." in text


def test_a_warning_states_the_numbers_and_the_distance(rita, walt):
    project = make_project(owner=rita)
    rule_configure(
        project=project, rule_key="gold_accuracy", params={"min_answers": 10}, action="pause"
    )
    answer_gold_series(project=project, worker=walt, correct=6, wrong=4)
    warning = Decision.objects.get(worker=walt)
    assert "You answered 6 of 10 control tasks correctly (60 %)" in warning.outcome
    assert "minimum of 80 %" in warning.outcome
    assert "+0.0 percentage points" in warning.outcome
    assert "nothing happens unless you cross it" in warning.outcome


def test_a_reversed_rejection_reads_as_good_news_not_as_a_rejection(rita, walt):
    from microwork.inbox.models import Notification

    project = make_project(owner=rita)
    decision = decision_record(
        worker=walt,
        project=project,
        kind="rejection",
        inputs={},
        starts_at=timezone.now(),
        reason_code="wrong_answer",
    )
    note = Notification(user=walt, kind="decision_reversed", params={"decision_id": decision.pk})
    [(line, _url)] = texts.inbox_lines(notifications=[note])
    assert "was reversed" in line and "is paid" in line and project.name in line
    assert "was rejected" not in line
