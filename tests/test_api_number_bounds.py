"""No number a client sends can make the API answer 500.

Every operation is read from the OpenAPI document, so an endpoint added later is probed too:
each integer in a path, query or body gets values past every database's integer range, and
each money field gets values past the ledger's precision. A client error (4xx) is right; a
server error never is — on SQLite (OverflowError past 2**63-1) as on PostgreSQL (bigint and
numeric overflow)."""

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from config.api import api
from microwork.payments.tests.conftest import add_tasks, answer, go_live, make_project

BAD_INTS = [2**63, 10**30, -1, -(2**63) - 1, 0]
BAD_AMOUNTS = ["1e12", "1000000000000", "NaN", "Infinity", "-Infinity", "1E+999999", "0.0000001"]
MONEY_FIELDS = {"reward", "amount"}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _kinds(schema: dict[str, Any], components: dict[str, Any]) -> set[str]:
    """The JSON types a (possibly nullable, possibly referenced) schema accepts."""
    schema = _resolve(schema, components)
    if "anyOf" in schema:
        return set().union(*(_kinds(s, components) for s in schema["anyOf"]))
    kind = schema.get("type")
    if kind == "array":
        return {"array:" + k for k in _kinds(schema.get("items", {}), components)}
    return {kind} if kind else set()


def _operations() -> list[tuple[str, str, dict[str, Any]]]:
    document = api.get_openapi_schema()
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            found.append((method, path, operation))
    return found


def _body_schema(operation: dict[str, Any], components: dict[str, Any]) -> dict[str, Any] | None:
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return None
    return _resolve(content["application/json"]["schema"], components)


def _cases() -> list[Any]:
    """One case per operation: every (where, name, value) a client could send it."""
    components = api.get_openapi_schema()["components"]["schemas"]
    cases = []
    for method, path, operation in _operations():
        probes = []
        for parameter in operation.get("parameters", []):
            if "integer" in _kinds(parameter["schema"], components):
                probes += [(parameter["in"], parameter["name"], v) for v in BAD_INTS]
        body = _body_schema(operation, components)
        for name, field in (body or {}).get("properties", {}).items():
            kinds = _kinds(field, components)
            if "integer" in kinds:
                values: list[Any] = BAD_INTS
            elif "array:integer" in kinds:
                values = [[v] for v in BAD_INTS]
            elif name in MONEY_FIELDS or "number" in kinds:
                values = [*BAD_AMOUNTS, 1e300]
            else:
                continue
            probes += [("body", name, v) for v in values]
        if probes:
            cases.append(pytest.param(method, path, probes, id=f"{method} {path}"))
    return cases


def _filler(field: dict[str, Any], components: dict[str, Any]) -> Any:
    kinds = _kinds(field, components)
    if "integer" in kinds:
        return 1
    if "array:integer" in kinds:
        return [1]
    if "number" in kinds:
        return "1"
    if "boolean" in kinds:
        return True
    if "object" in kinds:
        return {}
    if any(k.startswith("array") for k in kinds):
        return []
    return "x"


@pytest.fixture
def rich_acme(rita, omar):
    from microwork.accounts.access import access_organisation_for_requester
    from microwork.ledger.services.deposits import deposit_record

    organisation = access_organisation_for_requester(user=rita)
    deposit_record(
        organisation=organisation, amount="100", currency="USD", reference="acme", actor=omar
    )
    return organisation


@pytest.fixture
def world(rita, walt, rich_acme, client):
    """Rita's live project with answers waiting, so that handlers reach their deep paths."""
    from datetime import timedelta

    from django.utils import timezone

    from microwork.quality.models import Qualification
    from microwork.work.models import Assignment

    project = make_project(rich_acme, rita, tasks=5)
    add_tasks(project, rita, 2, gold=2)
    go_live(project, rita)
    submission = answer(project, walt)
    task = project.tasks.exclude(pk=submission.task_id).filter(is_gold=False).first()
    now = timezone.now()
    assignment = Assignment.objects.create(
        project=project, task=task, worker=walt, leased_at=now, expires_at=now + timedelta(hours=1)
    )
    qualification = Qualification.objects.create(organisation=rich_acme, name="Careful")
    return {
        "project_id": project.pk,
        "submission_id": submission.pk,
        "assignment_id": assignment.pk,
        "qualification_id": qualification.pk,
    }


@pytest.mark.parametrize(("method", "path", "probes"), _cases())
def test_no_number_makes_the_api_fail(
    world, rita_token, walt_token, client: Client, method, path, probes
):
    components = api.get_openapi_schema()["components"]["schemas"]
    operation = dict(_operations_by_key())[(method, path)]
    schema = _body_schema(operation, components)
    for where, name, value in probes:
        url = path
        for param in re.findall(r"{(\w+)}", path):
            given = value if (where == "path" and param == name) else world.get(param, 1)
            url = url.replace("{" + param + "}", str(given))
        body = None
        if schema is not None:
            body = {
                field: _filler(spec, components)
                for field, spec in schema.get("properties", {}).items()
                if field in schema.get("required", [])
            }
            if where == "body":
                body[name] = value
        for token in (rita_token, walt_token):
            kwargs: dict[str, Any] = {"headers": {"Authorization": f"Bearer {token}"}}
            if body is not None:
                kwargs["data"] = json.dumps(body, default=str)
                kwargs["content_type"] = "application/json"
            elif where == "query":
                kwargs["query_params"] = {name: value}
            response = getattr(client, method)(url, **kwargs)
            assert response.status_code < 500, (url, where, name, value, response.content[:300])


def _operations_by_key() -> list[tuple[tuple[str, str], dict[str, Any]]]:
    return [((m, p), op) for m, p, op in _operations()]


def test_amount_bound_is_within_the_stored_precision():
    from microwork.lib.money import AMOUNT_DIGITS, AMOUNT_PLACES, MAX_AMOUNT

    assert Decimal(10) ** (AMOUNT_DIGITS - AMOUNT_PLACES) > MAX_AMOUNT
