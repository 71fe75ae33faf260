"""Audio transcription: a voice clip, and the worker types what is said.

The answer is the transcript as one string (NFC, trimmed). Words a worker cannot make out are
written `[inaudible]`; a clip in which nobody speaks is answered `[inaudible]` alone, when the
project allows it (`allow_no_speech`). A project chooses how transcripts are checked: by
consensus (the crowd's transcripts aligned word by word, "rover") or by reviewers (other
workers accept or reject each one)."""

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from microwork.lib.words import TooManyWords, word_error_rate
from microwork.projects.interfaces.base import TaskInterface, invalid
from microwork.projects.interfaces.fields import Choice, Flag, Integer, Text

NO_SPEECH = "[inaudible]"
MAX_LENGTH = 10_000
# A transcript within one word in ten of the expected one is right (a control task's).
MAX_WORD_ERROR_RATE = 0.1
# answer_text is read in lists (results, notices): the start of a long transcript is enough.
SHOWN_CHARACTERS = 200
SPACES = re.compile(r"[^\S\n]+")


class AudioTranscription(TaskInterface):
    key = "audio_transcription"
    title = _("Audio transcription")
    description = _(
        "A voice clip with a player the worker controls (speed, rewind, keyboard shortcuts); "
        "the worker types what is said."
    )
    template_name = "projects/interfaces/audio_transcription.html"
    view_template_name = "projects/interfaces/audio_transcription_view.html"
    scripts = ("projects/player.js",)
    consensus = "rover"
    answer_field = "transcript"
    config_fields = (
        Text(
            name="question",
            label=_("Instructions above the player"),
            help=_("Optional; e.g. Type exactly what you hear, in the language spoken."),
            required=False,
            max_length=500,
        ),
        Integer(
            name="max_length",
            label=_("Longest transcript (characters)"),
            help=_("At most 10000."),
            required=False,
            default=2000,
            minimum=1,
            maximum=MAX_LENGTH,
        ),
        Flag(
            name="allow_no_speech",
            label=_("Workers may answer [inaudible] for a clip in which nobody speaks"),
            default=True,
        ),
        Choice(
            name="checked_by",
            label=_("How transcripts are checked"),
            required=False,
            default="consensus",
            choices=(
                ("consensus", _("By consensus: the crowd's transcripts are aligned word by word")),
                ("reviewers", _("By reviewers: other workers accept or reject each transcript")),
            ),
        ),
    )
    input_schema = {
        "type": "object",
        "properties": {
            "audio_url": {
                "type": "string",
                "format": "uri-reference",
                "maxLength": 2_000,
                "description": _(
                    "The clip: a platform file (/media/…) or an http(s) URL; "
                    "MP3, OGG, WAV or WebM audio."
                ),
            },
            "context": {
                "type": "string",
                "maxLength": 2_000,
                "description": _("What the clip is about, names said in it; shown above it."),
            },
            "language": {
                "type": "string",
                "maxLength": 35,
                "pattern": r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
                "description": _("The language spoken, as a language tag (en, fr, yo-NG)."),
            },
        },
        "required": ["audio_url"],
        "examples": [{"audio_url": "/media/calls/42.ogg", "language": "en"}],
    }
    answer_schema = {
        "type": "string",
        "maxLength": MAX_LENGTH,
        "description": _(
            'The transcript, as text: "the meeting starts at nine" (or {"transcript": …}). '
            "Words that cannot be made out are written [inaudible]; a clip with no speech is "
            "answered [inaudible] alone, when the project allows it."
        ),
        "examples": ["the meeting starts at nine"],
    }
    example = {
        "config": {
            "question": "Type exactly what you hear.",
            "max_length": 2000,
            "checked_by": "consensus",
        },
        "data": {
            "audio_url": "https://media.example/clips/42.ogg",
            "context": "A caller leaves a message for the clinic.",
            "language": "en",
        },
        "answer": "The meeting starts at nine tomorrow morning.",
    }

    def answer_schema_for(self, config: Mapping[str, Any]) -> dict[str, Any]:
        empty = (
            _("Write what you hear, or [inaudible] if nobody speaks.")
            if config.get("allow_no_speech", True)
            else _("Write what you hear.")
        )
        return {
            **self.answer_schema,
            "minLength": 1,
            "maxLength": config.get("max_length") or MAX_LENGTH,
            "errorMessage": {
                "type": _("Send the transcript as text."),
                "minLength": empty,
                "maxLength": _("The transcript is longer than %(maxLength)d characters."),
            },
        }

    def prepare_answer(self, config: Mapping[str, Any], answer: Any) -> Any:
        answer = super().prepare_answer(config, answer)
        if isinstance(answer, str):
            # One stored form for the same letters typed on different keyboards.
            answer = unicodedata.normalize("NFC", answer.replace("\r\n", "\n"))
            answer = SPACES.sub(" ", answer)
        return answer

    def normalise_answer(self, config: Mapping[str, Any], answer: Any) -> str:
        if answer.casefold() == NO_SPEECH:
            if not config.get("allow_no_speech", True):
                raise invalid(
                    self.answer_field,
                    str(_("This project needs a transcript: write what you hear.")),
                )
            return NO_SPEECH
        return str(answer)

    def reviewed_for(self, config: Mapping[str, Any]) -> bool:
        return config.get("checked_by") == "reviewers"

    def answer_matches(
        self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any, expected: Any
    ) -> bool:
        if not isinstance(answer, str) or not isinstance(expected, str):
            return False
        if NO_SPEECH in (answer.strip().casefold(), expected.strip().casefold()):
            return answer.strip().casefold() == expected.strip().casefold()
        try:
            return word_error_rate(answer, expected) <= MAX_WORD_ERROR_RATE
        except TooManyWords:
            return answer == expected

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        return Truncator(str(answer)).chars(SHOWN_CHARACTERS)
