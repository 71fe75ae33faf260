"""The built-in approval rules: a requester may approve answers at once, before the approval
period ends, when the numbers leave little doubt. Each returns the numbers it approved on."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from microwork.projects.interfaces import get_interface
from microwork.quality.feedback import latest_release
from microwork.quality.rules.base import ApprovalRule, Param


class TrustedWorker(ApprovalRule):
    key = "trusted_worker"
    title = _("Approve trusted workers at once")
    description = _(
        "Approves every answer of a worker whose accuracy on control tasks is at least the set "
        "share even at the low end of its 90 % credible range, on at least the set number of "
        "control answers."
    )
    params = (
        Param("threshold", "share", 0.9, _("Lowest accuracy (the low end of the range)")),
        Param("min_answers", "int", 20, _("On at least this many control answers"), minimum=1),
    )

    def verdict(self, *, submission, skill, label, params) -> dict[str, Any] | None:
        # The worker's released figures, not the live ones: an approval that began with one
        # answer would say that answer was a right control (quality/feedback.py).
        skill = latest_release(project=submission.project, worker=submission.worker)
        if skill is None or skill.gold_answers < params["min_answers"]:
            return None
        accuracy = skill.accuracy
        if accuracy.low < params["threshold"]:
            return None
        return {
            "correct": skill.gold_correct,
            "total": skill.gold_answers,
            "low": round(accuracy.low, 4),
        }


class AgreesWithLabel(ApprovalRule):
    key = "agrees_with_label"
    title = _("Approve answers that match a confident label at once")
    description = _(
        "Approves an answer that matches its task's aggregated label when the label is at least "
        "this sure and made from at least the set number of answers."
    )
    params = (
        Param("min_confidence", "share", 0.95, _("Lowest confidence of the label")),
        Param(
            "min_task_answers",
            "int",
            2,
            _("The label comes from at least this many answers"),
            minimum=2,
        ),
    )

    def verdict(self, *, submission, skill, label, params) -> dict[str, Any] | None:
        # A control task's label is its expected answer: approving a match at once would tell
        # the worker, answer by answer, which controls they got right.
        if submission.task.is_gold:
            return None
        if label is None or label.label is None or label.confidence is None:
            return None
        if label.answers < params["min_task_answers"]:
            return None
        if float(label.confidence) < params["min_confidence"]:
            return None
        interface = get_interface(submission.project.interface)
        try:
            matches = interface.label_agrees(
                submission.project.config, submission.answer, label.label
            )
        except (TypeError, ValueError, KeyError):
            return None
        if not matches:
            return None
        return {
            "label": label.label,
            "confidence": float(label.confidence),
            "answers": label.answers,
            "method": label.method,
        }
