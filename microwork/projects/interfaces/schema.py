"""The JSON-Schema subset task interfaces declare their config, inputs and answers in.

One checker, so the schema a requester reads in the API documentation is exactly the rule the
upload and the submit apply. It cleans as it checks, because values arrive as CSV text, form
posts and JSON alike:

- `string`: stripped; a JSON number becomes its text. `minLength`, `maxLength`, `pattern`,
  `enum`, `format` ("uri": an http(s) URL; "uri-reference": that or a path starting with /).
- `integer`: an int, or text of one ("2", as a CSV cell or a radio button sends it); never a
  boolean. `minimum`, `maximum`, `enum`.
- `boolean`: true/false, or the texts true/false/1/0/yes/no.
- `array`: `items`, `minItems`, `maxItems`, `uniqueItems`.
- `object`: `properties` (others are dropped), `required`, and `anyOf` of `{"required": […]}`
  for "at least one of these". An absent or empty optional property is left out, or takes its
  `default`.
- `errorMessage` (the ajv-errors convention): a sentence, or one per keyword, said instead of
  the generic reason; `%(maximum)d` and the like are filled from the same schema node.
"""

import contextlib
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

TRUE_TEXTS = frozenset({"true", "1", "yes"})
FALSE_TEXTS = frozenset({"false", "0", "no"})
INTEGER_TEXT = re.compile(r"[+-]?\d{1,18}")


class SchemaError(Exception):
    """The value at `path` breaks the schema; `reason` says how, in words a person follows:
    the schema's own sentence when it has one (`custom`), else a short phrase to put after the
    field's name."""

    def __init__(self, path: str, reason: str, *, custom: bool = False) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.custom = custom

    def sentence(self, name: Any = None) -> str:
        if self.custom:
            return self.reason
        return _("%(field)s: %(reason)s.") % {"field": name or self.path, "reason": self.reason}


def _fail(
    node: Mapping[str, Any], keyword: str, path: str, reason: str, value: Any = None
) -> SchemaError:
    custom = node.get("errorMessage")
    if isinstance(custom, Mapping):
        custom = custom.get(keyword)
    if not custom:
        return SchemaError(path, reason)
    text = str(custom)
    if "%(" in text:
        fill = {k: v for k, v in node.items() if not isinstance(v, dict | list)}
        fill["values"] = ", ".join(str(v) for v in node.get("enum", ()))
        fill["value"] = value
        # A sentence naming a keyword this node lacks is said as written.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            text = text % fill
    return SchemaError(path, text, custom=True)


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def clean(schema: Mapping[str, Any], value: Any, *, path: str = "") -> Any:
    """The value cleaned by the schema, or SchemaError at the first problem."""
    kind = schema.get("type")
    if kind == "string":
        value = _string(schema, value, path)
    elif kind == "integer":
        value = _integer(schema, value, path)
    elif kind == "boolean":
        value = _boolean(schema, value, path)
    elif kind == "array":
        value = _array(schema, value, path)
    elif kind == "object":
        value = _object(schema, value, path)
    if "enum" in schema and value not in schema["enum"]:
        shown = ", ".join(str(v) for v in schema["enum"])
        raise _fail(
            schema, "enum", path, _("must be one of: %(values)s") % {"values": shown}, value
        )
    return value


def _string(schema: Mapping[str, Any], value: Any, path: str) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _fail(schema, "type", path, _("must be text"), value)
    value = value.strip()
    low = schema.get("minLength")
    if low is not None and len(value) < low:
        reason = (
            _("is empty") if low == 1 else _("must be at least %(n)d characters long") % {"n": low}
        )
        raise _fail(schema, "minLength", path, reason)
    high = schema.get("maxLength")
    if high is not None and len(value) > high:
        raise _fail(schema, "maxLength", path, _("is longer than %(n)d characters") % {"n": high})
    pattern = schema.get("pattern")
    if pattern is not None and not re.search(pattern, value):
        raise _fail(schema, "pattern", path, _("does not have the expected form"))
    fmt = schema.get("format")
    if fmt in ("uri", "uri-reference") and value:
        parsed = urlparse(value)
        web = parsed.scheme in ("http", "https") and bool(parsed.netloc)
        if fmt == "uri" and not web:
            raise _fail(schema, "format", path, _("must start with http:// or https://"))
        if fmt == "uri-reference" and not (web or (value.startswith("/") and not parsed.scheme)):
            raise _fail(
                schema, "format", path, _("must be an http(s) URL or a path starting with /")
            )
    return value


