"""Benchmark of live tasks over HTTP: post to answer delivered, and the platform's share of it.

Starts the real server (gunicorn with threads: every available worker's page holds one open
connection) on a scratch PostgreSQL database, makes N simulated workers available (each its
own account and token, its own held offer stream), and has a requester's system post live
tasks at a steady rate, each call held until its answer arrives. A simulated worker accepts
an offer the moment it is pushed, "answers" for a fixed time, then submits.

    .venv/bin/python bench/live.py [--workers 32] [--rate 10] [--seconds 20] [--answer-ms 300]
                                   [--database bench_live_<pid>]

latency: from the post to the answer in the requester's hands; overhead: the same minus the
worker's own answering time (what the platform adds: posting, choosing, pushing, accepting,
submitting, waking the waiting call). Prints a table, then as its last line one JSON object.
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

from assignment import PG, admin_sql, bench_project, django_ready, free_port, log

ROOT = Path(__file__).resolve().parent.parent
# The scratch database: one per run (the process id), so two runs on one server never share
# or drop each other's; --database names it.
DB = f"bench_live_{os.getpid()}"
STATEMENT = "Answers are shown at once to the users of the bench's product, under its name."


def setup_data(env: dict[str, str], workers: int) -> dict:
    django_ready(env)
    from decimal import Decimal

    from microwork.accounts import services as accounts
    from microwork.accounts.models import User, WorkerProfile
    from microwork.ledger.services.deposits import deposit_record
    from microwork.live.services.setup import live_opt_in, live_setup_save

    rita, organisation, project = bench_project(
        name="Bench live",
        description="Is this message fine to show?",
        question="Is this message fine to show?",
        labels=[("ok", "OK"), ("bad", "Not OK")],
        reward=Decimal("0.02"),
        estimated_seconds=10,
        overlap=1,
        time_limit_seconds=60,
    )
    operator = User.objects.create(
        username="bench_omar", email="bench_omar@example.org", password="!", is_staff=True
    )
    deposit_record(
        organisation=organisation,
        amount=Decimal("10000"),
        currency="USD",
        reference="bench-deposit",
        actor=operator,
    )
    live_setup_save(project=project, actor=rita, use_statement=STATEMENT, standby_per_hour="9")
    _token, requester_token = accounts.api_token_create(
        user=rita, name="bench", organisation=organisation
    )
    tokens = []
    for i in range(workers):
        user = User.objects.create(username=f"live{i}", email=f"live{i}@example.org", password="!")
        WorkerProfile.objects.create(user=user, country="NG", languages=["en"])
        live_opt_in(project=project, worker=user)
        tokens.append(accounts.api_token_create(user=user, name="bench")[1])
    from django.db import connections

    connections.close_all()
    # This process is done with the database (its worker processes are forked from it).
    connections["default"].close_pool()
    return {"project": project.pk, "tokens": tokens, "requester": requester_token}


# ---- simulated workers -------------------------------------------------------------------


def _request(conn, method, path, token, body=None):
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


# What a keep-alive connection the server closed while it sat idle looks like to the client
# (gunicorn lets an idle one go after 2 s): the request never reached a handler.
DROPPED = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


def _request_again_once(conn, method, path, token, body, counts):
    """A request on the worker's keep-alive connection, sent once more on a fresh connection
    if the server had closed the idle one: what any HTTP client does (urllib3, browsers), and
    safe here since accept and submit are both idempotent. A second failure is a real one."""
    try:
        return _request(conn, method, path, token, body)
    except DROPPED:
        counts["reconnected"] += 1
        conn.close()
        return _request(conn, method, path, token, body)


def _worker(port, token, project, answer_s, stop, counts):
    """Available; holds the offer stream; accepts what is pushed, answers after answer_s."""
    calls = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    status, _body = _request(
        calls, "PUT", f"/api/live/projects/{project}/availability", token, {"available": True}
    )
    if status != 200:
        counts["availability_refused"] += 1
        return
    while not stop.is_set():
        stream = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            stream.request(
                "GET", "/api/live/offers/stream", headers={"Authorization": f"Bearer {token}"}
            )
            response = stream.getresponse()
            if response.status != 200:
                counts["stream_refused"] += 1
                time.sleep(0.2)
                continue
            event = None
            while not stop.is_set():
                line = response.readline()
                if not line:
                    break
                line = line.decode().rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "offer":
                    offer = json.loads(line[6:])
                    if offer.get("offer"):
                        _answer(calls, token, offer["offer"], answer_s, counts)
        except (OSError, http.client.HTTPException):
            counts["stream_errors"] += 1
            time.sleep(0.2)
        finally:
            stream.close()


# Offers being answered right now in this process: counted before the figures are sent.
_in_flight = [0]
_in_flight_lock = threading.Lock()


def _answer(conn, token, offer_id, answer_s, counts):
    with _in_flight_lock:
        _in_flight[0] += 1
    try:
        _accept_and_submit(conn, token, offer_id, answer_s, counts)
    finally:
        with _in_flight_lock:
            _in_flight[0] -= 1


def _accept_and_submit(conn, token, offer_id, answer_s, counts):
    started = time.perf_counter()
    try:
        status, body = _request_again_once(
            conn, "POST", f"/api/live/offers/{offer_id}/accept", token, None, counts
        )
    except (OSError, http.client.HTTPException):
        counts["accept_errors"] += 1
        conn.close()
        return
    counts["accept_s"].append(time.perf_counter() - started)
    if status != 200:
        counts["accept_refused"] += 1
        return
    assignment = json.loads(body)["assignment"]["id"]
    time.sleep(answer_s)
    started = time.perf_counter()
    try:
        status, _body = _request_again_once(
            conn,
            "POST",
            f"/api/work/assignments/{assignment}/submit",
            token,
            {"answer": "ok", "active_ms": int(answer_s * 1000)},
            counts,
        )
    except (OSError, http.client.HTTPException):
        counts["submit_errors"] += 1
        conn.close()
        return
    counts["submit_s"].append(time.perf_counter() - started)
    counts["answered" if status == 200 else "submit_refused"] += 1


def _workers_process(port, tokens, project, answer_s, stop, out):
    counts: dict = {
        "answered": 0,
        "accept_refused": 0,
        "submit_refused": 0,
        # Requests that failed even on a fresh connection, and streams that broke.
        "accept_errors": 0,
        "submit_errors": 0,
        "stream_errors": 0,
        "stream_refused": 0,
        "availability_refused": 0,
        # Idle keep-alive connections the server had closed, each request sent again once.
        "reconnected": 0,
        "accept_s": [],
        "submit_s": [],
    }
    threads = [
        threading.Thread(
            target=_worker, args=(port, t, project, answer_s, stop, counts), daemon=True
        )
        for t in tokens
    ]
    for t in threads:
        t.start()
    stop.wait()
    # The requester can hear of an answer before the worker has read its submit's response.
    end = time.monotonic() + 10
    while _in_flight[0] and time.monotonic() < end:
        time.sleep(0.05)
    out.put(counts)


# ---- the requester -----------------------------------------------------------------------


def _post(port, token, project, deadline, results, index):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=deadline + 30)
    started = time.perf_counter()
    try:
        status, body = _request(
            conn,
            "POST",
            f"/api/live/projects/{project}/tasks",
            token,
            {"data": {"text": f"message {index}"}, "deadline_seconds": deadline},
        )
        elapsed = time.perf_counter() - started
        payload = json.loads(body) if status == 200 else {"status": f"http {status}"}
        results.append((payload.get("status"), elapsed))
    except (OSError, http.client.HTTPException, ValueError):
        results.append(("error", time.perf_counter() - started))
    finally:
        conn.close()


def run(port, data, args) -> dict:
    stop = mp.Event()
    out: mp.Queue = mp.Queue()
    tokens = data["tokens"]
    procs_n = 2
    procs = [
        mp.Process(
            target=_workers_process,
            args=(port, tokens[i::procs_n], data["project"], args.answer_ms / 1000, stop, out),
        )
        for i in range(procs_n)
    ]
    for p in procs:
        p.start()
    time.sleep(3)  # every worker available and its stream open
    results: list = []
    posters = []
    interval = 1.0 / args.rate
    begin = time.perf_counter()
    n = int(args.seconds * args.rate)
    for i in range(n):
        target = begin + i * interval
        pause = target - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        t = threading.Thread(
            target=_post, args=(port, data["requester"], data["project"], args.deadline, results, i)
        )
        t.start()
        posters.append(t)
    for t in posters:
        t.join()
    wall = time.perf_counter() - begin
    stop.set()
    counts = [out.get() for _ in procs]
    for p in procs:
        p.join(timeout=30)
        if p.is_alive():
            p.terminate()
    answered = sorted(e for s, e in results if s == "answered")
    answer_s = args.answer_ms / 1000

    def pct(values, q):
        return 1000 * values[min(len(values) - 1, int(len(values) * q))] if values else 0.0

    overhead = [max(0.0, e - answer_s) for e in answered]
    return {
        "posted": len(results),
        "answered": len(answered),
        "statuses": {s: sum(1 for r in results if r[0] == s) for s in {r[0] for r in results}},
        "tasks_per_s": len(answered) / wall,
        "p50_ms": 1000 * statistics.median(answered) if answered else 0.0,
        "p99_ms": pct(answered, 0.99),
        "overhead_p50_ms": 1000 * statistics.median(overhead) if overhead else 0.0,
        "overhead_p99_ms": pct(overhead, 0.99),
        "workers": {k: sum(c[k] for c in counts) for k in counts[0] if not k.endswith("_s")},
        "accept_p50_ms": 1000 * statistics.median(sum((c["accept_s"] for c in counts), []) or [0]),
        "submit_p50_ms": 1000 * statistics.median(sum((c["submit_s"] for c in counts), []) or [0]),
    }


def check_invariants() -> dict:
    import psycopg

    with psycopg.connect(f"{PG}/{DB}") as conn:
        twice = conn.execute(
            "SELECT count(*) FROM (SELECT task_id FROM work_submission GROUP BY task_id "
            "HAVING count(*) > 1) x"
        ).fetchone()[0]
        answered_without = conn.execute(
            "SELECT count(*) FROM live_livetask l WHERE l.status = 'answered' AND NOT EXISTS "
            "(SELECT 1 FROM work_submission s WHERE s.task_id = l.task_id)"
        ).fetchone()[0]
        paid_twice = conn.execute(
            "SELECT count(*) FROM (SELECT submission_id FROM ledger_transaction WHERE "
            "kind = 'earning' GROUP BY submission_id HAVING count(*) > 1) x"
        ).fetchone()[0]
    return {
        "tasks_answered_twice": twice,
        "answered_without_answer": answered_without,
        "earnings_booked_twice": paid_twice,
    }


def main() -> None:
    global DB
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--rate", type=float, default=10)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--answer-ms", type=int, default=300)
    parser.add_argument("--deadline", type=int, default=30)
    parser.add_argument("--gunicorn-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--pool-max", type=int, default=10, help="DB_POOL_MAX of each process")
    parser.add_argument("--database", default=DB, help="scratch database, made and dropped")
    args = parser.parse_args()
    if not args.database.isidentifier():
        parser.error("--database: letters, digits and underscores only")
    DB = args.database
    lines: list[str] = []
    admin_sql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DB}")
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        # Each server process shares a pool of PostgreSQL connections among its threads; a
        # held page gives its connection back while it sleeps.
        "DB_POOL_MAX": str(args.pool_max),
        "LOG_LEVEL": "ERROR",
    }
    server = None
    try:
        data = setup_data(env, args.workers)
        port = free_port()
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi",
                "-k",
                "gthread",
                "-w",
                str(args.gunicorn_workers),
                "--threads",
                str(args.threads),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                # Held streams end by themselves within 25 s; a stop need not wait for them.
                "--graceful-timeout",
                "2",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        _wait_for(port, data["requester"], data["project"])
        machine = (
            f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at start), PostgreSQL, "
            f"gunicorn -k gthread -w {args.gunicorn_workers} --threads {args.threads}, "
            f"DB_POOL_MAX {args.pool_max}"
        )
        log(lines, f"live tasks benchmark — {machine}")
        log(
            lines,
            f"{args.workers} available workers, {args.rate:g} live tasks/s for {args.seconds:g} s, "
            f"deadline {args.deadline} s, each worker answers {args.answer_ms} ms after accepting",
        )
        figures = run(port, data, args)
        log(lines)
        log(
            lines,
            f"{'posted':>7} {'answered':>8} {'tasks/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
            f"{'overhead p50':>12} {'overhead p99':>12}",
        )
        log(
            lines,
            f"{figures['posted']:>7} {figures['answered']:>8} {figures['tasks_per_s']:>8.1f} "
            f"{figures['p50_ms']:>8.1f} {figures['p99_ms']:>8.1f} "
            f"{figures['overhead_p50_ms']:>12.1f} {figures['overhead_p99_ms']:>12.1f}",
        )
        log(lines)
        log(
            lines,
            "outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(figures["statuses"].items())),
        )
        log(lines, "workers: " + ", ".join(f"{k} {v}" for k, v in figures["workers"].items()))
        log(
            lines,
            f"the workers' own requests, p50: accept {figures['accept_p50_ms']:.0f} ms, "
            f"submit {figures['submit_p50_ms']:.0f} ms",
        )
        log(lines, "invariants: " + ", ".join(f"{k} {v}" for k, v in check_invariants().items()))
        log(lines, "Load average after the run: " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        summary = {
            "workers": args.workers,
            "tasks_per_s": round(figures["tasks_per_s"], 2),
            "p50_ms": round(figures["p50_ms"], 1),
            "p99_ms": round(figures["p99_ms"], 1),
            "overhead_p50_ms": round(figures["overhead_p50_ms"], 1),
            "overhead_p99_ms": round(figures["overhead_p99_ms"], 1),
            "answered_share": round(figures["answered"] / figures["posted"], 4)
            if figures["posted"]
            else 0.0,
        }
        log(lines, json.dumps(summary))
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        from django.db import connections

        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "live.txt").write_text("\n".join(lines) + "\n")


def _wait_for(port: int, token: str, project: int) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", f"/api/live/projects/{project}", headers=headers)
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.2)
    else:
        raise RuntimeError("gunicorn did not start")
    # Warm every process and thread pool up (URLs, routers, templates load on first use).
    for _ in range(20):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", f"/api/live/projects/{project}", headers=headers)
        conn.getresponse().read()
        conn.close()


if __name__ == "__main__":
    main()
