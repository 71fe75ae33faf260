"""Voice recording: the worker reads the task's text aloud and records it in the browser
(record, stop, play back, record again), and the recording is uploaded with the answer.

The answer is `{"recording": ref}`, the ref of a complete upload (work app). The server reads
the recording itself, never its name: WebM, Ogg or MP4 sound (what Chrome, Firefox and Safari
record), no picture; between the project's shortest and longest duration; loud enough to hold
a voice and not clipped. Each refusal names the field and says what to do."""

import base64
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces.base import CheckedFile, invalid
from microwork.projects.interfaces.fields import Integer, Text
from microwork.projects.interfaces.one_file import REF_SCHEMA, OneFileAnswer
from microwork.projects.media import sound
from microwork.projects.media.sniffing import HEAD_BYTES, format_of

# Format read from the first bytes → stored content type and extension.
FORMATS = {
    "webm": ("audio/webm", "webm"),
    "ogg": ("audio/ogg", "ogg"),
    "mp4": ("audio/mp4", "m4a"),
    "wav": ("audio/wav", "wav"),
}
MAX_SECONDS = 600
# The loudest stretches of a voice a phone recorded at arm's length are around -30 to -15
# dBFS; below this there is no voice, only the room.
SILENCE_DBFS = -45.0
# More than this share of samples at full scale is a distorted recording.
CLIPPED_SHARE = 0.01


class VoiceRecording(OneFileAnswer):
    key = "voice_recording"
    title = gettext_lazy("Voice recording")
    description = gettext_lazy(
        "The worker reads a text aloud and records it in the browser; the recording's "
        "format, length and loudness are checked (no silence, no clipping)."
    )
    template_name = "projects/interfaces/voice_recording.html"
    view_template_name = "projects/interfaces/voice_recording_view.html"
    scripts = ("projects/worker_upload.js", "projects/recorder.js")
    answer_field = "recording"
    file_fields = ("recording",)
    missing = gettext_lazy("Record the text, and wait until the recording is uploaded.")
    shown_as = gettext_lazy("a recording")
    personal_data = ("voice",)
    config_fields = (
        Text(
            name="question",
            label=gettext_lazy("Instructions above the text"),
            help=gettext_lazy("Optional; e.g. Read at your normal pace, in a quiet place."),
            required=False,
            max_length=500,
        ),
        Integer(
            name="min_seconds",
            label=gettext_lazy("Shortest recording (seconds)"),
            required=False,
            default=1,
            minimum=1,
            maximum=MAX_SECONDS,
        ),
        Integer(
            name="max_seconds",
            label=gettext_lazy("Longest recording (seconds)"),
            help=gettext_lazy("At most 600."),
            required=False,
            default=30,
            minimum=1,
            maximum=MAX_SECONDS,
        ),
    )
    input_schema = {
        "type": "object",
        "properties": {
            "text": {
                "type": "string",
                "minLength": 1,
                "maxLength": 2_000,
                "description": gettext_lazy("What the worker reads aloud."),
            },
            "language": {
                "type": "string",
                "maxLength": 35,
                "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
                "description": gettext_lazy("The text's language, as a language tag (en, yo)."),
            },
        },
        "required": ["text"],
        "examples": [{"text": "The clinic opens at nine on weekdays.", "language": "en"}],
    }
    answer_schema = {
        "type": "object",
        "properties": {"recording": REF_SCHEMA},
        "required": ["recording"],
        "description": gettext_lazy(
            'The recording: {"recording": ref}, the ref answered by POST '
            "/api/work/assignments/{id}/files once the recording is uploaded."
        ),
        "examples": [{"recording": "Xb3k…"}],
    }
    example = {
        "config": {"question": "Read at your normal pace.", "min_seconds": 1, "max_seconds": 30},
        "data": {"text": "The clinic opens at nine on weekdays.", "language": "en"},
        "answer": {"recording": "ref-of-the-uploaded-file"},
        # A project of this kind collects voices: these settings go with the project.
        "project": {
            "personal_data": ["voice"],
            "personal_data_purpose": "Training a speech recogniser for English as spoken in Lagos.",
            "personal_data_retention_days": 365,
            "personal_data_recipients": "The requester and its client, Example Speech Ltd.",
        },
        "files": {
            "recording": {
                "name": "clinic.webm",
                "content_type": "audio/webm",
                "base64": base64.b64encode(sound.encode(sound.tone_samples(1.5))).decode(),
            }
        },
    }

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        clean = super().check_config(config)
        if (clean.get("min_seconds") or 1) > (clean.get("max_seconds") or 30):
            raise ApplicationError(
                _("The shortest recording is longer than the longest one."), field="min_seconds"
            )
        return clean

    def check_file(
        self, config: Mapping[str, Any], field: str, content: bytes, name: str
    ) -> CheckedFile:
        found = format_of(content[:HEAD_BYTES])
        if found not in FORMATS:
            raise invalid(
                field,
                _("%(field)s: the file is not a WebM, Ogg, MP4 or WAV recording.")
                % {"field": field},
                code="file_type",
            )
        content_type, extension = FORMATS[found]
        shortest = int(config.get("min_seconds") or 1)
        longest = int(config.get("max_seconds") or 30)
        try:
            measured = sound.measure(content, max_seconds=longest)
        except sound.SoundError as exc:
            message = (
                _("%(field)s: the file holds a video; send the sound alone.")
                if exc.args[0] == "video"
                else _("%(field)s: the recording cannot be played; record it again.")
            )
            raise invalid(field, message % {"field": field}, code="file_type") from None
        seconds = measured.duration_seconds
        if seconds < shortest:
            raise invalid(
                field,
                _("%(field)s: the recording lasts %(s).1f s; it must last at least %(min)d s.")
                % {"field": field, "s": seconds, "min": shortest},
                code="too_short",
            )
        if seconds > longest:
            raise invalid(
                field,
                _("%(field)s: the recording lasts more than %(max)d s, the longest allowed.")
                % {"field": field, "max": longest},
                code="too_long",
            )
        if measured.level_dbfs < SILENCE_DBFS:
            raise invalid(
                field,
                _(
                    "%(field)s: the recording is silent or too quiet; hold the phone closer "
                    "and speak up."
                )
                % {"field": field},
                code="too_quiet",
            )
        if measured.clipped_share > CLIPPED_SHARE:
            raise invalid(
                field,
                _(
                    "%(field)s: the recording is too loud and distorted; hold the phone a "
                    "little further away."
                )
                % {"field": field},
                code="clipped",
            )
        return CheckedFile(
            content=content,
            content_type=content_type,
            extension=extension,
            facts={
                "duration_seconds": seconds,
                "level_dbfs": measured.level_dbfs,
                "peak_dbfs": measured.peak_dbfs,
                "clipped_share": measured.clipped_share,
                "codec": measured.codec,
            },
        )
