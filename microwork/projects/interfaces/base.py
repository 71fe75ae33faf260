import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces import schema
from microwork.projects.interfaces.fields import ConfigField, Wording

# A task's files, named in words in its summary.
MEDIA_WORDS = {
    "image_url": _("image"),
    "audio_url": _("recording"),
    "video_url": _("video"),
}
SUMMARY_CHARS = 200


class RowError(Exception):
    """One problem with one uploaded row: which field, and why, in words a requester follows."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class CheckedFile:
    """A worker's file as a kind accepts it: the bytes to store (cleaned: a photo without its
    location), the type read from them, the storage name's extension, and what was measured
    (a photo's size in pixels, a recording's length and loudness)."""

    content: bytes
    content_type: str
    extension: str
    facts: dict[str, Any] = field(default_factory=dict)


class TaskInterface:
    """A task type, declared rather than programmed. A subclass says:

    - `key`, `title`, `description`: how requesters and the API name it;
    - `config_fields`: the project settings it needs (fields.Text, Labels, Lines, Integer);
      the project form, the project service and the API documentation all read them;
    - `input_schema`: one task's data, as JSON Schema (schema.py lists the subset); its
      `required` properties are the columns an upload must have, the other properties are the
      optional ones, `anyOf: [{"required": […]}, …]` says "at least one of these"; refined
      for a project's settings by `input_schema_for(config)` (a requester's own form names
      its columns), which uploads, the upload page and exports read;
    - `answer_schema`: a worker's answer, as JSON Schema, refined for a project's settings by
      `answer_schema_for(config)` (the labels a choice may take, the top of a scale);
    - `answer_field`: the name the answer is posted under by the task's HTML form, and wraps
      it in JSON ({"label": "ok"} is taken for "ok");
    - `template_name`: renders the task for a worker from {project, config, data, draft}
      alone, plus `request` for `{% media_url %}`: a platform file in the data is shown
      only through that tag (projects/media.py); `scripts` are the static files that page
      loads for it (the site's policy runs no inline script);
    - `view_template_name`: the task and one answer, read-only, from {config, data, answer,
      request}: the review page, the results, a worker's decision and appeal pages;
    - `consensus`: how a task's answers become its label. None: each answer is one class
      (`answer_label`) and the project's aggregation method picks one; a key of
      `aggregation.algorithms.consensus.CONSENSUS` for answers with parts (a transcript, boxes,
      spans); `reviewed` kinds are not aggregated at all: other workers review each answer;
    - `personal_data`: what a task collects about the worker by nature (their voice, face),
      which a project of the kind must declare before going live;
    - `example`: a valid `config`, one task's `data` and one `answer`, published with the
      schemas so a script (and the docs) can post a working project of this kind; a kind
      whose answer holds a worker's file adds `files`, the answer's file field → a small
      sample `{"name", "content_type", "base64"}` to upload first; a kind that collects
      personal data adds `project`, the project settings it needs (its declaration);
    - `file_fields`: the answer's fields that hold a worker's file (the `ref` of an upload to
      `POST /api/work/assignments/{id}/files`), checked by `check_file` when the file arrives;
      the submit accepts only refs of complete files of the same assignment (work app).

    Everything else has a default built from those declarations; override a method only for
    a rule JSON Schema cannot say (multiple choice keeps its answers in label order).
    """

    key: ClassVar[str]
    title: ClassVar[Wording]
    description: ClassVar[Wording] = ""
    template_name: ClassVar[str]
    config_fields: ClassVar[tuple[ConfigField, ...]] = ()
    input_schema: ClassVar[dict[str, Any]] = {"type": "object", "properties": {}}
    answer_schema: ClassVar[dict[str, Any]] = {}
    answer_field: ClassVar[str] = "answer"
    view_template_name: ClassVar[str] = "projects/interfaces/_view.html"
    scripts: ClassVar[tuple[str, ...]] = ()
    consensus: ClassVar[str | None] = None
    reviewed: ClassVar[bool] = False
    example: ClassVar[dict[str, Any]] = {}
    file_fields: ClassVar[tuple[str, ...]] = ()
    # What a task of this kind collects about the worker by nature (keys of
    # projects.personal_data.Category: a recording collects a voice): a project of the kind
    # goes live only with a personal data declaration naming at least these.
    personal_data: ClassVar[tuple[str, ...]] = ()

    # --- inputs -------------------------------------------------------------------------------

    def input_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """One task's data for a project's settings (a requester's form names its columns)."""
        return self.input_schema

    def input_fields_for(self, config: Mapping[str, Any]) -> tuple[str, ...]:
        """Columns every uploaded row of this project must have."""
        return tuple(self.input_schema_for(config).get("required", ()))

    def optional_fields_for(self, config: Mapping[str, Any]) -> tuple[str, ...]:
        required = set(self.input_fields_for(config))
        properties = self.input_schema_for(config).get("properties", {})
        return tuple(n for n in properties if n not in required)

    def input_groups_for(self, config: Mapping[str, Any]) -> list[list[str]]:
        """Alternatives of which a row must have one in full (text, or image_url, or both)."""
        return schema.required_groups(self.input_schema_for(config))

    @property
    def input_fields(self) -> tuple[str, ...]:
        """Columns every uploaded row must have, whatever the project's settings."""
        return self.input_fields_for({})

    @property
    def optional_fields(self) -> tuple[str, ...]:
        return self.optional_fields_for({})

    @property
    def input_groups(self) -> list[list[str]]:
        return self.input_groups_for({})

    def input_columns(self, config: Mapping[str, Any] | None = None) -> list[dict[str, Any]]:
        """The columns of an upload, for the upload page: name, required, what it holds."""
        input_schema = self.input_schema_for(config or {})
        required = set(input_schema.get("required", ()))
        return [
            {"name": name, "required": name in required, "description": sub.get("description", "")}
            for name, sub in input_schema.get("properties", {}).items()
        ]

    def check_input(self, config: Mapping[str, Any], row: Mapping[str, Any]) -> dict[str, Any]:
        """One uploaded row → the task's `data`, or RowError naming the column."""
        try:
            return schema.clean(self.input_schema_for(config), row)
        except schema.SchemaError as exc:
            raise RowError(exc.path or "row", exc.reason) from None

    # --- config -------------------------------------------------------------------------------

    def config_schema(self) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {f.name: f.public_schema() for f in self.config_fields},
            "required": [f.name for f in self.config_fields if f.required],
        }

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The project's settings for this type → cleaned, or ApplicationError naming the
        setting. Settings the type does not declare are dropped."""
        return {f.name: f.clean(config.get(f.name)) for f in self.config_fields}

    # --- answers ------------------------------------------------------------------------------

    def answer_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        return self.answer_schema

    def prepare_answer(self, config: Mapping[str, Any], answer: Any) -> Any:
        if (
            self.answer_schema.get("type") != "object"
            and isinstance(answer, Mapping)
            and self.answer_field in answer
        ):
            return answer[self.answer_field]
        return answer

    def normalise_answer(self, config: Mapping[str, Any], answer: Any) -> Any:
        """A checked answer in its one stored form, so equal answers compare equal."""
        return answer

    def check_answer(self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any) -> Any:
        """A worker's answer (JSON or a form post) → the normalised answer, or ApplicationError
        naming the field. Also used for gold answers in uploads."""
        try:
            cleaned = schema.clean(
                self.answer_schema_for(config),
                self.prepare_answer(config, answer),
                path=self.answer_field,
            )
        except schema.SchemaError as exc:
            raise invalid(exc.path or self.answer_field, exc.sentence()) from None
        return self.normalise_answer(config, cleaned)

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        """The answer from the task template's form post, before checking."""
        if self.answer_schema.get("type") == "array":
            return post.getlist(self.answer_field)
        return post.get(self.answer_field)

    def answer_key(self, answer: Any) -> Any:
        """A hashable value; equal keys are the same answer (majority vote, gold comparison)."""
        if isinstance(answer, list):
            return tuple(self.answer_key(a) for a in answer)
        if isinstance(answer, Mapping):
            return json.dumps(answer, sort_keys=True, ensure_ascii=False)
        return answer

    def consensus_for(self, config: Mapping[str, Any]) -> str | None:
        """The consensus method this project's answers go through (None: categorical)."""
        return None if self.reviewed_for(config) else self.consensus

    def personal_data_for(self, config: Mapping[str, Any]) -> tuple[str, ...]:
        """What this project's tasks collect about the worker by nature, for its settings (a
        photo collects a location only when the project keeps it)."""
        return self.personal_data

    def reviewed_for(self, config: Mapping[str, Any]) -> bool:
        """Whether this project's answers are checked by other workers instead of being
        aggregated (a kind may leave the choice to the requester's settings)."""
        return self.reviewed

    def answer_matches(
        self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any, expected: Any
    ) -> bool:
        """Whether a checked answer is right against an expected one (a control task's, a
        test question's). Exact by default; kinds with parts allow a tolerance (a box drawn a
        few pixels off is still the box)."""
        return bool(self.answer_key(answer) == self.answer_key(expected))

    def label_value(self, label: str) -> Any:
        """An aggregated label (`answer_label`'s string) back in the answer's shape."""
        if self.answer_schema.get("type") in ("object", "array"):
            try:
                return json.loads(label)
            except ValueError:
                return None
        return label

    def label_agrees(self, config: Mapping[str, Any], answer: Any, label: str) -> bool:
        """Whether an answer agrees with its task's aggregated label, as quality counts
        agreement: the same class for categorical kinds; for kinds with a consensus, a match
        within the kind's tolerance (a transcript a word off still agrees)."""
        if self.consensus_for(config) is None:
            return bool(self.answer_label(answer) == label)
        value = self.label_value(label)
        if value is None:
            return False
        try:
            return bool(self.answer_matches(config, {}, answer, value))
        except (TypeError, ValueError, KeyError, IndexError):
            return False

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        """An answer in words for pages and notices (the label's shown text, not its value);
        `data`, the task's, where the words depend on it (the words a span covers)."""
        return self.answer_label(answer)

    def content_summary(self, config: Mapping[str, Any], data: Mapping[str, Any]) -> str:
        """The task's content in a few words, for lists, filters, notices and exports: its
        text fields as they are, its files named by kind ("image", "recording") rather than by
        address. Kinds whose task is not a set of plain fields (a pair, a checked answer)
        override it."""
        properties = self.input_schema_for(config).get("properties", {})
        parts: list[str] = []
        for name, sub in properties.items():
            value = data.get(name)
            if value in (None, "", [], {}):
                continue
            if name.endswith("_url") or str(sub.get("format", "")).startswith("uri"):
                parts.append(str(MEDIA_WORDS.get(name, _("file"))))
            elif isinstance(value, str):
                parts.append(value)
            elif isinstance(value, int | float):
                parts.append(f"{name}: {value}")
        text = " · ".join(parts)
        return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"

    def starter(self) -> dict[str, Any]:
        """What a new project of this kind starts from (the create page's template): the
        example's settings and instructions written for this kind, with the "## Examples"
        section workers rely on, for the requester to rewrite. A kind may override it."""
        return {
            "interface": self.key,
            "config": dict((self.example or {}).get("config") or {}),
            "instructions": str(
                _(
                    "Explain the task in one or two sentences: what workers look at and what "
                    "they answer ({kind}: {description}).\n\n"
                    "- Say what a good answer is, and what to do when unsure.\n"
                    "- Say what to skip.\n\n"
                    "## Examples\n\n"
                    "Show two or three worked examples, each with its answer and why.\n"
                )
            ).format(kind=self.title, description=self.description or self.title),
        }

    def render_view(
        self,
        *,
        config: Mapping[str, Any],
        data: Mapping[str, Any],
        answer: Any = None,
        answer_title: str = "",
        expected: Any = None,
        request: Any = None,
    ) -> SafeString:
        """The task and one answer, read-only, in words (the kind's view template), with the
        expected answer of a control task when one is given: the review page, the results,
        a worker's decision and appeal pages. Every kind inherits it; a kind changes how it
        looks through `view_template_name` and `answer_text`."""
        html = render_to_string(
            self.view_template_name,
            {
                "interface": self,
                "config": config,
                "data": data,
                "answer": answer,
                "has_answer": answer is not None,
                "answer_text": "" if answer is None else self.answer_text(config, answer, data),
                "answer_title": answer_title,
                "request": request,
            },
        )
        if expected is None:
            return SafeString(html)
        try:
            expected_text = self.answer_text(config, expected, data)
        except (TypeError, ValueError, KeyError):
            expected_text = self.answer_label(expected)
        return SafeString(
            html
            + format_html(
                '<p class="expected"><span class="badge">{}</span> {}{} <strong>{}</strong></p>',
                _("control"),
                _("Expected answer"),
                pgettext("label separator", ":"),
                expected_text,
            )
        )

    def label_values(self, config: Mapping[str, Any]) -> list[str] | None:
        """The closed list of possible answers as strings, for aggregation (None: open-ended).
        Read from the answer schema: an enum, a bounded integer, or a list of enum items."""
        answer = self.answer_schema_for(config)
        if answer.get("type") == "array":
            answer = answer.get("items") or {}
        if "enum" in answer:
            return [str(v) for v in answer["enum"]]
        if answer.get("type") == "integer" and {"minimum", "maximum"} <= answer.keys():
            return [str(i) for i in range(answer["minimum"], answer["maximum"] + 1)]
        return None

    def answer_label(self, answer: Any) -> str:
        """An answer as one string, for CSV export and aggregation."""
        if isinstance(answer, list):
            return "|".join(str(a) for a in answer)
        if isinstance(answer, Mapping):
            return json.dumps(answer, sort_keys=True, ensure_ascii=False)
        return str(answer)

    # --- workers' files -----------------------------------------------------------------------

    def file_fields_for(self, config: Mapping[str, Any]) -> tuple[str, ...]:
        """The answer's fields that hold a worker's file, for a project's settings."""
        return self.file_fields

    def check_file(
        self, config: Mapping[str, Any], field: str, content: bytes, name: str
    ) -> CheckedFile:
        """A file a worker sends for `field` → what is stored, or ApplicationError naming the
        field. `name` is the worker's name for it, for messages only: it is never stored."""
        raise invalid(field, str(_("This task takes no file.")), code="no_file_field")

    # --- documentation ------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """Everything the API documents about this type."""
        return schema.public(
            {
                "key": self.key,
                "title": self.title,
                "description": self.description,
                "config_fields": [f.describe() for f in self.config_fields],
                "config_schema": self.config_schema(),
                "input_schema": self.input_schema,
                "answer_schema": self.answer_schema,
                "answer_field": self.answer_field,
                "consensus": self.consensus,
                "reviewed": self.reviewed,
                "personal_data": list(self.personal_data),
                "example": self.example or None,
                "file_fields": list(self.file_fields),
                "input_columns": {
                    "required": list(self.input_fields),
                    "optional": list(self.optional_fields),
                    "one_of": self.input_groups,
                },
            }
        )


def invalid(field: str, message: str, code: str = "invalid_answer") -> ApplicationError:
    return ApplicationError(message, code=code, field=field)
