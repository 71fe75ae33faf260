"""Pairwise comparison: two items side by side (two AI answers to one prompt, two pictures),
and the worker says which is better, or, when the project allows it, that they are equally
good or both bad, with a reason when asked.

Each task's answers are a class like any choice (`choice`), so the project's method gives
each pair its winner; across tasks, the things being compared (`a_id`/`b_id`, by default the
text or picture itself) are ranked with Bradley–Terry (aggregation/ranking.py).

Sides are shown as the row gives them: a requester who wants to cancel out a preference for
the left side shuffles which item is `a` when making the rows."""

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from microwork.projects.interfaces.base import RowError, TaskInterface
from microwork.projects.interfaces.fields import Choice, Flag, Integer, Text

CHOICES = ("a", "b", "tie", "both_bad")
REASON_MODES = ("none", "optional", "required")
MAX_TEXT = 20_000
MAX_REASON = 2_000

CHOICE_TEXTS = {
    "a": _("A is better"),
    "b": _("B is better"),
    "tie": _("About the same"),
    "both_bad": _("Both are bad"),
}


def _side(name: str, what: Any) -> dict[str, Any]:
    return {
        f"{name}_text": {
            "type": "string",
            "maxLength": MAX_TEXT,
            "description": what["text"],
        },
        f"{name}_image_url": {
            "type": "string",
            "format": "uri-reference",
            "maxLength": 2_000,
            "description": what["image"],
        },
        f"{name}_id": {
            "type": "string",
            "maxLength": 200,
            "description": what["id"],
        },
    }


