"""Every API operation that names an object, called by someone who must not reach it.

The operations come from the OpenAPI document itself, so a new endpoint is in this test the
day it is added (and fails it until its id is filled in below). Each is called with Rita's
objects by: Rob (another organisation's token), Rita herself with a token made for the other
organisation she also belongs to, Rita with a token made for no organisation (a worker's
token), and Nina (another worker). Each must answer 403 or 404 and change nothing; then the
owner's own call shows that the ids were real."""

import json
import re
from typing import Any

import pytest

from config.api import api
from microwork.accounts import services as account_services
from tests.scope_world import World, build_world, database_state, join

SCHEMA = api.get_openapi_schema()
PARAM = re.compile(r"{(\w+)}")

# Path parameters that are not ids of anything someone owns.
NOT_OBJECTS = {"key"}

# Work any worker may ask for: a live project is open to every qualified worker.
PUBLIC_TO_WORKERS = {
    ("POST", "/api/work/projects/{project_id}/claim"),
    ("POST", "/api/work/projects/{project_id}/leave"),
    ("POST", "/api/work/projects/{project_id}/notify"),
    # Anyone may read a project's declaration and agree to it (or be told there is none).
    ("POST", "/api/work/projects/{project_id}/consent"),
    # Any worker may read a live project's statement, agree to it and be available for it.
    ("POST", "/api/live/projects/{project_id}/opt-in"),
    ("PUT", "/api/live/projects/{project_id}/availability"),
}

# A valid body for every operation that takes one, so what answers is the access check and
# not the body's validation. Values in <angle brackets> are ids from the world.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PATCH", "/api/projects/{project_id}"): {"name": "Taken over"},
    ("POST", "/api/projects/{project_id}/status"): {"status": "paused"},
    ("POST", "/api/projects/{project_id}/tasks"): {"tasks": [{"text": "a new picture"}]},
    # Multipart in real use; the access check answers before the body is read.
    ("POST", "/api/projects/{project_id}/media"): {"files": []},
    ("PUT", "/api/projects/{project_id}/aggregation"): {"dynamic_overlap": True},
    ("PUT", "/api/work/assignments/{assignment_id}/draft"): {"draft": "cat"},
    ("POST", "/api/work/projects/{project_id}/consent"): {},
    ("POST", "/api/work/assignments/{assignment_id}/submit"): {"answer": "cat"},
    ("POST", "/api/quality/projects/{project_id}/tests"): {
        "name": "Taken over",
        "task_ids": "<task_ids>",
        "question_count": 2,
    },
    ("PUT", "/api/quality/projects/{project_id}/rules"): {"rule_key": "too_fast"},
    ("PUT", "/api/quality/projects/{project_id}/settings"): {"appeal_deadline_hours": 24},
    ("PUT", "/api/quality/projects/{project_id}/approval-rules"): {"rule_key": "trusted_worker"},
    ("POST", "/api/quality/projects/{project_id}/requirements"): {
        "subject": "qualification",
        "comparator": "exists",
        "qualification_id": "<qualification_id>",
    },
    ("POST", "/api/quality/appeals/{appeal_id}/decide"): {
        "reverse": True,
        "response": "You were right.",
    },
    ("POST", "/api/quality/qualifications/{qualification_id}/grants"): {"worker": "walt"},
    ("POST", "/api/quality/submissions/{submission_id}/reject"): {
        "reason": "wrong_answer",
        "confirm": True,
    },
    ("POST", "/api/submissions/{submission_id}/reject"): {
        "reason": "wrong_answer",
        "confirm": True,
    },
    ("POST", "/api/quality/projects/{project_id}/submissions/reject"): {
        "reason": "wrong_answer",
        "confirm": True,
        "submission_ids": "<submission_ids>",
    },
    ("POST", "/api/projects/{project_id}/submissions/reject"): {
        "reason": "wrong_answer",
        "confirm": True,
        "submission_ids": "<submission_ids>",
    },
    ("POST", "/api/quality/decisions/{decision_id}/appeal"): {"message": "Not fair."},
    ("POST", "/api/work/assignments/{assignment_id}/uploads"): {"size": 10},
    # Multipart: the file is missing, which the owner is told after the access check.
    ("POST", "/api/work/assignments/{assignment_id}/files"): {},
    # Raw bytes at ?offset=N; without it the owner is told so after the access check.
    ("PUT", "/api/work/uploads/{upload_id}"): {},
    ("POST", "/api/money/payouts"): {"method_id": "<method_id>", "amount": "1.00"},
    ("POST", "/api/projects/{project_id}/submissions/approve"): {
        "submission_ids": "<submission_ids>"
    },
    ("PATCH", "/api/webhooks/subscriptions/{subscription_id}"): {"is_active": False},
    ("POST", "/api/webhooks/subscriptions/{subscription_id}/rotate-secret"): {},
    ("POST", "/api/webhooks/subscriptions/{subscription_id}/test"): {},
    ("PUT", "/api/live/projects/{project_id}"): {
        "use_statement": "Answers are shown at once inside Acme's assistant.",
        "standby_per_hour": "9",
    },
    ("POST", "/api/live/projects/{project_id}/tasks"): {
        "data": {"text": "a live one"},
        "deadline_seconds": 10,
        "wait": False,
    },
    ("PUT", "/api/live/projects/{project_id}/availability"): {"available": True},
    ("POST", "/api/live/projects/{project_id}/opt-in"): {},
    ("POST", "/api/live/offers/{offer_id}/accept"): {},
    ("POST", "/api/live/offers/{offer_id}/decline"): {},
    ("POST", "/api/projects/{project_id}/bonuses"): {
        "worker_ids": "<worker_ids>",
        "amount": "0.10",
        "message": "Thank you",
        "request_key": "bonus-1",
    },
}

