from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces.base import RowError, TaskInterface, invalid

DEFAULT_SCALE = ["Irrelevant", "Somewhat relevant", "Highly relevant", "Perfect"]


class GradedRelevance(TaskInterface):
    """A query, a result, and a 0–3 or 0–4 scale with a label on each point."""

    key = "graded_relevance"
    title = gettext_lazy("Graded relevance (query, result, 0–3 or 0–4 scale)")
    input_fields = ("query", "result_title")
    optional_fields = ("result_url", "result_snippet")
    template_name = "projects/interfaces/graded_relevance.html"
    config_example = {"scale": DEFAULT_SCALE}

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        scale = config.get("scale") or DEFAULT_SCALE
        if not isinstance(scale, list) or len(scale) not in (4, 5):
            raise ApplicationError(
                _("The scale has 4 points (0–3) or 5 points (0–4), one label each."),
                field="scale",
            )
        scale = [str(s).strip() for s in scale]
        if not all(scale):
            raise ApplicationError(_("Every point of the scale needs a label."), field="scale")
        return {"scale": scale, "question": str(config.get("question") or "").strip()}

    def check_input(self, config: Mapping[str, Any], row: Mapping[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for name in self.input_fields:
            value = str(row.get(name) or "").strip()
            if not value:
                raise RowError(name, _("is empty"))
            data[name] = value
        url = str(row.get("result_url") or "").strip()
        if url:
            if not url.startswith(("http://", "https://")):
                raise RowError("result_url", _("must start with http:// or https://"))
            data["result_url"] = url
        snippet = str(row.get("result_snippet") or "").strip()
        if snippet:
            data["result_snippet"] = snippet
        return data

    def check_answer(self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any) -> int:
        top = len(config["scale"]) - 1
        if isinstance(answer, Mapping):
            answer = answer.get("grade")
        if isinstance(answer, str) and answer.strip().lstrip("-").isdigit():
            answer = int(answer.strip())
        if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= top:
            raise invalid("grade", _("Give a whole number from 0 to %(top)d.") % {"top": top})
        return answer

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        return post.get("grade")

    def label_values(self, config: Mapping[str, Any]) -> list[str]:
        return [str(i) for i in range(len(config["scale"]))]