class Pairwise(TaskInterface):
    key = "pairwise"
    title = _("Pairwise comparison (which of two is better)")
    description = _(
        "Two answers, texts or pictures side by side; the worker says which is better "
        "(optionally: about the same, or both bad, with a reason). The items are ranked "
        "with Bradley–Terry across all tasks."
    )
    template_name = "projects/interfaces/pairwise.html"
    view_template_name = "projects/interfaces/pairwise_view.html"
    scripts = ("projects/pairwise.js",)
    config_fields = (
        Text(
            name="question",
            label=_("Question"),
            help=_("Shown above every pair, e.g. Which answer is more helpful?"),
            max_length=500,
            message=_("Write the question workers answer."),
        ),
        Flag(
            name="allow_tie",
            label=_('Offer "about the same"'),
            help=_("Workers may say neither side is better."),
        ),
        Flag(
            name="allow_both_bad",
            label=_('Offer "both are bad"'),
            help=_("Workers may say that neither side is acceptable."),
        ),
        Choice(
            name="reason",
            label=_("Reason"),
            help=_("Whether workers write why they chose."),
            required=False,
            default="none",
            choices=(
                ("none", _("Not asked")),
                ("optional", _("Optional")),
                ("required", _("Required")),
            ),
            message=_("The reason setting is one of: none, optional, required."),
        ),
        Integer(
            name="reason_max_length",
            label=_("Longest reason (characters)"),
            help=_("From 10 to 2000."),
            required=False,
            default=500,
            minimum=10,
            maximum=MAX_REASON,
            message=_("The longest reason is a whole number from 10 to 2000 characters."),
        ),
    )
    input_schema = {
        "type": "object",
        "properties": {
            "prompt": {
                "type": "string",
                "maxLength": MAX_TEXT,
                "description": _("Optional: what both items answer (the question put to an AI)."),
            },
            **_side(
                "a",
                {
                    "text": _("Item A as text (or give a_image_url)."),
                    "image": _("Item A as a picture: an http(s) URL or a path starting with /."),
                    "id": _(
                        "What item A is, for the ranking (a model's name, an answer's id); "
                        "by default its text or picture."
                    ),
                },
            ),
            **_side(
                "b",
                {
                    "text": _("Item B as text (or give b_image_url)."),
                    "image": _("Item B as a picture: an http(s) URL or a path starting with /."),
                    "id": _("What item B is, for the ranking; by default its text or picture."),
                },
            ),
        },
        "required": [],
        # Each side needs a text or a picture: one of these four pairs in full.
        "anyOf": [
            {"required": ["a_text", "b_text"]},
            {"required": ["a_text", "b_image_url"]},
            {"required": ["a_image_url", "b_text"]},
            {"required": ["a_image_url", "b_image_url"]},
        ],
        "examples": [
            {
                "prompt": "How do I boil an egg?",
                "a_text": "Put it in boiling water for 8 minutes.",
                "a_id": "model-x",
                "b_text": "Eggs are laid by hens.",
                "b_id": "model-y",
            }
        ],
    }
    answer_schema = {
        "type": "object",
        "properties": {
            "choice": {"type": "string", "enum": list(CHOICES)},
            "reason": {"type": "string", "maxLength": MAX_REASON},
        },
        "required": ["choice"],
        "description": _(
            'Which side is better: {"choice": "a" or "b" (or "tie", "both_bad" when the '
            'project offers them), "reason": "…"}; "b" alone is taken for {"choice": "b"}.'
        ),
        "examples": [{"choice": "b", "reason": "A does not answer the question."}],
    }
    example = {
        "config": {
            "question": "Which answer is more helpful?",
            "allow_tie": True,
            "allow_both_bad": True,
            "reason": "optional",
        },
        "data": {
            "prompt": "How long should I boil an egg for a runny yolk?",
            "a_text": "About six minutes in water that is already boiling.",
            "a_id": "model-alpha",
            "b_text": "Eggs come from hens and ducks.",
            "b_id": "model-beta",
        },
        "answer": {"choice": "a", "reason": "B does not answer the question."},
    }

    # --- inputs -------------------------------------------------------------------------------

    def check_input(self, config: Mapping[str, Any], row: Mapping[str, Any]) -> dict[str, Any]:
        for side in ("a", "b"):
            if all(_blank(row.get(f"{side}_{kind}")) for kind in ("text", "image_url")):
                raise RowError(
                    f"{side}_text",
                    str(_("give %(text)s or %(image)s"))
                    % {"text": f"{side}_text", "image": f"{side}_image_url"},
                )
        data = super().check_input(config, row)
        a_id, b_id = self.compared_items(data)
        if a_id == b_id:
            raise RowError("b_id", str(_("is the same item as A: compare two different items")))
        return data

    def compared_items(self, data: Mapping[str, Any]) -> tuple[str, str]:
        """What the task compares, for the ranking: (item A, item B)."""
        return _item(data, "a"), _item(data, "b")

    # --- config -------------------------------------------------------------------------------

    def allowed_choices(self, config: Mapping[str, Any]) -> list[str]:
        out = ["a", "b"]
        if config.get("allow_tie"):
            out.append("tie")
        if config.get("allow_both_bad"):
            out.append("both_bad")
        return out

    def label_values(self, config: Mapping[str, Any]) -> list[str]:
        return self.allowed_choices(config)

    def choice_options(self, config: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The buttons a worker sees: value, words, and the keys that pick it."""
        keys = {"a": "1", "b": "2", "tie": "3", "both_bad": "4"}
        return [
            {"value": value, "text": CHOICE_TEXTS[value], "key": keys[value]}
            for value in self.allowed_choices(config)
        ]

    # --- answers ------------------------------------------------------------------------------

    def answer_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        choose = _("Choose one of: %(values)s.")
        mode = config.get("reason") or "none"
        longest = int(config.get("reason_max_length") or 500)
        reason: dict[str, Any] = {
            "type": "string",
            "maxLength": longest,
            "errorMessage": {
                "type": _("Write the reason as text."),
                "maxLength": _("Keep the reason to %(maxLength)d characters."),
                "minLength": _("Say why you chose."),
                "required": _("Say why you chose."),
            },
        }
        if mode == "required":
            reason["minLength"] = 1
        return {
            **self.answer_schema,
            "properties": {
                "choice": {
                    "type": "string",
                    "enum": self.allowed_choices(config),
                    "errorMessage": {"type": choose, "enum": choose, "required": choose},
                },
                "reason": reason,
            },
            "required": ["choice", "reason"] if mode == "required" else ["choice"],
            "errorMessage": {"type": _('Send {"choice": "a"} or {"choice": "b"}.')},
        }

    def prepare_answer(self, config: Mapping[str, Any], answer: Any) -> Any:
        if isinstance(answer, str):
            return {"choice": answer}
        return answer

    def normalise_answer(self, config: Mapping[str, Any], answer: Any) -> dict[str, str]:
        reason = answer.get("reason", "") if config.get("reason") not in (None, "none") else ""
        return {"choice": answer["choice"], "reason": reason}

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        return {"choice": post.get("choice"), "reason": post.get("reason", "")}

    def answer_key(self, answer: Any) -> Any:
        # The same choice is the same answer, whatever the reason says.
        if isinstance(answer, Mapping):
            return answer.get("choice")
        return answer

    def answer_label(self, answer: Any) -> str:
        return str(self.answer_key(answer))

    def label_value(self, label: str) -> Any:
        return {"choice": label, "reason": ""}

    def content_summary(self, config: Mapping[str, Any], data: Mapping[str, Any]) -> str:
        """The two items side by side: each one's text, else its id, else "picture"."""

        def side(key: str) -> str:
            return str(
                data.get(f"{key}_text")
                or data.get(f"{key}_id")
                or (_("picture") if data.get(f"{key}_image_url") else "")
            )[:90]

        prompt = str(data.get("prompt") or "")[:90]
        pair = f"A: {side('a')} · B: {side('b')}"
        return f"{prompt} · {pair}" if prompt else pair

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        choice = self.answer_label(answer)
        text = str(CHOICE_TEXTS.get(choice, choice))
        reason = answer.get("reason") if isinstance(answer, Mapping) else ""
        return f"{text} — {reason}" if reason else text


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _item(data: Mapping[str, Any], side: str) -> str:
    for name in (f"{side}_id", f"{side}_text", f"{side}_image_url"):
        value = data.get(name)
        if not _blank(value):
            return str(value).strip()
    return ""
