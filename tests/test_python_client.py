"""The Python client (clients/python): its generated code matches the API's document, and it
works against a live server — pagination, errors naming the field, uploads, downloads — and
retries the way its documentation says (a receiver on the loopback plays the failing server)."""

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from microwork_client import ApiError, Client, RetryPolicy, TransportError

from config.api import api
from microwork.accounts import services as account_services
from microwork.accounts.access import access_organisation_for_requester

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "clients" / "python" / "scripts" / "generate.py"
SINGLE_CHOICE = {
    "question": "Which animal?",
    "labels": [{"value": "cat", "text": "Cat"}, {"value": "dog", "text": "Dog"}],
}


def _generator():
    spec = importlib.util.spec_from_file_location("microwork_client_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_generated_client_matches_the_api_document():
    generator = _generator()
    expected = generator.render(api.get_openapi_schema())
    assert generator.TARGET.read_text(encoding="utf-8") == expected, (
        "The API changed: run python clients/python/scripts/generate.py and commit the result."
    )


def _project_spec(**more):
    return {
        "name": "Cats or dogs",
        "description": "Say which animal is in the picture.",
        "interface": "single_choice",
        "config": SINGLE_CHOICE,
        "reward": "0.05",
        "estimated_seconds": 10,
        "overlap": 1,
        **more,
    }


@pytest.fixture
def requester(transactional_db, live_server, rita):
    org = access_organisation_for_requester(user=rita)
    _token, key = account_services.api_token_create(user=rita, name="client", organisation=org)
    return Client(live_server.url, key, retry=RetryPolicy(attempts=2, backoff=0))


def test_create_upload_list_every_page_and_download(requester, tmp_path):
    project = requester.create_project(_project_spec())
    assert project["status"] == "draft"
    added = requester.upload_tasks(
        project["id"], {"tasks": [{"text": f"picture {i}"} for i in range(5)]}
    )
    assert added["rows_added"] == 5
    # A page of two at a time: every task once, in order.
    texts = [t["data"]["text"] for t in requester.iter_list_tasks(project["id"], page_size=2)]
    assert texts == [f"picture {i}" for i in range(5)]
    first_page = requester.list_tasks(project["id"], page=1, page_size=2)
    assert first_page["count"] == 5
    assert len(first_page["items"]) == 2
    # A file, then the same file again: the second adds nothing.
    csv = tmp_path / "more.csv"
    csv.write_text("text\nseal\nwhale\n", encoding="utf-8")
    batch = requester.upload_tasks_file(project["id"], csv)
    if batch["status"] in ("pending", "processing"):
        batch = requester.wait_for_batch(batch["id"], interval=0.2, timeout=60)
    assert batch["rows_added"] == 2
    again = requester.upload_tasks_file(project["id"], csv)
    assert again["duplicate"] is True
    progress = requester.progress(project["id"])
    assert (progress["regular"], progress["complete"]) == (7, 0)
    out = requester.download(project["id"], tmp_path / "results.csv")
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("task_id")
    assert len(lines) == 8
    assert any(p["id"] == project["id"] for p in requester.iter_list_projects())


def test_a_refusal_is_an_api_error_naming_the_field(requester):
    with pytest.raises(ApiError) as refused:
        requester.create_project(_project_spec(interface="no_such_kind"))
    assert refused.value.status in (400, 422)
    assert refused.value.field == "interface"
    with pytest.raises(ApiError) as missing:
        requester.get_project(999_999)
    assert missing.value.status == 404


def test_a_bad_token_is_refused(live_server, transactional_db):
    with pytest.raises(ApiError) as refused:
        Client(live_server.url, "not-a-token").iter_list_projects().__next__()
    assert refused.value.status == 401


class _Flaky:
    """A server answering each request with the next (status, headers) planned, recording what
    it was sent."""

    def __init__(self, plan):
        self.plan = list(plan)
        self.seen = []
        flaky = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                flaky.seen.append((self.command, self.path, self.rfile.read(length)))
                status, headers, body = (
                    flaky.plan.pop(0) if flaky.plan else (200, {}, {"items": [], "count": 0})
                )
                data = json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def waits():
    return []


def _client(url, waits, attempts=4):
    return Client(url, "t", retry=RetryPolicy(attempts=attempts, backoff=0.5, sleep=waits.append))


def test_429_and_5xx_are_retried_honouring_retry_after(waits):
    busy = {"code": "busy", "message": "later"}
    flaky = _Flaky(
        [
            (429, {"Retry-After": "7"}, busy),
            (503, {}, busy),
            (200, {}, {"id": 3, "status": "done"}),
        ]
    )
    try:
        assert _client(flaky.url, waits).get_batch(3)["status"] == "done"
    finally:
        flaky.close()
    assert len(flaky.seen) == 3
    assert waits[0] == 7
    # No Retry-After: the back-off (0.5 s after the second failure, plus up to a quarter).
    assert 1.0 <= waits[1] <= 1.25


def test_a_post_that_could_count_twice_is_not_retried_after_a_server_error(waits):
    flaky = _Flaky([(500, {}, {"code": "server_error", "message": "oops"})])
    try:
        with pytest.raises(ApiError) as failed:
            _client(flaky.url, waits).create_project(_project_spec())
    finally:
        flaky.close()
    assert failed.value.status == 500
    assert len(flaky.seen) == 1


def test_a_keyed_post_is_retried_with_the_same_idempotency_key(waits):
    flaky = _Flaky(
        [
            (502, {}, {"code": "bad_gateway", "message": "x"}),
            (201, {}, {"id": 1}),
        ]
    )
    try:
        _client(flaky.url, waits).bonus_send(
            4, {"worker_ids": [1], "amount": "0.10", "message": "Thanks"}
        )
    finally:
        flaky.close()
    keys = [json.loads(body)["request_key"] for _verb, _path, body in flaky.seen]
    assert len(keys) == 2
    assert keys[0] == keys[1] and len(keys[0]) >= 16


def test_every_retry_spent_raises_the_last_error(waits):
    flaky = _Flaky([(503, {}, {"code": "down", "message": "down"})] * 3)
    try:
        with pytest.raises(ApiError) as failed:
            _client(flaky.url, waits, attempts=3).get_batch(1)
    finally:
        flaky.close()
    assert failed.value.code == "down"
    assert len(waits) == 2


def test_a_server_that_is_not_there_is_a_transport_error(waits):
    import socket

    spare = socket.socket()
    spare.bind(("127.0.0.1", 0))
    port = spare.getsockname()[1]
    spare.close()
    with pytest.raises(TransportError):
        _client(f"http://127.0.0.1:{port}", waits, attempts=2).get_batch(1)
    assert len(waits) == 1
