"""The `external_question` task kind: Mechanical Turk's ExternalQuestion. The requester's own
page is shown in a sandboxed frame of the task page (templatetags/mturk_external.py) with the
query parameters MTurk gives it (assignmentId, hitId, workerId, turkSubmitTo); the page posts
its form to /mturk/externalSubmit (views.external_submit), and the posted fields are the
worker's answer. Registered in projects.interfaces.REGISTRY like any kind, so the work pages,
the worker API and the results treat it as they treat the others."""

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from microwork.lib.errors import ApplicationError
from microwork.projects.interfaces.base import TaskInterface, invalid
from microwork.projects.interfaces.fields import Integer, Text

MAX_FIELDS = 100
MAX_NAME = 100
MAX_VALUE = 10_000
DEFAULT_HEIGHT = 600

URL = Text(
    name="url",
    label=gettext_lazy("Address of your page"),
    help=gettext_lazy(
        "An https:// address; it is given assignmentId, hitId, workerId and turkSubmitTo."
    ),
    max_length=2000,
)
FRAME_HEIGHT = Integer(
    name="frame_height",
    label=gettext_lazy("Frame height (pixels)"),
    required=False,
    default=DEFAULT_HEIGHT,
    minimum=100,
    maximum=5000,
)


class ExternalQuestion(TaskInterface):
    key = "external_question"
    title = gettext_lazy("A page of your own site")
    description = gettext_lazy(
        "Your own page, shown to the worker in a sandboxed frame (Mechanical Turk's "
        "ExternalQuestion); the fields its form posts to /mturk/externalSubmit are the answer."
    )
    template_name = "mturk/interfaces/external_question.html"
    config_fields = (URL, FRAME_HEIGHT)
    answer_schema = {
        "type": "object",
        "description": gettext_lazy(
            "The fields your page's form posted: each a text, or a list of texts for a name "
            "posted more than once."
        ),
        "examples": [{"consent": "yes", "rating": "4"}],
    }
    example = {
        "config": {"url": "https://survey.example.org/hit", "frame_height": 600},
        "data": {},
        "answer": {"consent": "yes", "rating": "4"},
    }

    def check_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        clean = super().check_config(config)
        address = urlparse(clean["url"])
        schemes = ("https", "http") if settings.MTURK_EXTERNAL_HTTP else ("https",)
        if address.scheme not in schemes or not address.netloc:
            raise ApplicationError(
                _("The page's address must start with https://."), code="invalid", field="url"
            )
        return clean

    def content_summary(self, config: Mapping[str, Any], data: Mapping[str, Any]) -> str:
        # The task is the requester's page: name its site, not its full address (which may
        # carry the requester's own parameters).
        host = urlparse(str(config.get("url", ""))).hostname or ""
        return _("A page of %(site)s") % {"site": host}

    def check_answer(self, config: Mapping[str, Any], data: Mapping[str, Any], answer: Any) -> Any:
        if not isinstance(answer, Mapping) or not answer:
            raise invalid(
                self.answer_field,
                _("Send the form of the page in the frame: it sends your answer."),
            )
        if len(answer) > MAX_FIELDS:
            raise invalid(
                self.answer_field,
                _("At most %(n)d fields can be sent.") % {"n": MAX_FIELDS},
            )
        out: dict[str, Any] = {}
        for name, value in answer.items():
            if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME:
                raise invalid(
                    self.answer_field,
                    _("A field's name has 1 to %(n)d characters.") % {"n": MAX_NAME},
                )
            values = value if isinstance(value, list) else [value]
            if len(values) > MAX_FIELDS or any(
                not isinstance(v, str) or len(v) > MAX_VALUE for v in values
            ):
                raise invalid(
                    f"{self.answer_field}.{name}",
                    _("Each value is a text of at most %(n)d characters.") % {"n": MAX_VALUE},
                )
            out[name] = value
        return out

    def answer_from_form(self, config: Mapping[str, Any], post: Any) -> Any:
        # The task page's own form holds nothing of the answer: the page in the frame posts
        # it (a Submit pressed afterwards finds the answer already stored and goes on).
        return {}

    def answer_text(
        self, config: Mapping[str, Any], answer: Any, data: Mapping[str, Any] | None = None
    ) -> str:
        if not isinstance(answer, Mapping):
            return self.answer_label(answer)
        return "; ".join(
            f"{k}: {', '.join(v) if isinstance(v, list) else v}" for k, v in answer.items()
        )
