"""Video rating: a clip, and the worker judges it against the requester's scale (moderation:
acceptable, gory, harmful; video search: how relevant the clip is to a query).

The answer is {"label": value, "at": seconds or null}: `at` is the moment the worker marks
(where the problem is) when the project asks for one. Answers are aggregated by their label
alone, like a single choice: majority or Dawid–Skene over the project's labels."""

import math
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from microwork.projects.interfaces import schema
from microwork.projects.interfaces.base import TaskInterface, invalid
from microwork.projects.interfaces.choice import LABELS, _label_texts, _label_values
from microwork.projects.interfaces.fields import Flag, Text

# A marked moment is within a day of the start; clips are much shorter.
MAX_SECONDS = 86_400
# A control answer's moment is right within this many seconds of the expected one.
AT_TOLERANCE = 2.0


def _seconds(value: Any) -> float | None:
    """A moment in seconds from JSON or a form post, or ValueError."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        if len(text) > 20:
            raise ValueError
        value = float(text)
    if not isinstance(value, int | float):
        raise ValueError
    seconds = float(value)
    if not math.isfinite(seconds) or not 0 <= seconds <= MAX_SECONDS:
        raise ValueError
    return round(seconds, 2)


def clock(seconds: float) -> str:
    """12.3 → "0:12.3": how a moment reads on pages."""
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


class VideoRating(TaskInterface):
    key = "video_rating"
    title = _("Video rating (moderation, video-search relevance)")
    description = _(
        "A video clip, played without sound unless you say otherwise; the worker picks one of "
        "your labels and, if you ask, marks the second where the problem is."
    )
    template_name = "projects/interfaces/video_rating.html"
    view_template_name = "projects/interfaces/video_rating_view.html"
    scripts = ("projects/player.js",)
    answer_field = "label"
    config_fields = (
        Text(
            name="question",
            label=_("Question"),
            help=_("Shown above every clip."),
            max_length=500,
            message=_("Write the question workers answer."),
        ),
        LABELS,
        Flag(
            name="muted",
            label=_("Play the clips without sound"),
            help=_("Workers often judge in public places; most clips are judged by the picture."),
            default=True,
        ),
        Flag(
            name="ask_timestamp",
            label=_("Let workers mark the second where the problem is"),
            default=False,
        ),
    )
    input_schema = {
        "type": "object",
        "properties": {
            "video_url": {
                "type": "string",
                "format": "uri-reference",
                "maxLength": 2_000,
                "description": _(
                    "The clip: a platform file (/media/…) or an http(s) URL; MP4 or WebM."
                ),
            },
            "poster_url": {
                "type": "string",
                "format": "uri-reference",
                "maxLength": 2_000,
                "description": _("A frame shown before the clip plays (optional)."),
            },
            "start": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_SECONDS,
                "description": _("The second the player starts at (optional)."),
            },
            "title": {
                "type": "string",
                "maxLength": 2_000,
                "description": _("The clip's title, shown above it."),
            },
            "query": {
                "type": "string",
                "maxLength": 2_000,
                "description": _("For video-search relevance: what the user searched for."),
            },
        },
        "required": ["video_url"],
        "examples": [{"video_url": "/media/clips/7.webm", "title": "Street festival"}],
    }
    answer_schema = {
        "type": "object",
        "properties": {
            "label": {"type": "string", "description": _("The value of one of the labels.")},
            "at": {
                "type": ["number", "null"],
                "minimum": 0,
                "description": _(
                    "The second marked in the clip, when the project asks for one; else null."
                ),
            },
        },
        "required": ["label"],
        "description": _('{"label": "gory", "at": 12.5} (or just "gory").'),
        "examples": [{"label": "gory", "at": 12.5}, {"label": "ok", "at": None}],
    }
    example = {
        "config": {
            "question": "Can this clip be shown to everyone?",
            "labels": ["ok|Acceptable", "gory|Gory", "harmful|Harmful"],
            "muted": True,
            "ask_timestamp": True,
        },
        "data": {
            "video_url": "https://media.example/clips/7.webm",
            "title": "Street festival, Lagos",
        },
        "answer": {"label": "gory", "at": 2.5},
    }

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        return {"label": post.get("label"), "at": post.get("at")}

    def check_answer(self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any) -> Any:
        if isinstance(answer, str):
            answer = {"label": answer}
        if not isinstance(answer, Mapping):
            raise invalid("label", gettext_now('Send {"label": …, "at": seconds or null}.'))
        choose = gettext_now("Choose one of: %(values)s.")
        label_schema = {
            "type": "string",
            "enum": _label_values(config),
            "errorMessage": {"type": choose, "enum": choose, "required": choose},
        }
        try:
            label = schema.clean(label_schema, answer.get("label"), path="label")
        except schema.SchemaError as exc:
            raise invalid("label", exc.sentence()) from None
        at = None
        if config.get("ask_timestamp"):
            try:
                at = _seconds(answer.get("at"))
            except (ValueError, OverflowError):
                raise invalid(
                    "at",
                    gettext_now(
                        "Give the moment as seconds from the start of the clip "
                        "(0 to %(max)d), or leave it empty."
                    )
                    % {"max": MAX_SECONDS},
                ) from None
        return {"label": label, "at": at}

    def answer_label(self, answer: Any) -> str:
        if isinstance(answer, Mapping):
            return str(answer.get("label"))
        return str(answer)

    def answer_key(self, answer: Any) -> Any:
        # Answers are classes by their label: two workers who mark different seconds of the
        # same gory scene agree.
        return self.answer_label(answer)

    def label_values(self, config: Mapping[str, Any]) -> list[str] | None:
        return _label_values(config)

    def label_value(self, label: str) -> Any:
        return {"label": label, "at": None}

    def answer_matches(
        self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any, expected: Any
    ) -> bool:
        if self.answer_label(answer) != self.answer_label(expected):
            return False
        want = expected.get("at") if isinstance(expected, Mapping) else None
        if want is None or not config.get("ask_timestamp"):
            return True
        got = answer.get("at") if isinstance(answer, Mapping) else None
        return got is not None and abs(float(got) - float(want)) <= AT_TOLERANCE

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        label = self.answer_label(answer)
        text = _label_texts(config).get(label, label)
        at = answer.get("at") if isinstance(answer, Mapping) else None
        if at is None:
            return text
        return gettext_now("%(label)s at %(moment)s") % {"label": text, "moment": clock(at)}
