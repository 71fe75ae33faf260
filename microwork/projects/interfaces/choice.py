from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces.base import RowError, TaskInterface, invalid

MAX_LABELS = 50


def _check_labels(config: Mapping[str, Any]) -> list[dict[str, str]]:
    raw = config.get("labels")
    if not isinstance(raw, list) or len(raw) < 2:
        raise ApplicationError(
            _("List at least two labels, one per line (value, or value|shown text)."),
            field="labels",
        )
    if len(raw) > MAX_LABELS:
        raise ApplicationError(_("At most %(n)d labels.") % {"n": MAX_LABELS}, field="labels")
    labels: list[dict[str, str]] = []
    seen: set[str] = set()
    for item in raw:
        if isinstance(item, str):
            value, _sep, text = item.partition("|")
            item = {"value": value, "text": text or value}
        if not isinstance(item, Mapping) or not str(item.get("value", "")).strip():
            raise ApplicationError(_("Each label needs a value."), field="labels")
        value = str(item["value"]).strip()
        if value in seen:
            raise ApplicationError(
                _("Label %(value)s appears twice.") % {"value": value}, field="labels"
            )
        seen.add(value)
        labels.append({"value": value, "text": str(item.get("text") or value).strip()})
    return labels


def _check_image_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("http", "https", "") or (parsed.scheme and not parsed.netloc):
        raise RowError("image_url", _("must be an http(s) URL or a path starting with /"))
    if not parsed.scheme and not value.startswith("/"):
        raise RowError("image_url", _("must be an http(s) URL or a path starting with /"))
    return value


class _Choice(TaskInterface):
    input_fields = ()
    optional_fields = ("text", "image_url")
    config_example = {
        "question": "Is this image acceptable?",
        "labels": ["ok|Acceptable", "gory|Gory"],
    }

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        question = str(config.get("question", "")).strip()
        if not question:
            raise ApplicationError(_("Write the question workers answer."), field="question")
        return {"question": question, "labels": _check_labels(config)}

    def check_input(self, config: Mapping[str, Any], row: Mapping[str, Any]) -> dict[str, Any]:
        text = str(row.get("text") or "").strip()
        image = str(row.get("image_url") or "").strip()
        if not text and not image:
            raise RowError("text", _("give text, image_url or both"))
        data: dict[str, Any] = {}
        if text:
            data["text"] = text
        if image:
            data["image_url"] = _check_image_url(image)
        return data

    def label_values(self, config: Mapping[str, Any]) -> list[str]:
        return [label["value"] for label in config.get("labels", [])]


class SingleChoice(_Choice):
    key = "single_choice"
    title = gettext_lazy("Single choice (text and/or image)")
    template_name = "projects/interfaces/single_choice.html"

    def check_answer(self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any) -> str:
        values = self.label_values(config)
        if isinstance(answer, Mapping):
            answer = answer.get("label")
        if not isinstance(answer, str) or answer not in values:
            raise invalid(
                "label",
                _("Choose one of: %(labels)s.") % {"labels": ", ".join(values)},
            )
        return answer

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        return post.get("label")


class MultipleChoice(_Choice):
    key = "multiple_choice"
    title = gettext_lazy("Multiple choice (tick all that apply)")
    template_name = "projects/interfaces/multiple_choice.html"

    def check_answer(
        self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any
    ) -> list[str]:
        values = self.label_values(config)
        if isinstance(answer, Mapping):
            answer = answer.get("labels")
        if isinstance(answer, str):
            answer = [answer]
        if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
            raise invalid("labels", _("Send a list of labels (it may be empty)."))
        unknown = [a for a in answer if a not in values]
        if unknown:
            raise invalid(
                "labels",
                _("Not a label of this project: %(bad)s.") % {"bad": ", ".join(unknown)},
            )
        # Sorted in the project's label order, so equal sets compare equal.
        return [v for v in values if v in set(answer)]

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        return post.getlist("labels")

    def answer_key(self, answer: Any) -> Any:
        return tuple(answer)

    def label_values(self, config: Mapping[str, Any]) -> list[str]:
        return [label["value"] for label in config.get("labels", [])]

    def answer_label(self, answer: Any) -> str:
        return "|".join(answer)
