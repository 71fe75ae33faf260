"""Task interfaces are plug-ins. This registry is the one place a new task type is added:
each entry names a class that declares its config fields, input schema, answer schema and
template (base.TaskInterface). The project form, the upload checks, the submit checks, the
results and the API documentation are all built from those declarations, so a new type is
one module plus one line here. Built-ins register exactly like a third-party type would."""

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from microwork.lib.registry import plugin
from microwork.projects.interfaces.base import TaskInterface

REGISTRY: dict[str, str] = {
    "single_choice": "microwork.projects.interfaces.choice.SingleChoice",
    "multiple_choice": "microwork.projects.interfaces.choice.MultipleChoice",
    "graded_relevance": "microwork.projects.interfaces.relevance.GradedRelevance",
    "free_text": "microwork.projects.interfaces.free_text.FreeText",
    "audio_transcription": "microwork.projects.interfaces.audio.AudioTranscription",
    "bounding_boxes": "microwork.projects.interfaces.boxes.BoundingBoxes",
    "text_spans": "microwork.projects.interfaces.spans.TextSpans",
    "pairwise": "microwork.projects.interfaces.pairwise.Pairwise",
    "video_rating": "microwork.projects.interfaces.video.VideoRating",
    "html_form": "microwork.projects.interfaces.html_form.HtmlForm",
    "answer_review": "microwork.projects.interfaces.review.AnswerReview",
    "photo_collection": "microwork.projects.interfaces.photo.PhotoCollection",
    "voice_recording": "microwork.projects.interfaces.voice.VoiceRecording",
    # Mechanical Turk's ExternalQuestion: the requester's page in a frame, answered through
    # the mturk app's submit address (a higher app, reached by this dotted path alone).
    "external_question": "microwork.mturk.interface.ExternalQuestion",
}


def get_interface(key: str) -> TaskInterface:
    interface: TaskInterface = plugin(
        REGISTRY,
        key,
        unknown=_("Unknown task interface %(key)s. Choose one of: %(keys)s."),
        code="unknown_interface",
        field="interface",
    )
    if interface.key != key:
        raise ValueError(f"{REGISTRY[key]} declares key {interface.key!r}, registered as {key!r}")
    return interface


def interfaces_all() -> list[TaskInterface]:
    return [get_interface(key) for key in REGISTRY]


def interface_choices() -> list[tuple[str, Any]]:
    return [(i.key, i.title) for i in interfaces_all()]


def interfaces_described() -> list[dict[str, Any]]:
    return [i.describe() for i in interfaces_all()]


def _one_of(kind: str) -> list[dict[str, Any]]:
    out = []
    for described in interfaces_described():
        body = dict(described[kind])
        body["title"] = described["key"]
        out.append(body)
    return out


def openapi_config(field_schema: dict[str, Any]) -> None:
    """pydantic `json_schema_extra` for a project's `config`: one schema per interface, read
    when the OpenAPI document is made, so a newly registered type shows up there too."""
    field_schema["anyOf"] = _one_of("config_schema")
    field_schema["description"] = _(
        "The interface's settings; each interface's schema is listed here (titled by its "
        "key) and at GET /api/interfaces."
    )


def openapi_input(field_schema: dict[str, Any]) -> None:
    """pydantic `json_schema_extra` for a task's `data`."""
    field_schema["anyOf"] = _one_of("input_schema")
    field_schema["description"] = _(
        "The task's fields, as the project's interface defines them (see GET /api/interfaces)."
    )


def openapi_answer(field_schema: dict[str, Any]) -> None:
    """pydantic `json_schema_extra` for a worker's answer."""
    field_schema["anyOf"] = _one_of("answer_schema")
    field_schema["description"] = _(
        "The answer, shaped by the project's interface: each interface's answer schema is "
        "listed here (titled by its key) and, with the project's own labels or scale, at "
        "GET /api/interfaces."
    )


def nullable(extra: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    """One of the `openapi_*` extras for a field that may also be null (left unset, or cleared
    with null): the extras replace the schema's `anyOf`, which is where pydantic marks it."""

    def apply(field_schema: dict[str, Any]) -> None:
        extra(field_schema)
        field_schema["anyOf"] = [*field_schema["anyOf"], {"type": "null"}]

    return apply


__all__ = [
    "REGISTRY",
    "TaskInterface",
    "get_interface",
    "interface_choices",
    "interfaces_all",
    "interfaces_described",
    "nullable",
    "openapi_answer",
    "openapi_config",
    "openapi_input",
]
