from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from microwork.projects.interfaces.base import TaskInterface
from microwork.projects.interfaces.fields import Lines, Text

DEFAULT_SCALE = ["Irrelevant", "Somewhat relevant", "Highly relevant", "Perfect"]
SCALE_MESSAGE = _("The scale has 4 points (0–3) or 5 points (0–4), one label each.")


class GradedRelevance(TaskInterface):
    """A query, a result, and a 0–3 or 0–4 scale with a label on each point."""

    key = "graded_relevance"
    title = _("Graded relevance (query, result, 0–3 or 0–4 scale)")
    description = _(
        "A search query and one result; the worker grades how well the result answers it."
    )
    template_name = "projects/interfaces/graded_relevance.html"
    config_fields = (
        Lines(
            name="scale",
            label=_("Graded scale"),
            help=_("4 or 5 lines, from the lowest grade (0) up."),
            default=DEFAULT_SCALE,
            min_items=4,
            max_items=5,
            message=SCALE_MESSAGE,
            item_message=_("Every point of the scale needs a label."),
        ),
        Text(
            name="question",
            label=_("Question"),
            help=_("Optional; shown above every task."),
            required=False,
            max_length=500,
        ),
    )
    input_schema = {
        "type": "object",
        "properties": {
            "query": {
                "type": "string",
                "minLength": 1,
                "maxLength": 2_000,
                "description": _("What the user searched for."),
            },
            "result_title": {
                "type": "string",
                "minLength": 1,
                "maxLength": 2_000,
                "description": _("The title of the result to grade."),
            },
            "result_url": {
                "type": "string",
                "format": "uri",
                "maxLength": 2_000,
                "description": _("The result's address, shown under its title."),
            },
            "result_snippet": {
                "type": "string",
                "maxLength": 20_000,
                "description": _("The text shown with the result."),
            },
        },
        "required": ["query", "result_title"],
        "examples": [{"query": "cheap flights", "result_title": "Flights from £9"}],
    }
    answer_field = "grade"
    example = {
        "config": {
            "scale": DEFAULT_SCALE,
            "question": "How well does the result answer the query?",
        },
        "data": {
            "query": "cheap flights to Lagos",
            "result_title": "Flights to Lagos from 89 USD",
            "result_url": "https://travel.example/lagos",
        },
        "answer": 2,
    }
    answer_schema = {
        "type": "integer",
        "minimum": 0,
        "maximum": 4,
        "description": _(
            'A grade from 0 up to the top of the project\'s scale (3 or 4): 2 (or {"grade": 2}).'
        ),
        "examples": [2],
    }

    def answer_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        message = _("Give a whole number from 0 to %(maximum)d.")
        return {
            **self.answer_schema,
            "maximum": len(config["scale"]) - 1,
            "errorMessage": {"type": message, "minimum": message, "maximum": message},
        }

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        scale = config.get("scale") or []
        if isinstance(answer, int) and 0 <= answer < len(scale):
            return f"{answer} · {scale[answer]}"
        return str(answer)
