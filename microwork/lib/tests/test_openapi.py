"""The OpenAPI document describes what the API really sends: one schema per name, every
status an operation answers, and nullable fields marked."""

import json
from collections import defaultdict
from typing import Any, get_args

from ninja.constants import NOT_SET
from pydantic import BaseModel

from config.api import api
from microwork.lib.api_errors import STANDARD_ERRORS, ErrorOut


def _operations():
    for _prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                yield path, operation


def _models_in(annotation: Any, seen: set[type]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in seen:
            return
        seen.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, seen)
        return
    for arg in get_args(annotation):
        _models_in(arg, seen)


def _schema_classes() -> set[type]:
    """Every schema class an operation takes or answers with (not ninja's own wrappers of
    them, which never reach the document)."""
    seen: set[type] = set()
    for _path, operation in _operations():
        for model in operation.response_models.values():
            if model is not NOT_SET and model is not None:
                _models_in(model.model_fields["response"].annotation, seen)
        for params in operation.models:
            for field in params.model_fields.values():
                _models_in(field.annotation, seen)
    return seen


def test_every_schema_the_api_uses_has_a_name_of_its_own():
    # Ninja files schemas under their class name: two classes with one name means one of
    # them is silently documented with the other's fields.
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _schema_classes():
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not clashes, clashes


def test_each_documented_schema_has_the_fields_of_its_class():
    document = api.get_openapi_schema()
    components = document["components"]["schemas"]
    for cls in _schema_classes():
        if cls.__name__ not in components:
            continue
        documented = set(components[cls.__name__].get("properties", {}))
        assert documented == set(cls.model_json_schema()["properties"]), cls


def test_every_operation_documents_its_errors_in_the_one_error_shape():
    document = api.get_openapi_schema()
    error_ref = "#/components/schemas/ErrorOut"
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = {str(status): r for status, r in operation["responses"].items()}
            for status in STANDARD_ERRORS:
                assert str(status) in responses, (method, path, status)
                schema = responses[str(status)]["content"]["application/json"]["schema"]
                assert schema == {"$ref": error_ref}, (method, path, status)
    assert set(document["components"]["schemas"]["ErrorOut"]["properties"]) == set(
        ErrorOut.model_fields
    )


def _nullable(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "null" or any(
        _nullable(s) for s in schema.get("anyOf", []) + schema.get("oneOf", [])
    )


def _unconstrained(schema: dict[str, Any]) -> bool:
    # `Any`: every JSON value, null included.
    return not {"type", "anyOf", "oneOf", "allOf", "$ref", "enum", "const"} & set(schema)


def test_optional_fields_are_marked_nullable():
    # A field typed `X | None`, or one that is null unless set, must say so, or a client
    # generated from the document fails on the first null it reads.
    components = api.get_openapi_schema()["components"]["schemas"]
    for cls in _schema_classes():
        if cls.__name__ not in components:
            continue
        properties = components[cls.__name__].get("properties", {})
        for name, field in cls.model_fields.items():
            if type(None) in get_args(field.annotation) or (
                not field.is_required() and field.default is None
            ):
                assert _nullable(properties[name]) or _unconstrained(properties[name]), (cls, name)


def test_the_document_has_no_key_twice(client):
    # A response documented by hand as "200" beside the framework's 200 made the same key
    # twice in the JSON: the docs page refused the whole document.
    repeated = []

    def pairs_hook(pairs):
        keys = [key for key, _value in pairs]
        repeated.extend(key for key in set(keys) if keys.count(key) > 1)
        return dict(pairs)

    response = client.get("/api/openapi.json")
    json.loads(response.content, object_pairs_hook=pairs_hook)
    assert repeated == []
