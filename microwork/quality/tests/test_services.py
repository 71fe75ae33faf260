"""Services against a real database: every refusal changes nothing, every decision is kept."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from microwork.inbox.models import Notification
from microwork.lib.errors import ApplicationError, Conflict, Forbidden
from microwork.projects.models import Project
from microwork.quality import dashboards, eligibility, selectors, stats
from microwork.quality.models import (
    Appeal,
    Decision,
    QualificationTest,
    RuleConfig,
    TestAttempt,
)
from microwork.quality.services import appeals as quality_appeals
from microwork.quality.services import exams
from microwork.quality.services.configuration import quality_settings_update, rule_configure
from microwork.quality.services.decisions import account_suspend, decision_record, decisions_expire
from microwork.quality.services.enforcement import rules_evaluate
from microwork.quality.services.qualifications import (
    project_requirement_add,
    qualification_create,
    qualification_grant,
    worker_device_record,
)
from microwork.quality.services.skills import skill_recompute
from microwork.quality.services.sweep import quality_sweep
from microwork.quality.tests.helpers import (
    answer,
    fund,
    label_set,
    make_project,
    make_tasks,
    release,
    submit,
)
from microwork.review import services as review_services
from microwork.work.models import Assignment, Submission


@pytest.fixture
def project(rita):
    return make_project(owner=rita)


# --- Beta posterior ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("correct", "total", "mean", "low", "high"),
    [
        (0, 0, 0.5, 0.05, 0.95),
        (34, 40, 35 / 42, 0.7315, 0.9170),
        (6, 10, 7 / 12, 0.3498, 0.8004),
    ],
)
def test_accuracy_is_a_beta_posterior_with_a_90_percent_interval(correct, total, mean, low, high):
    summary = stats.beta_summary(correct=correct, total=total)
    assert summary.mean == pytest.approx(mean)
    assert summary.low == pytest.approx(low, abs=1e-4)
    assert summary.high == pytest.approx(high, abs=1e-4)


# --- tests: bad input --------------------------------------------------------------------


def test_a_test_with_fewer_gold_tasks_than_questions_is_refused(project):
    gold = make_tasks(project, 3, gold=True)
    with pytest.raises(ApplicationError) as exc:
        exams.qualification_test_create(
            project=project, name="T", task_ids=[t.pk for t in gold], question_count=5
        )
    assert exc.value.field == "question_count"
    assert "only 3 control tasks" in exc.value.message
    assert not QualificationTest.objects.exists()


def test_a_test_refuses_ordinary_tasks_and_other_projects_tasks(project, rob):
    plain = make_tasks(project, 2)
    other = make_tasks(make_project(owner=rob), 1, gold=True)
    with pytest.raises(ApplicationError) as exc:
        exams.qualification_test_create(
            project=project, name="T", task_ids=[t.pk for t in plain], question_count=1
        )
    assert exc.value.field == "task_ids" and "not" in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        exams.qualification_test_create(
            project=project, name="T", task_ids=[other[0].pk], question_count=1
        )
    assert exc.value.field == "task_ids"


@pytest.mark.parametrize("bad", ["1.2", "-0.1", "abc", "nan"])
def test_pass_mark_and_rule_thresholds_must_be_between_0_and_1(project, bad):
    gold = make_tasks(project, 2, gold=True)
    with pytest.raises(ApplicationError) as exc:
        exams.qualification_test_create(
            project=project,
            name="T",
            task_ids=[t.pk for t in gold],
            question_count=1,
            pass_mark=bad,
        )
    assert exc.value.field == "pass_mark"
    with pytest.raises(ApplicationError) as exc:
        rule_configure(project=project, rule_key="gold_accuracy", params={"threshold": bad})
    assert exc.value.field == "threshold"
    assert "from 0 to 1" in exc.value.message
    assert not RuleConfig.objects.exists()


def test_unknown_rules_and_settings_are_named(project):
    with pytest.raises(ApplicationError) as exc:
        rule_configure(project=project, rule_key="vibes")
    assert exc.value.field == "rule_key"
    with pytest.raises(ApplicationError) as exc:
        rule_configure(project=project, rule_key="too_fast", params={"speed": 1})
    assert exc.value.field == "speed"
    with pytest.raises(ApplicationError) as exc:
        rule_configure(project=project, rule_key="gold_accuracy", action="fine")
    assert exc.value.field == "action"


# --- tests: taking them ------------------------------------------------------------------


def _test(project, n=4, **kw):
    gold = make_tasks(project, n, gold=True)
    return exams.qualification_test_create(
        project=project, name="Cats test", task_ids=[t.pk for t in gold], question_count=n, **kw
    )


def test_a_failed_test_is_paid_and_cool_down_and_attempts_are_enforced(project, walt):
    test = _test(project, n=2, pass_mark="1", max_attempts=2, retake_cooldown_seconds=3600)
    start = timezone.now()
    attempt = exams.test_attempt_start(test=test, worker=walt, now=start)
    # A double tap on Start returns the same attempt.
    assert exams.test_attempt_start(test=test, worker=walt, now=start) == attempt
    exams.test_answer_submit(
        attempt=attempt,
        position=1,
        answer="dog",
        active_ms=30_000,
        now=start + timedelta(seconds=40),
    )
    # A retried request for the same question counts once.
    exams.test_answer_submit(
        attempt=attempt,
        position=1,
        answer="cat",
        active_ms=30_000,
        now=start + timedelta(seconds=41),
    )
    exams.test_answer_submit(
        attempt=attempt,
        position=2,
        answer="cat",
        active_ms=30_000,
        now=start + timedelta(seconds=80),
    )
    attempt.refresh_from_db()
    assert attempt.status == "failed" and attempt.correct == 1 and attempt.active_ms == 60_000
    # 60 s, capped at twice the estimate of 2 × 6 s: 24 s at 12.00 an hour.
    assert attempt.payment.amount == Decimal("0.080000")
    assert not walt.qualification_grants.exists()
    with pytest.raises(ApplicationError) as exc:
        exams.test_attempt_start(test=test, worker=walt, now=start + timedelta(minutes=30))
    assert exc.value.code == "cooldown"
    second = exams.test_attempt_start(test=test, worker=walt, now=start + timedelta(hours=2))
    for pos in (1, 2):
        exams.test_answer_submit(attempt=second, position=pos, answer="dog", active_ms=1000)
    with pytest.raises(ApplicationError) as exc:
        exams.test_attempt_start(test=test, worker=walt, now=start + timedelta(hours=4))
    assert exc.value.code == "no_attempts_left"
    assert TestAttempt.objects.filter(worker=walt).count() == 2


def test_active_time_is_capped_at_the_projects_time_limit(project, walt):
    test = _test(project, n=1, pass_mark="0")
    start = timezone.now()
    attempt = exams.test_attempt_start(test=test, worker=walt, now=start)
    exams.test_answer_submit(
        attempt=attempt, position=1, answer="cat", active_ms=10**9, now=start + timedelta(hours=2)
    )
    attempt.refresh_from_db()
    assert attempt.active_ms == project.time_limit_seconds * 1000


def test_a_device_cannot_claim_more_time_than_has_passed(project, walt):
    test = _test(project, n=2, pass_mark="0")
    start = timezone.now()
    attempt = exams.test_attempt_start(test=test, worker=walt, now=start)
    for pos, seconds in ((1, 5), (2, 12)):
        exams.test_answer_submit(
            attempt=attempt,
            position=pos,
            answer="cat",
            active_ms=300_000,
            now=start + timedelta(seconds=seconds),
        )
    attempt.refresh_from_db()
    assert attempt.active_ms == 12_000


def test_passing_grants_the_qualification_with_the_score_and_opens_the_project(project, walt):
    test = _test(project, n=4, pass_mark="0.75")
    project_requirement_add(
        project=project,
        subject="qualification",
        comparator=">=",
        values=[75],
        qualification=test.qualification,
    )
    refusal = eligibility.check(project=project, worker=walt, now=timezone.now())
    assert "Pass the paid test “Cats test” first" in refusal
    attempt = exams.test_attempt_start(test=test, worker=walt)
    for pos, label in enumerate(["cat", "cat", "cat", "dog"], start=1):
        exams.test_answer_submit(attempt=attempt, position=pos, answer=label, active_ms=5000)
    grant = walt.qualification_grants.get()
    assert grant.value == 75
    assert eligibility.check(project=project, worker=walt, now=timezone.now()) is None
    with pytest.raises(Conflict):
        exams.test_attempt_start(test=test, worker=walt)


def test_a_closed_projects_test_cannot_be_started(project, walt):
    test = _test(project, n=1)
    Project.objects.filter(pk=project.pk).update(status=Project.Status.PAUSED)
    with pytest.raises(ApplicationError) as exc:
        exams.test_attempt_start(test=test, worker=walt)
    assert exc.value.code == "project_closed"
    assert not TestAttempt.objects.exists()


# --- requirements -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subject", "comparator", "values", "walt_ok", "nina_ok"),
    [
        ("language", "in", ["yo", "ha"], True, False),
        ("language", "!=", ["fr"], True, False),
        ("country", "==", ["mg"], False, True),
        ("country", "in", ["NG", "MG"], True, True),
        ("country", "!=", ["NG"], False, True),
    ],
)
def test_profile_requirements(project, walt, nina, subject, comparator, values, walt_ok, nina_ok):
    project_requirement_add(project=project, subject=subject, comparator=comparator, values=values)
    now = timezone.now()
    assert (eligibility.check(project=project, worker=walt, now=now) is None) is walt_ok
    assert (eligibility.check(project=project, worker=nina, now=now) is None) is nina_ok


@pytest.mark.parametrize(
    ("comparator", "values", "held", "ok"),
    [
        ("==", [3], 3, True),
        ("!=", [3], 3, False),
        ("<", [3], 2, True),
        ("<=", [3], 4, False),
        (">", [3], 4, True),
        (">=", [3], 2, False),
        ("in", [1, 5], 5, True),
        ("exists", [], 1, True),
        ("exists", [], None, False),
        ("not_exists", [], None, True),
        ("not_exists", [], 1, False),
    ],
)
def test_granted_qualification_comparators(project, rita, walt, comparator, values, held, ok):
    qualification = qualification_create(organisation=project.organisation, name="Trusted reviewer")
    if held is not None:
        qualification_grant(qualification=qualification, worker=walt, value=held, granted_by=rita)
    project_requirement_add(
        project=project,
        subject="qualification",
        comparator=comparator,
        values=values,
        qualification=qualification,
    )
    assert (eligibility.check(project=project, worker=walt, now=timezone.now()) is None) is ok


def test_device_requirement_uses_the_device_last_seen(project, walt):
    project_requirement_add(project=project, subject="device", comparator="==", values=["phone"])
    assert eligibility.check(project=project, worker=walt, now=timezone.now()) is not None
    worker_device_record(worker=walt, user_agent="Mozilla/5.0 (Linux; Android 13) Mobile")
    assert eligibility.check(project=project, worker=walt, now=timezone.now()) is None


def test_bad_requirements_are_refused(project, rob):
    other = qualification_create(organisation=make_project(owner=rob).organisation, name="Rob's")
    cases = [
        ({"subject": "mood", "comparator": "=="}, "subject"),
        ({"subject": "country", "comparator": "~", "values": ["NG"]}, "comparator"),
        ({"subject": "country", "comparator": "<", "values": ["NG"]}, "comparator"),
        ({"subject": "country", "comparator": "==", "values": ["Nigeria"]}, "values"),
        ({"subject": "country", "comparator": "==", "values": []}, "values"),
        ({"subject": "device", "comparator": "==", "values": ["fridge"]}, "values"),
        (
            {"subject": "qualification", "comparator": "exists", "qualification": other},
            "qualification",
        ),
    ]
    for kwargs, field in cases:
        with pytest.raises(ApplicationError) as exc:
            project_requirement_add(project=project, **kwargs)
        assert exc.value.field == field
    assert not project.requirements.exists()


# --- rules ---------------------------------------------------------------------------------


def test_too_fast_warns_then_removes(project, walt, nina):
    rule_configure(
        project=project,
        rule_key="too_fast",
        params={"share": "0.3", "min_answers": 5, "grace_answers": 2},
        action="remove",
    )
    for task in make_tasks(project, 10):
        answer(task=task, worker=nina, label="cat", active_ms=10_000)
    tasks = make_tasks(project, 8)
    for task in tasks[:5]:
        answer(task=task, worker=walt, label="cat", active_ms=1_000)
    kinds = list(Decision.objects.filter(worker=walt).values_list("kind", flat=True))
    assert kinds == ["warning"]
    for task in tasks[5:7]:
        answer(task=task, worker=walt, label="cat", active_ms=1_000)
    removal = Decision.objects.get(worker=walt, kind="removal")
    assert removal.ends_at is None
    assert removal.inputs["numbers"]["project_median_ms"] == 10_000
    assert "Removed from" in eligibility.check(project=project, worker=walt, now=timezone.now())


def test_skips_in_a_row_warns_near_the_limit_and_pauses_after(project, walt):
    rule_configure(
        project=project,
        rule_key="skips_in_row",
        params={"max_skips": 3, "margin": 1},
        action="pause",
    )
    now = timezone.now()
    for i, task in enumerate(make_tasks(project, 6)):
        Assignment.objects.create(
            project=project,
            task=task,
            worker=walt,
            status=Assignment.Status.SKIPPED,
            leased_at=now + timedelta(seconds=i),
            expires_at=now + timedelta(minutes=10),
        )
        rules_evaluate(project=project, worker=walt, now=now + timedelta(seconds=i))
    kinds = list(Decision.objects.filter(worker=walt).order_by("id").values_list("kind", flat=True))
    assert kinds == ["warning", "warning", "pause"]


def test_daily_cap_warns_when_close_and_stops_at_the_cap_until_midnight_utc(project, walt):
    rule_configure(project=project, rule_key="daily_cap", params={"cap": 5, "margin": 2})
    assert RuleConfig.objects.get().action == "pause"
    tasks = make_tasks(project, 7)
    with time_machine.travel("2026-03-02 15:00:00+00:00", tick=True):
        for task in tasks[:2]:
            answer(task=task, worker=walt, label="cat")
        assert not Decision.objects.exists()
        # Two answers before the cap: warned, with what is left and when it resets.
        answer(task=tasks[2], worker=walt, label="cat")
        warning = Decision.objects.get(worker=walt)
        assert warning.kind == "warning" and warning.inputs["distance"] == 2
        assert warning.ends_at.isoformat() == "2026-03-03T00:00:00+00:00"
        assert "2 answers left today" in warning.outcome
        answer(task=tasks[3], worker=walt, label="cat")
        assert Decision.objects.filter(worker=walt).count() == 1
        assert eligibility.check(project=project, worker=walt, now=timezone.now()) is None
        # The fifth answer reaches the cap: stopped at once, not one answer later.
        answer(task=tasks[4], worker=walt, label="cat")
        pause = Decision.objects.get(worker=walt, kind="pause")
        assert pause.ends_at.isoformat() == "2026-03-03T00:00:00+00:00"
        assert pause.inputs["prior_warning"] == warning.pk
        assert "You gave 5 answers on this project today (UTC); the limit is 5 a day." in (
            pause.outcome
        )
        assert "you can work on it again from" in pause.outcome
        refusal = eligibility.check(project=project, worker=walt, now=timezone.now())
        assert "Paused on Cats or dogs until 3 Mar 2026, 00:00 UTC" in refusal
    with time_machine.travel("2026-03-03 00:00:01+00:00", tick=True):
        assert eligibility.check(project=project, worker=walt, now=timezone.now()) is None
        answer(task=tasks[5], worker=walt, label="cat")
        assert Decision.objects.filter(worker=walt).count() == 2


def test_the_daily_cap_takes_no_other_action_and_always_warns_first(project):
    with pytest.raises(ApplicationError) as exc:
        rule_configure(project=project, rule_key="daily_cap", action="remove")
    assert exc.value.field == "action"
    with pytest.raises(ApplicationError) as exc:
        rule_configure(project=project, rule_key="daily_cap", params={"margin": 0})
    assert exc.value.field == "margin"
    assert not RuleConfig.objects.exists()


def test_flag_goes_to_operators_without_blocking(project, walt):
    rule_configure(
        project=project,
        rule_key="gold_accuracy",
        params={"min_answers": 3, "grace_answers": 1},
        action="flag",
    )
    for task in make_tasks(project, 6, gold=True):
        answer(task=task, worker=walt, label="dog")
    flag = Decision.objects.get(worker=walt, kind="flag")
    assert flag.status == "active"
    # It is listed on the operators' page, and the worker may go on working meanwhile.
    assert list(dashboards.operator_overview(now=timezone.now())["flags"]) == [flag]
    assert eligibility.check(project=project, worker=walt, now=timezone.now()) is None


def test_warn_only_rule_never_pauses(project, walt):
    rule_configure(
        project=project, rule_key="gold_accuracy", params={"min_answers": 3, "grace_answers": 0}
    )
    for task in make_tasks(project, 12, gold=True):
        answer(task=task, worker=walt, label="dog")
    assert set(Decision.objects.filter(worker=walt).values_list("kind", flat=True)) == {"warning"}
    assert Decision.objects.filter(worker=walt).count() == 1


def _olga():
    from microwork.accounts import services as account_services

    # Olga is a third worker, in Karachi, so a task can have three answers.
    return account_services.worker_signup(
        username="olga",
        email="olga@example.org",
        password="olga-pass-123",
        country="PK",
        languages=["ur"],
        timezone_name="Asia/Karachi",
    )


def _labels(project, tasks, label, confidence="0.9700", answers=3):
    for t in tasks:
        label_set(task=t, label=label, confidence=confidence, answers=answers)


def test_agreement_is_with_the_aggregated_label_and_the_rule_runs_in_the_sweep(
    project, walt, nina, rita
):
    olga = _olga()
    rule_configure(
        project=project,
        rule_key="disagreement",
        params={"threshold": "0.5", "min_answers": 4, "grace_answers": 0},
        action="warn",
    )
    tasks = make_tasks(project, 5)
    # The aggregate (accuracy-weighted) says "cat", though two of three answers say "dog".
    _labels(project, tasks, "cat")
    for task in tasks:
        answer(task=task, worker=nina, label="dog")
        answer(task=task, worker=olga, label="dog")
        answer(task=task, worker=walt, label="cat")
    live = selectors.skill_for(project=project, worker=walt)
    assert (live.compared, live.agreed) == (5, 5)
    # The rule is not evaluated on each answer (too costly), only by the periodic job.
    assert not Decision.objects.exists()
    result = quality_sweep()
    assert result["evaluated"] == 3
    nina_skill = selectors.skill_for(project=project, worker=nina)
    assert (nina_skill.compared, nina_skill.agreed) == (5, 0)
    assert not Decision.objects.filter(worker=walt).exists()
    warning = Decision.objects.get(worker=nina)
    assert warning.rule_key == "disagreement"
    # The evidence shows her answer against the aggregated label and how sure it is.
    assert {(e["answer"], e["expected"], e["confidence"]) for e in warning.evidence} == {
        ("Dog", "Cat", 0.97)
    }
    assert "Agreement with the aggregated labels" in warning.outcome


def test_a_label_made_from_one_answer_is_not_compared_with(project, walt):
    task = make_tasks(project, 1)[0]
    _labels(project, [task], "dog", answers=1)
    answer(task=task, worker=walt, label="dog")
    skill = selectors.skill_for(project=project, worker=walt)
    assert (skill.compared, skill.agreed) == (0, 0)


def test_aggregation_fills_the_labels_and_a_full_run_recounts_agreement(project, walt, nina, omar):
    from microwork.aggregation.selectors import task_labels
    from microwork.aggregation.services.run_requests import aggregation_run_request
    from microwork.aggregation.services.runs import aggregation_run_execute

    olga = _olga()
    fund(project, omar)
    # Walt is careful (10 of 10 control tasks), Nina and Olga careless (0 of 10).
    for worker, label in ((walt, "cat"), (nina, "dog"), (olga, "dog")):
        for gold in make_tasks(project, 10, gold=True):
            submit(task=gold, worker=worker, label=label)
    tasks = make_tasks(project, 3)
    for task in tasks:
        submit(task=task, worker=nina, label="dog")
        submit(task=task, worker=olga, label="dog")
        submit(task=task, worker=walt, label="cat")
    # The answers weighed by accuracy say "cat"; the raw majority of the others says "dog".
    labels = task_labels(task_ids=[t.pk for t in tasks]).values()
    assert {(t.label, t.answers) for t in labels} == {("cat", 3)}
    walt_skill = selectors.skill_for(project=project, worker=walt)
    assert (walt_skill.compared, walt_skill.agreed) == (3, 3)
    # Nina answered first, against a label of her answer alone: not compared until a full
    # re-estimate recounts everyone against the final labels.
    assert selectors.skill_for(project=project, worker=nina).compared == 0
    run = aggregation_run_request(project=project)
    aggregation_run_execute(run_id=run.pk)
    labels = task_labels(task_ids=[t.pk for t in tasks]).values()
    assert len([t for t in labels if t.method == run.method]) == 3
    nina_skill = selectors.skill_for(project=project, worker=nina)
    assert (nina_skill.compared, nina_skill.agreed) == (3, 0)
    assert selectors.skill_for(project=project, worker=walt).agreed == 3


# --- gold reveal -------------------------------------------------------------------------


def test_missed_gold_is_revealed_after_the_delay_but_never_the_gold_before_answering(project, walt):
    task = make_tasks(project, 1, gold=True)[0]
    sub = answer(task=task, worker=walt, label="dog")
    # Not listed at all before a feedback release covers it: the row itself would be a tell.
    assert selectors.missed_gold(worker=walt, now=sub.submitted_at + timedelta(hours=25)) == []
    release(project=project, worker=walt)
    rows = selectors.missed_gold(worker=walt, now=sub.submitted_at + timedelta(hours=1))
    assert rows[0]["shown"] is False and rows[0]["evidence"] is None
    rows = selectors.missed_gold(worker=walt, now=sub.submitted_at + timedelta(hours=25))
    assert rows[0]["shown"] is True and rows[0]["evidence"]["expected"] == "Cat"


def test_batch_reveal_waits_for_the_batch_to_finish(project, walt):
    quality_settings_update(project=project, reveal="batch")
    gold = make_tasks(project, 1, gold=True)[0]
    open_task = make_tasks(project, 1, batch=gold.batch)[0]
    answer(task=gold, worker=walt, label="dog")
    release(project=project, worker=walt)
    assert selectors.missed_gold(worker=walt, now=timezone.now())[0]["shown"] is False
    type(open_task).objects.filter(pk=open_task.pk).update(done=True)
    assert selectors.missed_gold(worker=walt, now=timezone.now())[0]["shown"] is True


# --- decisions, rejections and appeals ----------------------------------------------------


def _warning(project, worker):
    return decision_record(
        worker=worker,
        project=project,
        kind="warning",
        rule_key="gold_accuracy",
        inputs={"value": 0.7, "threshold": 0.8, "distance": -0.1, "numbers": {}, "breached": True},
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(days=14),
    )


def test_appeal_refusals_change_nothing(project, walt, nina):
    decision = _warning(project, walt)
    with pytest.raises(Forbidden):
        quality_appeals.appeal_create(worker=nina, decision=decision, message="Not mine but unfair")
    with pytest.raises(ApplicationError) as exc:
        quality_appeals.appeal_create(worker=walt, decision=decision, message="  ")
    assert exc.value.field == "message"
    with pytest.raises(ApplicationError) as exc:
        quality_appeals.appeal_create(
            worker=walt,
            decision=decision,
            message="late",
            now=decision.starts_at + timedelta(days=31),
        )
    assert exc.value.code == "appeal_window_closed"
    assert not Appeal.objects.exists()
    quality_appeals.appeal_create(worker=walt, decision=decision, message="The gold is wrong.")
    with pytest.raises(Conflict) as exc:
        quality_appeals.appeal_create(worker=walt, decision=decision, message="Again!")
    assert exc.value.code == "already_appealed"
    assert Appeal.objects.count() == 1


def test_upheld_appeal_is_explained_and_notified(project, walt, rita):
    decision = _warning(project, walt)
    appeal = quality_appeals.appeal_create(worker=walt, decision=decision, message="Unfair")
    assert Notification.objects.filter(user=rita, kind="appeal_received").exists()
    with pytest.raises(ApplicationError) as exc:
        quality_appeals.appeal_decide(appeal=appeal, actor=rita, reverse=False, response="")
    assert exc.value.field == "response"
    quality_appeals.appeal_decide(
        appeal=appeal, actor=rita, reverse=False, response="Seven misses of ten."
    )
    appeal.refresh_from_db()
    decision.refresh_from_db()
    assert appeal.status == "upheld" and decision.status == "active"
    note = Notification.objects.get(user=walt, kind="appeal_upheld")
    assert note.params["response"] == "Seven misses of ten."
    with pytest.raises(Conflict):
        quality_appeals.appeal_decide(
            appeal=appeal, actor=rita, reverse=True, response="Changed my mind"
        )


def _pending(project, worker, n):
    return [submit(task=t, worker=worker, label="cat") for t in make_tasks(project, n)]


def test_an_undefended_rejection_is_paid_after_the_deadline_and_others_escalate(
    project, walt, rita, omar
):
    from microwork.ledger.services.deposits import deposit_record

    deposit_record(
        organisation=project.organisation, amount="10", currency="USD", reference="w", actor=omar
    )
    sub = _pending(project, walt, 1)[0]
    rejection = review_services.submission_reject(
        submission=sub, requester=rita, reason_code="incomplete", confirm=True
    )
    warning = _warning(project, walt)
    a1 = quality_appeals.appeal_create(worker=walt, decision=rejection, message="It was complete.")
    a2 = quality_appeals.appeal_create(worker=walt, decision=warning, message="Unfair.")
    assert quality_appeals.appeals_escalate(now=timezone.now() + timedelta(hours=71)) == {
        "paid": 0,
        "escalated": 0,
    }
    result = quality_appeals.appeals_escalate(now=timezone.now() + timedelta(hours=73))
    assert result == {"paid": 1, "escalated": 1}
    a1.refresh_from_db()
    a2.refresh_from_db()
    sub.refresh_from_db()
    assert a1.status == "reversed" and sub.status == "approved"
    assert a2.status == "escalated" and a2.route == "operator"
    assert Notification.objects.filter(user=omar, kind="appeal_received").exists()
    quality_appeals.appeal_decide(
        appeal=a2, actor=omar, reverse=True, response="Reviewed, reversed."
    )
    warning.refresh_from_db()
    assert warning.status == "reversed"


def test_suspended_worker_keeps_standing_page_and_can_appeal_to_operators(
    client, project, walt, omar
):
    from django.urls import reverse

    with pytest.raises(Forbidden):
        account_suspend(operator=walt, worker=walt, reason="x")
    suspension = account_suspend(operator=omar, worker=walt, reason="Shared account")
    assert "Account suspended" in eligibility.check(
        project=project, worker=walt, now=timezone.now()
    )
    client.force_login(walt)
    page = client.get(reverse("quality:standing"))
    assert page.status_code == 200 and b"Account suspended" in page.content
    detail = client.get(reverse("quality:decision", args=[suspension.pk]))
    assert b"Send appeal" in detail.content
    client.post(reverse("quality:appeal_create", args=[suspension.pk]), {"message": "Not shared."})
    appeal = Appeal.objects.get(decision=suspension)
    assert appeal.route == "operator"
    client.force_login(omar)
    assert b"Not shared." in client.get(reverse("quality:operator")).content


def test_pauses_expire_and_the_worker_is_told(project, walt):
    now = timezone.now()
    pause = decision_record(
        worker=walt,
        project=project,
        kind="pause",
        inputs={},
        starts_at=now,
        ends_at=now + timedelta(hours=1),
    )
    assert eligibility.check(project=project, worker=walt, now=now) is not None
    assert eligibility.check(project=project, worker=walt, now=now + timedelta(hours=2)) is None
    assert decisions_expire(now=now + timedelta(hours=2)) == 1
    pause.refresh_from_db()
    assert pause.status == "expired"
    assert Notification.objects.filter(user=walt, kind="decision_expired").exists()


def test_the_hook_counts_through_the_work_engine(project, walt, omar):
    fund(project, omar)
    gold = make_tasks(project, 1, gold=True)[0]
    sub = submit(task=gold, worker=walt, label="dog")
    assert sub.gold_correct is False
    skill = selectors.skill_for(project=project, worker=walt)
    assert (skill.answers, skill.gold_answers, skill.gold_correct) == (1, 1, 0)
    assert Submission.objects.count() == 1


def test_a_required_training_is_named_in_the_refusal(project, walt):
    gold = make_tasks(project, 2, gold=True)
    training = exams.qualification_test_create(
        project=project,
        name="Practice round",
        mode="training",
        task_ids=[t.pk for t in gold],
        question_count=2,
        pass_mark="0",
        required=True,
    )
    assert "Finish the paid training “Practice round” first" in eligibility.check(
        project=project, worker=walt, now=timezone.now()
    )
    attempt = exams.test_attempt_start(test=training, worker=walt)
    for pos in (1, 2):
        exams.test_answer_submit(attempt=attempt, position=pos, answer="dog", active_ms=1000)
    # Training is passed by finishing it, right or wrong.
    assert eligibility.check(project=project, worker=walt, now=timezone.now()) is None


def test_operator_suspends_from_the_page_and_lifts(client, project, walt, omar):
    from django.urls import reverse

    client.force_login(omar)
    r = client.post(reverse("quality:operator_suspend"), {"username": "walt", "reason": ""})
    assert r.status_code == 302 and not Decision.objects.exists()
    client.post(
        reverse("quality:operator_suspend"),
        {"username": "walt", "reason": "Many accounts from one device", "days": "7"},
    )
    suspension = Decision.objects.get(kind="suspension")
    assert (suspension.ends_at - suspension.starts_at).days == 7
    assert eligibility.check(project=project, worker=walt, now=timezone.now()) is not None
    client.post(reverse("quality:operator_lift", args=[suspension.pk]), {"reason": "Verified"})
    suspension.refresh_from_db()
    assert suspension.status == "reversed"
    assert eligibility.check(project=project, worker=walt, now=timezone.now()) is None


def test_a_paused_worker_cannot_start_the_projects_test(project, walt):
    test = _test(project, n=1)
    decision_record(
        worker=walt,
        project=project,
        kind="pause",
        inputs={},
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
    )
    with pytest.raises(Forbidden) as exc:
        exams.test_attempt_start(test=test, worker=walt)
    assert "Paused on Cats or dogs" in exc.value.message
    assert not TestAttempt.objects.exists()


# --- rejections and their money ------------------------------------------------------------


def test_a_rejection_and_its_reversal_move_the_money_with_the_decision(project, walt, rita, omar):
    from microwork.payments.models import SubmissionReview

    fund(project, omar)
    sub = _pending(project, walt, 1)[0]
    rejection = review_services.submission_reject(
        submission=sub, requester=rita, reason_code="incomplete", note="Half done", confirm=True
    )
    review = SubmissionReview.objects.get(submission=sub, action="rejected")
    # The money record points at the decision the worker reads and appeals.
    assert review.inputs == {"decision_id": rejection.pk}
    appeal = quality_appeals.appeal_create(
        worker=walt, decision=rejection, message="It was complete."
    )
    quality_appeals.appeal_decide(
        appeal=appeal, actor=rita, reverse=True, response="Right, it was."
    )
    sub.refresh_from_db()
    assert sub.status == "approved"
    overturn = SubmissionReview.objects.get(submission=sub, action="overturned")
    # The reason of the reversal, not the note of the rejection.
    assert (overturn.rule, overturn.note) == ("appeal", "Right, it was.")
    assert overturn.inputs == {"decision_id": rejection.pk}


def test_a_reversal_the_requester_cannot_pay_changes_nothing(project, walt, rita, omar):
    from microwork.ledger.models import Account

    fund(project, omar, amount="0.10")
    sub = _pending(project, walt, 1)[0]
    rejection = review_services.submission_reject(
        submission=sub, requester=rita, reason_code="spam", confirm=True
    )
    appeal = quality_appeals.appeal_create(worker=walt, decision=rejection, message="Not spam.")
    # Rita's money is gone by the time she agrees: nothing may change without the pay.
    Account.objects.filter(organisation=project.organisation).update(balance=0)
    with pytest.raises(ApplicationError) as exc:
        quality_appeals.appeal_decide(appeal=appeal, actor=rita, reverse=True, response="Fair.")
    assert exc.value.code == "insufficient_funds"
    sub.refresh_from_db()
    rejection.refresh_from_db()
    appeal.refresh_from_db()
    assert (sub.status, rejection.status, appeal.status) == ("rejected", "active", "open")


# --- rules the pages share with the services ----------------------------------------------


def test_the_page_offers_an_appeal_exactly_while_the_service_takes_one(project, walt):
    decision = _warning(project, walt)
    last = decision.appeal_until
    assert last == decision.starts_at + timedelta(days=30)
    assert dashboards.decision_appeal_state(decision=decision, now=last)["can_appeal"] is True
    late = last + timedelta(seconds=1)
    assert dashboards.decision_appeal_state(decision=decision, now=late)["can_appeal"] is False
    with pytest.raises(ApplicationError):
        quality_appeals.appeal_create(worker=walt, decision=decision, message="Late", now=late)
    quality_appeals.appeal_create(worker=walt, decision=decision, message="Just in time", now=last)
    assert dashboards.decision_appeal_state(decision=decision, now=last)["can_appeal"] is False


def test_a_typed_in_grant_value_and_suspension_length_are_checked_by_the_services(
    project, walt, omar
):
    qualification = qualification_create(organisation=project.organisation, name="Trusted")
    with pytest.raises(ApplicationError) as exc:
        qualification_grant(qualification=qualification, worker=walt, value="lots", granted_by=None)
    assert exc.value.field == "value"
    grant = qualification_grant(
        qualification=qualification, worker=walt, value=" -2 ", granted_by=None
    )
    assert grant.value == -2
    with pytest.raises(ApplicationError) as exc:
        account_suspend(operator=omar, worker=walt, reason="Shared", days="a week")
    assert exc.value.field == "days"
    now = timezone.now()
    suspension = account_suspend(operator=omar, worker=walt, reason="Shared", days="7", now=now)
    assert suspension.ends_at == now + timedelta(days=7)


def test_a_recount_writes_only_the_counters(project, walt):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answer(task=make_tasks(project, 1, gold=True)[0], worker=walt, label="cat")
    with CaptureQueriesContext(connection) as queries:
        skill_recompute(project=project, worker=walt)
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    # rules_since is set by a reversal; a recount racing it must not write the old value back.
    assert updates and all("rules_since" not in sql for sql in updates)
