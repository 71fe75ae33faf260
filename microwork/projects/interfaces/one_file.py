"""What the kinds whose answer is one worker's file share: the answer is `{field: ref}`, the
ref of a complete upload (work app), checked to be present, and read in words as what it is
("a photo", "a recording")."""

from collections.abc import Mapping
from typing import Any, ClassVar

from microwork.projects.interfaces.base import TaskInterface

REF_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 64}


class OneFileAnswer(TaskInterface):
    """A subclass sets `answer_field` (and `file_fields = (answer_field,)`), `missing` (what
    the worker reads when the file is not there yet) and `shown_as` (the answer in words)."""

    missing: ClassVar[Any]
    shown_as: ClassVar[Any]

    def answer_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        message = str(self.missing)
        return {
            **self.answer_schema,
            "properties": {self.answer_field: {**REF_SCHEMA, "errorMessage": message}},
            "errorMessage": {"type": message, "required": message},
        }

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        return {self.answer_field: post.get(self.answer_field) or ""}

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        has_file = isinstance(answer, Mapping) and answer.get(self.answer_field)
        return str(self.shown_as) if has_file else ""
