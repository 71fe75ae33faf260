"""The JSON-Schema subset interfaces declare themselves in: what it accepts, cleans and says."""

import pytest
from django.utils.translation import gettext_lazy

from microwork.projects.interfaces.schema import SchemaError, clean, public

ROW = {
    "type": "object",
    "properties": {
        "text": {"type": "string", "maxLength": 5},
        "image_url": {"type": "string", "format": "uri-reference"},
        "grade": {"type": "integer", "minimum": 0, "maximum": 3},
        "flag": {"type": "boolean", "default": False},
    },
    "anyOf": [{"required": ["text"]}, {"required": ["image_url"]}],
}


def test_values_are_cleaned_as_csv_and_json_send_them():
    assert clean(ROW, {"text": " hi ", "grade": "2", "image_url": ""}) == {
        "text": "hi",
        "grade": 2,
        "flag": False,
    }
    assert clean(ROW, {"image_url": "/media/a.png", "flag": "yes"}) == {
        "image_url": "/media/a.png",
        "flag": True,
    }


@pytest.mark.parametrize(
    ("row", "path", "reason"),
    [
        ({}, "text", "give at least one of: text, image_url"),
        ({"text": "too long"}, "text", "is longer than 5 characters"),
        ({"image_url": "data:image/png;base64,AA"}, "image_url", "must be an http(s) URL"),
        ({"text": "a", "grade": "4"}, "grade", "must be a whole number from 0 to 3"),
        ({"text": "a", "grade": True}, "grade", "must be a whole number"),
        ({"text": "a", "flag": "maybe"}, "flag", "must be true or false"),
        ("not an object", "", "must be an object with named fields"),
    ],
)
def test_a_problem_names_its_field_and_reason(row, path, reason):
    with pytest.raises(SchemaError) as info:
        clean(ROW, row)
    assert info.value.path == path and info.value.reason.startswith(reason)


def test_a_declared_sentence_replaces_the_generic_reason_and_is_filled_in():
    grade = {
        "type": "integer",
        "minimum": 0,
        "maximum": 4,
        "errorMessage": {"maximum": "Give a whole number from 0 to %(maximum)d."},
    }
    with pytest.raises(SchemaError) as info:
        clean(grade, 9, path="grade")
    assert info.value.sentence() == "Give a whole number from 0 to 4."
    with pytest.raises(SchemaError) as info:
        clean(grade, "x", path="grade")
    assert info.value.sentence() == "grade: must be a whole number."


def test_lists_check_their_items_and_length():
    labels = {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}, "maxItems": 2}
    assert clean(labels, ["a", "b"]) == ["a", "b"]
    with pytest.raises(SchemaError, match="must be one of: a, b"):
        clean(labels, ["c"])
    with pytest.raises(SchemaError, match="has more than 2 items"):
        clean(labels, ["a", "b", "a"])


def test_the_published_schema_is_translated_text_without_the_checkers_sentences():
    node = {"type": "string", "description": gettext_lazy("Shown"), "errorMessage": "Say it"}
    assert public({"a": [node]}) == {"a": [{"type": "string", "description": "Shown"}]}