# Operations whose owner is a worker (Walt); every other one is a requester's (Rita's).
WORKER_PATHS = ("/api/work/", "/api/quality/decisions/", "/api/money/payouts", "/api/live/offers/")
# Worker operations under a requester's prefix: a live project's opt-in and availability.
WORKER_OPS = {
    ("POST", "/api/live/projects/{project_id}/opt-in"),
    ("PUT", "/api/live/projects/{project_id}/availability"),
}


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return SCHEMA["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def _body_id_fields(op: dict[str, Any]) -> set[str]:
    content = op.get("requestBody", {}).get("content", {})
    schema = _resolve(content.get("application/json", {}).get("schema", {}))
    return {name for name in schema.get("properties", {}) if re.search(r"_ids?$", name)}


def _operations() -> list[tuple[str, str, set[str]]]:
    found = []
    for path, ops in SCHEMA["paths"].items():
        for method, op in ops.items():
            params = set(PARAM.findall(path)) - NOT_OBJECTS
            body_ids = _body_id_fields(op)
            if params or body_ids:
                found.append((method.upper(), path, body_ids))
    return sorted(found)


OPERATIONS = _operations()


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _call(client, method: str, path: str, token: str, ids: dict[str, Any], body_ids: dict):
    url = PARAM.sub(lambda m: str(ids[m.group(1)]), path)
    body = _fill(BODIES.get((method, path)), body_ids)
    return client.generic(
        method,
        url,
        data=json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_every_operation_that_names_an_object_is_in_this_test():
    assert len(OPERATIONS) > 40
    for method, path, _body in OPERATIONS:
        for param in PARAM.findall(path):
            assert param in NOT_OBJECTS or param in {
                "project_id",
                "batch_id",
                "run_id",
                "appeal_id",
                "decision_id",
                "qualification_id",
                "submission_id",
                "assignment_id",
                "ref",
                "upload_id",
                "username",
                "subscription_id",
                "delivery_id",
                "live_task_id",
                "offer_id",
            }, f"{method} {path}: say which object {param} names in tests/scope_world.py"
        op = SCHEMA["paths"][path][method.lower()]
        if "requestBody" in op:
            assert (method, path) in BODIES, f"{method} {path}: add a valid body to BODIES"


@pytest.fixture
def world(settings, rita, rob, walt, nina, omar) -> World:
    # Walt's payout method is a simulated one.
    settings.SIMULATED_PAYMENTS = True
    return build_world(rita=rita, rob=rob, walt=walt, nina=nina, omar=omar)


@pytest.fixture
def strangers(world, rita, rob, nina) -> dict[str, str]:
    """Tokens of everyone who must not reach Rita's organisation's objects or Walt's tasks."""
    join(rita, world.other)
    return {
        "rob": account_services.api_token_create(user=rob, name="rob", organisation=world.other)[1],
        # Rita belongs to both organisations; this token was made for the other one.
        "rita for the other organisation": account_services.api_token_create(
            user=rita, name="other", organisation=world.other
        )[1],
        # Made for no organisation: a worker's token, whoever made it.
        "rita without organisation": account_services.api_token_create(user=rita, name="me")[1],
        "nina": account_services.api_token_create(user=nina, name="phone")[1],
    }


@pytest.mark.parametrize(("method", "path", "body_ids"), OPERATIONS, ids=lambda v: str(v))
def test_nobody_else_reaches_the_object_through_any_operation(
    client, world, strangers, rita, walt, method, path, body_ids
):
    public_for = {"nina"} if (method, path) in PUBLIC_TO_WORKERS else set()
    before = database_state()
    for who, token in strangers.items():
        if who in public_for:
            continue
        r = _call(client, method, path, token, world.ids, world.ids)
        assert r.status_code in (403, 404), (who, r.status_code, r.content[:300])
        assert r.json()["code"], who
        assert database_state() == before, f"{who} changed the database through {method} {path}"

    # The same call by the owner is let through: the ids above were real.
    worker_op = path.startswith(WORKER_PATHS) or (method, path) in WORKER_OPS
    owner = walt if worker_op else rita
    organisation = None if worker_op else world.acme
    key = account_services.api_token_create(user=owner, name="own", organisation=organisation)[1]
    r = _call(client, method, path, key, world.ids, world.ids)
    assert r.status_code not in (401, 403, 404), (r.status_code, r.content[:300])


BODY_ID_OPERATIONS = [op for op in OPERATIONS if op[2]]


@pytest.mark.parametrize(("method", "path", "body_ids"), BODY_ID_OPERATIONS, ids=str)
def test_ids_in_the_body_reach_only_the_callers_own_objects(
    client, world, strangers, method, path, body_ids
):
    """Rob on his own project, naming Rita's tasks, answers, qualification or workers in the
    body; Nina naming Walt's payout method."""
    token = strangers["nina"] if path.startswith(WORKER_PATHS) else strangers["rob"]
    before = database_state()
    r = _call(client, method, path, token, world.rob_ids, world.ids)
    assert r.status_code in (400, 403, 404), (r.status_code, r.content[:300])
    assert database_state() == before
