"""MTurk's question formats, turned into what microwork shows, and answers turned back into
QuestionFormAnswers XML.

- HTMLQuestion: the HTML inside becomes an `html_form` project's form. What MTurk's own page
  needed and microwork provides itself is taken out (the document's head, scripts, the
  <form> wrapper posting to externalSubmit, the hidden assignmentId, the submit button); what
  is left goes through the html_form allow-list like any requester's form, so a refusal names
  the construct.
- QuestionForm: FreeText and Selection questions are written out as the same kind of form
  (a textarea, radio buttons, tick boxes or a list), named by QuestionIdentifier.
- ExternalQuestion: the requester's page, shown to the worker in a sandboxed frame (the
  `external_question` task kind).

XML is read by the standard library's expat with every declaration refused (parse_xml): no
DTD means no entity can be declared, so nothing expands and nothing external is fetched."""

import re
import xml.etree.ElementTree as ET  # noqa: S405 (only built, never parsed: see parse_xml)
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlparse
from xml.parsers import expat

from django.conf import settings

MAX_QUESTION = 128_000
ANSWERS_NS = (
    "http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/"
    "QuestionFormAnswers.xsd"
)
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,63}$")


class QuestionError(ValueError):
    """A Question MTurk would accept that cannot be used, or one that is malformed."""


@dataclass(frozen=True)
class Parsed:
    kind: str  # "html", "form" or "external"
    html: str  # the html_form's form ("" for an external question)
    url: str = ""  # an ExternalQuestion's address
    frame_height: int = 0
    selections: frozenset[str] = frozenset()  # QuestionForm fields answered by selection


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _refuse_declaration(*_args: Any) -> None:
    raise QuestionError("Question may not contain a DOCTYPE or ENTITY declaration.")


def parse_xml(text: str) -> ET.Element:
    """The document as a tree, read by expat with every declaration refused as it is met (as
    defusedxml does): no DTD, so no entity is ever defined, expanded or fetched. A page's own
    <!DOCTYPE html> inside CDATA is text and passes."""
    if len(text) > MAX_QUESTION:
        raise QuestionError(f"Question is longer than {MAX_QUESTION} characters.")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = _refuse_declaration
    parser.EntityDeclHandler = _refuse_declaration
    parser.UnparsedEntityDeclHandler = _refuse_declaration
    parser.ExternalEntityRefHandler = _refuse_declaration  # type: ignore[assignment]
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.buffer_text = True
    try:
        parser.Parse(text.strip().encode(), True)
        return builder.close()
    except expat.ExpatError as exc:
        raise QuestionError(f"Question is not well-formed XML: {exc}.") from None


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _text_of(element: ET.Element | None, name: str) -> str:
    found = _child(element, name) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def parse_question(text: str) -> Parsed:
    root = parse_xml(text)
    kind = _local(root.tag)
    height = _text_of(root, "FrameHeight")
    frame_height = int(height) if height.isdigit() else 0
    if kind == "HTMLQuestion":
        content = _child(root, "HTMLContent")
        if content is None or not (content.text or "").strip():
            raise QuestionError("HTMLQuestion needs an HTMLContent element.")
        return Parsed(kind="html", html=strip_page(content.text or ""), frame_height=frame_height)
    if kind == "ExternalQuestion":
        url = _text_of(root, "ExternalURL")
        # http:// only where the site itself is not served over HTTPS (development, tests):
        # an http page framed by an https one would be blocked as mixed content anyway.
        schemes = ("https", "http") if settings.MTURK_EXTERNAL_HTTP else ("https",)
        if len(url) > 2000 or urlparse(url).scheme not in schemes or not urlparse(url).netloc:
            raise QuestionError("ExternalURL must be an https:// address.")
        return Parsed(kind="external", html="", url=url, frame_height=frame_height)
    if kind == "QuestionForm":
        html, selections = question_form_html(root)
        return Parsed(kind="form", html=html, selections=selections)
    raise QuestionError(
        f"Question must be an HTMLQuestion, an ExternalQuestion or a QuestionForm, not {kind}."
    )