def _integer(schema: Mapping[str, Any], value: Any, path: str) -> int:
    if isinstance(value, str) and INTEGER_TEXT.fullmatch(value.strip()):
        value = int(value.strip())
    elif isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(schema, "type", path, _("must be a whole number"), value)
    low, high = schema.get("minimum"), schema.get("maximum")
    if (low is not None and value < low) or (high is not None and value > high):
        keyword = "minimum" if low is not None and value < low else "maximum"
        if low is not None and high is not None:
            reason = _("must be a whole number from %(low)d to %(high)d") % {
                "low": low,
                "high": high,
            }
        elif low is not None:
            reason = _("must be at least %(low)d") % {"low": low}
        else:
            reason = _("must be at most %(high)d") % {"high": high}
        raise _fail(schema, keyword, path, reason, value)
    return value


def _boolean(schema: Mapping[str, Any], value: Any, path: str) -> bool:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in TRUE_TEXTS:
            return True
        if text in FALSE_TEXTS:
            return False
    if not isinstance(value, bool):
        raise _fail(schema, "type", path, _("must be true or false"))
    return value


def _array(schema: Mapping[str, Any], value: Any, path: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise _fail(schema, "type", path, _("must be a list"), value)
    low, high = schema.get("minItems"), schema.get("maxItems")
    if low is not None and len(value) < low:
        raise _fail(
            schema,
            "minItems",
            path,
            ngettext("needs at least %(n)d item", "needs at least %(n)d items", low) % {"n": low},
        )
    if high is not None and len(value) > high:
        raise _fail(
            schema,
            "maxItems",
            path,
            ngettext("has more than %(n)d item", "has more than %(n)d items", high) % {"n": high},
        )
    items = schema.get("items")
    cleaned = [clean(items, item, path=path) if items else item for item in value]
    if schema.get("uniqueItems"):
        seen: list[Any] = []
        for item in cleaned:
            if item in seen:
                raise _fail(
                    schema,
                    "uniqueItems",
                    path,
                    _("%(value)s appears twice") % {"value": item},
                    item,
                )
            seen.append(item)
    return cleaned


def _object(schema: Mapping[str, Any], value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise _fail(schema, "type", path, _("must be an object with named fields"))
    required = schema.get("required", ())
    out: dict[str, Any] = {}
    for name, sub in schema.get("properties", {}).items():
        raw = value.get(name)
        if _empty(raw):
            if name in required:
                reason = _("is missing") if name not in value else _("is empty")
                raise _fail(sub, "required", _child(path, name), reason)
            if "default" in sub:
                out[name] = sub["default"]
            continue
        out[name] = clean(sub, raw, path=_child(path, name))
    groups = required_groups(schema)
    if groups and not any(all(name in out for name in group) for group in groups):
        names = [name for group in groups for name in group]
        raise _fail(
            schema,
            "anyOf",
            _child(path, names[0]),
            _("give at least one of: %(names)s") % {"names": ", ".join(names)},
        )
    return out


def required_groups(schema: Mapping[str, Any]) -> list[list[str]]:
    """The `anyOf: [{"required": […]}, …]` alternatives: one of them must be present in full."""
    return [
        list(option.get("required", ()))
        for option in schema.get("anyOf", ())
        if isinstance(option, Mapping) and option.get("required")
    ]


def public(schema: Any) -> Any:
    """A schema as the API shows it: translated text, without the checker's own messages."""
    if isinstance(schema, Mapping):
        return {str(k): public(v) for k, v in schema.items() if k != "errorMessage"}
    if isinstance(schema, list | tuple):
        return [public(v) for v in schema]
    if isinstance(schema, Promise):
        return str(schema)
    return schema
