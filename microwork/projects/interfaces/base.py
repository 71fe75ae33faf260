from collections.abc import Mapping
from typing import Any, ClassVar

from microwork.lib.errors import ApplicationError


class RowError(Exception):
    """One problem with one uploaded row: which field, and why, in words a requester follows."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class TaskInterface:
    """What a task type must say about itself.

    - `check_config(config)`: the project's settings for this type (labels, scale) → cleaned
      config, or ApplicationError naming the field.
    - `check_input(config, row)`: one uploaded row (str → str/obj) → the task's `data`, or
      RowError. `input_fields` lists the columns a file must have.
    - `check_answer(config, data, answer)`: a worker's answer (JSON) → the normalised answer,
      or ApplicationError naming the field. Also used for gold answers in uploads.
    - `answer_from_form(config, post)`: the answer from an HTML form post (before checking).
    - `answer_key(answer)`: a hashable value; equal keys are the same answer (majority vote,
      gold comparison).
    - `template_name`: renders the task for a worker with context
      {project, config, data, draft}; it must not need anything else.
    """

    key: ClassVar[str]
    title: ClassVar[str]
    input_fields: ClassVar[tuple[str, ...]] = ()
    optional_fields: ClassVar[tuple[str, ...]] = ()
    template_name: ClassVar[str]
    config_example: ClassVar[dict[str, Any]] = {}

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def check_input(self, config: Mapping[str, Any], row: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def check_answer(self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any) -> Any:
        raise NotImplementedError

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        raise NotImplementedError

    def answer_key(self, answer: Any) -> Any:
        return answer

    def label_values(self, config: Mapping[str, Any]) -> list[str] | None:
        """The closed list of possible answers as strings, for aggregation (None: open-ended)."""
        return None

    def answer_label(self, answer: Any) -> str:
        """An answer as one string, for CSV export and aggregation."""
        return str(answer)


def invalid(field: str, message: str, code: str = "invalid_answer") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)