class _PageStripper(HTMLParser):
    """Re-emits a page's body without what MTurk's page needed (see the module's text)."""

    DROP_WITH_CONTENT = frozenset({"script", "style", "head", "title", "button", "noscript"})
    DROP_TAG = frozenset({"html", "body", "form", "meta", "link", "crowd-form"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.append(tag)
            return
        if tag in self.DROP_WITH_CONTENT:
            self.skipping.append(tag)
            return
        values = {k: (v or "") for k, v in attrs}
        if tag in self.DROP_TAG:
            return
        if tag == "input" and (
            values.get("type", "").lower() in ("hidden", "submit", "button", "image")
            or values.get("name") == "assignmentId"
        ):
            return
        self.out.append(self.get_starttag_text() or "")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in self.DROP_TAG or tag in self.DROP_WITH_CONTENT or tag == "input":
            return
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&#{name};")


def strip_page(html: str) -> str:
    parser = _PageStripper()
    parser.feed(html)
    parser.close()
    return "".join(parser.out).strip()


def question_form_html(root: ET.Element) -> tuple[str, frozenset[str]]:
    parts: list[str] = []
    selections: set[str] = set()
    for element in root:
        name = _local(element.tag)
        if name == "Overview":
            parts.append(_content_html(element))
        elif name == "Question":
            parts.append(_question_html(element, selections))
    if not any(_local(e.tag) == "Question" for e in root):
        raise QuestionError("QuestionForm needs at least one Question.")
    return "\n".join(p for p in parts if p), frozenset(selections)


def _content_html(element: ET.Element) -> str:
    out = []
    for child in element:
        name = _local(child.tag)
        if name == "Title":
            out.append(f"<h2>{escape((child.text or '').strip())}</h2>")
        elif name == "Text":
            out.append(f"<p>{escape((child.text or '').strip())}</p>")
        elif name == "List":
            items = "".join(f"<li>{escape((i.text or '').strip())}</li>" for i in child)
            out.append(f"<ul>{items}</ul>")
    return "\n".join(out)


def _question_html(question: ET.Element, selections: set[str]) -> str:
    ident = _text_of(question, "QuestionIdentifier")
    if not _IDENT.match(ident):
        raise QuestionError(
            f"QuestionIdentifier {ident!r}: use 1 to 64 letters, digits, _ or -, "
            "starting with a letter."
        )
    required = _text_of(question, "IsRequired").lower() == "true"
    req = " required" if required else ""
    content = _child(question, "QuestionContent")
    parts = [f"<fieldset><legend>{escape(_text_of(question, 'DisplayName') or ident)}</legend>"]
    if content is not None:
        parts.append(_content_html(content))
    spec = _child(question, "AnswerSpecification")
    free = _child(spec, "FreeTextAnswer") if spec is not None else None
    selection = _child(spec, "SelectionAnswer") if spec is not None else None
    if free is not None:
        lines = _text_of(free, "NumberOfLinesSuggestion")
        rows = int(lines) if lines.isdigit() and 0 < int(lines) <= 30 else 3
        parts.append(
            f'<textarea name="{ident}" rows="{rows}" aria-label="{escape(ident)}"'
            f' maxlength="10000"{req}></textarea>'
        )
    elif selection is not None:
        selections.add(ident)
        style = _text_of(selection, "StyleSuggestion") or "radiobutton"
        most = _text_of(selection, "MaxSelectionCount")
        listed = _child(selection, "Selections")
        options = [
            (_text_of(s, "SelectionIdentifier"), _text_of(s, "Text"))
            for s in (_children(listed, "Selection") if listed is not None else [])
        ]
        if not options:
            raise QuestionError(f"Question {ident}: a SelectionAnswer needs Selections.")
        many = style in ("checkbox", "multichooser") or (most.isdigit() and int(most) > 1)
        if style in ("dropdown", "list", "combobox") and not many:
            opts = "".join(
                f'<option value="{escape(v)}">{escape(t or v)}</option>' for v, t in options
            )
            parts.append(
                f'<select name="{ident}" aria-label="{escape(ident)}"{req}>'
                f'<option value="">—</option>{opts}</select>'
            )
        else:
            kind = "checkbox" if many else "radio"
            for value, label in options:
                parts.append(
                    f'<label><input type="{kind}" name="{ident}" value="{escape(value)}"'
                    f"{req if kind == 'radio' else ''}> {escape(label or value)}</label>"
                )
    else:
        raise QuestionError(
            f"Question {ident}: only FreeTextAnswer and SelectionAnswer are supported."
        )
    parts.append("</fieldset>")
    return "\n".join(parts)


def answers_xml(answer: Any, selections: frozenset[str] | set[str] = frozenset()) -> str:
    """One answer as QuestionFormAnswers: each field a FreeText, or SelectionIdentifiers for a
    QuestionForm's selection questions (a list of values gives one element each)."""
    root = ET.Element("QuestionFormAnswers", xmlns=ANSWERS_NS)
    values: Mapping[str, Any] = answer if isinstance(answer, Mapping) else {"answer": answer}
    for name, value in values.items():
        element = ET.SubElement(root, "Answer")
        ET.SubElement(element, "QuestionIdentifier").text = str(name)
        if name in selections:
            for item in value if isinstance(value, list) else [value]:
                if item not in (None, ""):
                    ET.SubElement(element, "SelectionIdentifier").text = str(item)
        else:
            ET.SubElement(element, "FreeText").text = _free_text(value)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + body


def _free_text(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "on"
    if value is False:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
