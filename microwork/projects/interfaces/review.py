"""Checking another answer: the worker reads a task and the answer given to it, then accepts
or rejects it with a reason. Peer review sends each answer of a reviewed kind here (the review
app's companion project; the original task is in the data's `source`, shown with its own
kind's view); a requester may also post answers to check directly, as text."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.projects.interfaces.base import TaskInterface, invalid
from microwork.projects.interfaces.fields import Text

ACCEPT = "accept"
REJECT = "reject"
VERDICTS = (ACCEPT, REJECT)
MAX_REASON = 1000


class AnswerReview(TaskInterface):
    key = "answer_review"
    title = gettext_lazy("Answer review (accept or reject another answer, with a reason)")
    description = gettext_lazy(
        "A task and the answer given to it; the worker accepts the answer or rejects it and "
        "says why."
    )
    template_name = "projects/interfaces/answer_review.html"
    view_template_name = "projects/interfaces/answer_review_view.html"
    config_fields = (
        Text(
            name="question",
            label=gettext_lazy("Question"),
            help=gettext_lazy("Optional; shown above every task."),
            required=False,
            max_length=500,
        ),
    )
    input_schema = {
        "type": "object",
        "properties": {
            "checked_answer": {
                "type": "string",
                "minLength": 1,
                "maxLength": 20_000,
                "description": gettext_lazy("The answer to check, as text."),
            },
            "text": {
                "type": "string",
                "maxLength": 20_000,
                "description": gettext_lazy("The task the answer was given to: its text."),
            },
        },
        "required": ["checked_answer"],
        "examples": [{"text": "Translate: good morning", "checked_answer": "bonjour"}],
    }
    answer_schema = {
        "type": "object",
        "properties": {
            "verdict": {
                "type": "string",
                "enum": list(VERDICTS),
                "description": gettext_lazy("accept or reject"),
            },
            "reason": {
                "type": "string",
                "maxLength": MAX_REASON,
                "description": gettext_lazy("Why; required when rejecting."),
            },
        },
        "required": ["verdict"],
        "description": gettext_lazy(
            '{"verdict": "accept"} or {"verdict": "reject", "reason": "…"}: a rejection says why.'
        ),
        "examples": [{"verdict": "reject", "reason": "The second sentence is missing."}],
    }
    example = {
        "config": {"question": "Is this transcript faithful to the recording's text?"},
        "data": {
            "text": "Good morning, the meeting moves to Thursday at ten.",
            "checked_answer": "Good morning, the meeting moves to Tuesday at ten.",
        },
        "answer": {"verdict": "reject", "reason": "It says Tuesday; the text says Thursday."},
    }

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        answer = {"reason": post.get("reason", "")}
        if post.get("verdict"):
            answer["verdict"] = post.get("verdict")
        return answer

    def normalise_answer(self, config: Mapping[str, Any], answer: Any) -> Any:
        reason = answer.get("reason", "")
        if answer["verdict"] == REJECT and not reason:
            raise invalid("answer.reason", _("Say why you reject this answer."))
        return {"verdict": answer["verdict"], "reason": reason}

    def answer_key(self, answer: Any) -> Any:
        # The verdict is the answer; two reviewers agree whatever words they chose.
        if isinstance(answer, Mapping):
            return answer.get("verdict")
        return answer

    def answer_label(self, answer: Any) -> str:
        return str(self.answer_key(answer))

    def label_values(self, config: Mapping[str, Any]) -> list[str] | None:
        return list(VERDICTS)

    def label_value(self, label: str) -> Any:
        return {"verdict": label, "reason": ""} if label in VERDICTS else None

    def content_summary(self, config: Mapping[str, Any], data: Mapping[str, Any]) -> str:
        """The answer being checked, after the task it answers when that is known."""
        checked = str(data.get("checked_answer") or "")[:120]
        task = str(data.get("text") or "")[:80]
        return f"{task} → {checked}" if task else checked

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        return verdict_text(answer)


def verdict_text(answer: Any) -> str:
    """A verdict in words: "Accepted", or "Rejected: <reason>"."""
    if not isinstance(answer, Mapping):
        return str(answer)
    if answer.get("verdict") == ACCEPT:
        return _("Accepted") + (f" ({answer['reason']})" if answer.get("reason") else "")
    if answer.get("verdict") == REJECT:
        return _("Rejected: %(reason)s") % {"reason": answer.get("reason", "")}
    return str(answer.get("verdict", ""))
