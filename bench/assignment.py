"""Benchmark of the assignment engine over HTTP, against raw SQL as the ceiling.

Starts the real server (gunicorn, 4 worker processes) on a scratch PostgreSQL database with
100,000 tasks at overlap 3, drives C simulated workers (each its own account and token, one
keep-alive HTTP connection each) through claim -> submit for a fixed time, then issues the
same statements a claim and a submit send (with the production submission hooks) straight to
PostgreSQL with psycopg as the ceiling, and finally checks the invariants on everything both
produced. bench/assignment_ceiling.py says how those statements were captured from the engine;
a test keeps its lists equal to what the engine sends.

    .venv/bin/python bench/assignment.py [--seconds 10] [--levels 1,8,32,64]

Every figure is the median of three runs. Prints a table, then as its last line one JSON object
with the figures at 32 workers and the statements per claim and per submit.
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import assignment_ceiling as ceiling
import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = "postgres://postgres@127.0.0.1:5432"
DB = "bench_assignment"
OVERLAP = ceiling.OVERLAP
HEADLINE = 32


def log(lines: list[str], text: str = "") -> None:
    print(text, flush=True)
    lines.append(text)


def admin_sql(statement: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(statement)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def django_ready(env: dict[str, str]) -> None:
    """Migrate the scratch database, then set Django up in this process against it."""
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def bench_project(**settings: Any) -> tuple[Any, Any, Any]:
    """The bench's requester (Bench Labs) and a live single-choice project of theirs with the
    given settings (name, description, question, labels, reward, estimated_seconds, overlap,
    time_limit_seconds); returns (requester, organisation, project)."""
    from microwork.accounts import services as accounts
    from microwork.accounts.models import Organisation
    from microwork.projects.models import Project

    rita = accounts.requester_signup(
        username="bench_rita",
        email="bench_rita@example.org",
        password="a-long-pass-123",
        organisation_name="Bench Labs",
    )
    organisation = Organisation.objects.get(memberships__user=rita)
    question = settings.pop("question")
    labels = [{"value": value, "text": text} for value, text in settings.pop("labels")]
    project = Project.objects.create(
        organisation=organisation,
        created_by=rita,
        interface="single_choice",
        config={"question": question, "labels": labels},
        gold_rate=Decimal("0"),
        status=Project.Status.LIVE,
        **settings,
    )
    return rita, organisation, project


def setup_data(env: dict[str, str], tasks: int, workers: int) -> dict:
    """Migrate, then create the project, its tasks, and the workers with their tokens."""
    django_ready(env)
    from microwork.accounts import services as accounts
    from microwork.accounts.models import User, WorkerProfile
    from microwork.ledger.models import Account
    from microwork.payments.services.accounts import worker_account
    from microwork.projects.models import Batch, Task
    from microwork.quality.models import WorkerSkill

    rita, organisation, project = bench_project(
        name="Bench images",
        description="Is each image fine for a family website?",
        question="Is this image acceptable?",
        labels=[("ok", "OK"), ("gory", "Gory")],
        reward=Decimal("0.01"),
        estimated_seconds=20,
        overlap=OVERLAP,
        time_limit_seconds=600,
    )
    batch = Batch.objects.create(
        project=project, uploaded_by=rita, filename="bench.csv", file_format="csv", status="done"
    )
    started = time.monotonic()
    Task.objects.bulk_create(
        (
            Task(project=project, batch=batch, row_number=i, data={"text": f"Picture {i}"})
            for i in range(1, tasks + 1)
        ),
        batch_size=5000,
    )
    inserted = time.monotonic() - started
    _fund(project, organisation, rita, tasks)
    tokens, sql_workers = [], []
    for i in range(workers):
        user = User.objects.create(username=f"http{i}", email=f"http{i}@example.org", password="!")
        WorkerProfile.objects.create(user=user, country="NG", languages=["en"])
        tokens.append(accounts.api_token_create(user=user, name="bench")[1])
        other = User.objects.create(username=f"sql{i}", email=f"sql{i}@example.org", password="!")
        WorkerProfile.objects.create(user=other, country="NG", languages=["en"])
        sql_workers.append(other.pk)
        # What the first answer of a worker makes: the ceiling replays the later answers.
        worker_account(other, Account.Kind.WORKER_PENDING, project.currency)
        WorkerSkill.objects.get_or_create(project=project, worker=other)
    from django.db import connection, connections

    # Fresh planner statistics, as autovacuum would have them a minute after an upload: with
    # the empty-table estimates the candidate query sorts every open task instead of walking
    # the ordering index, and the first levels would measure that instead of the engine.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connections.close_all()
    return {
        "project": project.pk,
        "tokens": tokens,
        "sql_workers": sql_workers,
        "insert_seconds": inserted,
    }


def _fund(project, organisation, rita, tasks: int) -> None:
    """Money for every answer, as a requester would have it, so the earning hook can book."""
    try:
        from microwork.accounts.models import User
        from microwork.ledger.services.deposits import deposit_record
        from microwork.payments.services import escrow as payments_escrow
    except ImportError:
        return
    operator = User.objects.create(
        username="bench_omar", email="bench_omar@example.org", password="!", is_staff=True
    )
    need = payments_escrow.escrow_needed(project, tasks)
    deposit_record(
        organisation=organisation,
        amount=need * 2,
        currency=project.currency,
        reference="bench-deposit",
        actor=operator,
    )
    payments_escrow.project_tasks_fund(project=project, actor=rita)


# ---- HTTP load ---------------------------------------------------------------------------


def _http_worker(port, token, project, seconds, out):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    claims, lat, submit_lat, errors = 0, [], [], 0
    end = time.monotonic() + seconds
    body = json.dumps({"answer": "ok", "active_ms": 900})
    try:
        while time.monotonic() < end:
            try:
                t0 = time.perf_counter()
                conn.request(
                    "POST", f"/api/work/projects/{project}/claim", body="", headers=headers
                )
                r = conn.getresponse()
                data = r.read()
                lat.append(time.perf_counter() - t0)
                if r.status != 200:
                    errors += 1
                    continue
                payload = json.loads(data)
                if payload["state"] != "assigned":
                    errors += 1
                    continue
                claims += 1
                t1 = time.perf_counter()
                conn.request(
                    "POST",
                    f"/api/work/assignments/{payload['assignment']['id']}/submit",
                    body=body,
                    headers=headers,
                )
                r = conn.getresponse()
                r.read()
                submit_lat.append(time.perf_counter() - t1)
                if r.status != 200:
                    errors += 1
            except (OSError, http.client.HTTPException, ValueError):
                errors += 1
                conn.close()
    finally:
        conn.close()
        out.put((claims, lat, submit_lat, errors))


def _floor_worker(port, token, project, seconds, out):
    """The cheapest authenticated API request there is (an assignment that does not exist: a
    token check, one lookup and a 404), as fast as it goes: what Django, django-ninja and the
    token cost before the engine does anything."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}"}
    done, lat, errors = 0, [], 0
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            try:
                t0 = time.perf_counter()
                conn.request("GET", "/api/work/assignments/0", headers=headers)
                r = conn.getresponse()
                r.read()
                lat.append(time.perf_counter() - t0)
                if r.status == 404:
                    done += 1
                else:
                    errors += 1
            except (OSError, http.client.HTTPException):
                errors += 1
                conn.close()
    finally:
        conn.close()
        out.put((done, lat, [], errors))


def _process(target, jobs, out):
    threads = [threading.Thread(target=target, args=(*job, out)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run_parallel(target, jobs: list[tuple], seconds: float) -> dict:
    """Spread the simulated workers over a few processes (threads inside each), so the
    client's own interpreter lock does not become the bottleneck being measured."""
    procs_n = min(len(jobs), os.cpu_count() or 2, 8)
    out: mp.Queue = mp.Queue()
    procs = [
        mp.Process(target=_process, args=(target, jobs[i::procs_n], out)) for i in range(procs_n)
    ]
    started = time.monotonic()
    for p in procs:
        p.start()
    results = [out.get() for _ in jobs]
    for p in procs:
        p.join()
    wall = max(seconds, time.monotonic() - started - 0.5)
    claims = sum(r[0] for r in results)
    lat = sorted(x for r in results for x in r[1])
    sub = sorted(x for r in results for x in r[2])
    return {
        "claims_per_s": claims / seconds,
        "p50_ms": 1000 * statistics.median(lat) if lat else 0.0,
        "p99_ms": 1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))] if lat else 0.0,
        "submit_p50_ms": 1000 * statistics.median(sub) if sub else 0.0,
        "errors": sum(r[3] for r in results),
        "claims": claims,
        "wall": wall,
    }


# ---- raw SQL ceiling -----------------------------------------------------------------------


def run_median(target, jobs: list[tuple], seconds: float, runs: int = 3) -> dict:
    """`runs` runs of run_parallel; the one with the median claims/s, whole, so that its
    latencies and errors belong to the same run. On a shared machine one run can land on a
    neighbour's burst of load: the median of three does not move with it."""
    done = sorted(
        (run_parallel(target, jobs, seconds) for _ in range(runs)),
        key=lambda figures: figures["claims_per_s"],
    )
    return {**done[len(done) // 2], "runs": runs}


def _sql_worker(project, worker, seconds, out):
    lat: list[float] = []
    submit_lat: list[float] = []
    errors = 0
    db = None
    try:
        db = ceiling.Session(f"{PG}/{DB}")
        end = time.monotonic() + seconds
        while time.monotonic() < end and ceiling.cycle(db, project, worker, lat, submit_lat):
            pass
    except psycopg.Error:
        # Typically "too many clients" when other programs share the server: counted, shown.
        errors += 1
    finally:
        if db is not None:
            db.close()
        out.put((len(lat), lat, submit_lat, errors))


# ---- invariants --------------------------------------------------------------------------


def check_invariants() -> tuple[bool, dict]:
    with psycopg.connect(f"{PG}/{DB}") as conn:
        over = conn.execute(
            "SELECT count(*) FROM (SELECT task_id FROM work_submission GROUP BY task_id "
            "HAVING count(*) > %s) x",
            (OVERLAP,),
        ).fetchone()[0]
        mismatched = conn.execute(
            "SELECT count(*) FROM projects_task t WHERE t.answers_count <> "
            "(SELECT count(*) FROM work_submission s WHERE s.task_id = t.id)"
        ).fetchone()[0]
        twice = conn.execute(
            "SELECT count(*) FROM (SELECT 1 FROM work_assignment GROUP BY task_id, worker_id "
            "HAVING count(*) > 1) x"
        ).fetchone()[0]
        open_over = conn.execute(
            "SELECT count(*) FROM projects_task t WHERE t.answers_count + (SELECT count(*) FROM "
            "work_assignment a WHERE a.task_id = t.id AND a.status = 'leased' "
            "AND a.expires_at > now()) > %s",
            (OVERLAP,),
        ).fetchone()[0]
        answers = conn.execute("SELECT count(*) FROM work_submission").fetchone()[0]
    facts = {
        "tasks_over_overlap": over,
        "count_mismatches": mismatched,
        "duplicate_task_worker": twice,
        "slots_overcommitted": open_over,
        "answers": answers,
    }
    return (over == mismatched == twice == open_over == 0), facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--levels", default="1,8,32,64")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    args = parser.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    lines: list[str] = []
    admin_sql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    admin_sql(f"CREATE DATABASE {DB}")
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "DB_CONN_MAX_AGE": "600",
        # The floor measurement answers 404 on purpose; a log line per request would be measured.
        "LOG_LEVEL": "ERROR",
    }
    servers: list[subprocess.Popen] = []
    try:
        data = setup_data(env, args.tasks, max(levels))
        port, engine_port = free_port(), free_port()
        servers = [
            _gunicorn("config.wsgi", port, args.gunicorn_workers, env),
            _gunicorn("engine_wsgi", engine_port, args.gunicorn_workers, env),
        ]
        _wait_for(port, data["tokens"][-1])
        _wait_for(engine_port, data["tokens"][-1])
        machine = (
            f"{os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at start), "
            f"PostgreSQL, gunicorn -w {args.gunicorn_workers}"
        )
        log(lines, f"assignment engine benchmark — {machine}")
        log(
            lines,
            f"{args.tasks:,} tasks at overlap {OVERLAP} (bulk insert {data['insert_seconds']:.1f} s),"
            f" {args.seconds:.0f} s per run, median of 3 runs per level; latency = one claim request",
        )
        log(lines)
        log(
            lines,
            f"{'workers':>7} | {'HTTP claims/s':>13} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} | "
            f"{'engine only':>11} {'p99 ms':>7} | {'SQL claims/s':>12} {'p99 ms':>7} | "
            f"{'ratio':>5} {'engine':>6}",
        )
        figures = {}
        for c in levels:
            h = run_median(
                _http_worker,
                [(port, data["tokens"][i], data["project"], args.seconds) for i in range(c)],
                args.seconds,
            )
            e = run_median(
                _http_worker,
                [(engine_port, data["tokens"][i], data["project"], args.seconds) for i in range(c)],
                args.seconds,
            )
            s = run_median(
                _sql_worker,
                [(data["project"], data["sql_workers"][i], args.seconds) for i in range(c)],
                args.seconds,
            )
            ratio = h["claims_per_s"] / s["claims_per_s"] if s["claims_per_s"] else 0.0
            engine_ratio = e["claims_per_s"] / s["claims_per_s"] if s["claims_per_s"] else 0.0
            figures[c] = (h, s, ratio)
            log(
                lines,
                f"{c:>7} | {h['claims_per_s']:>13.1f} {h['p50_ms']:>7.1f} {h['p99_ms']:>7.1f} "
                f"{h['errors'] + e['errors']:>6} | {e['claims_per_s']:>11.1f} {e['p99_ms']:>7.1f} | "
                f"{s['claims_per_s']:>12.1f} {s['p99_ms']:>7.1f} | {ratio:>5.2f} {engine_ratio:>6.2f}"
                + (f"  ({s['errors']} SQL connections refused)" if s["errors"] else ""),
            )
        c = HEADLINE if HEADLINE in figures else levels[-1]
        floor = run_median(
            _floor_worker,
            [(port, data["tokens"][i], data["project"], args.seconds) for i in range(c)],
            args.seconds,
        )
        # A claim and its submit are two requests: the most cycles the framework alone allows.
        floor_cycles = floor["claims_per_s"] / 2
        sql_rate = figures[c][1]["claims_per_s"]
        floor_ratio = floor_cycles / sql_rate if sql_rate else 0.0
        log(lines)
        log(
            lines,
            f"framework floor at {c} workers: {floor['claims_per_s']:.1f} requests/s of the "
            f"cheapest authenticated request (p50 {floor['p50_ms']:.1f} ms); a claim and a submit "
            f"are two requests, so at most {floor_cycles:.1f} claims/s, {floor_ratio:.2f} of the "
            "SQL ceiling, before the engine does any work",
        )
        log(lines)
        log(
            lines,
            "HTTP: the whole application (with the ledger's earning hook and the quality checks); "
            "engine only: the same server without submission hooks; SQL: the engine's statements "
            f"with every hook ({ceiling.CLAIM_STATEMENTS} per claim, {ceiling.SUBMIT_STATEMENTS} "
            "per submit, BEGIN and COMMIT included) sent straight to PostgreSQL with psycopg. "
            "Load average during the run: " + " ".join(f"{x:.1f}" for x in os.getloadavg()),
        )
        ok, facts = check_invariants()
        log(lines)
        log(lines, "invariants: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
        h, s, ratio = figures[c]
        summary = {
            "workers": c,
            "http_claims_per_s": round(h["claims_per_s"], 1),
            "sql_claims_per_s": round(s["claims_per_s"], 1),
            "ratio": round(ratio, 3),
            "p50_ms": round(h["p50_ms"], 1),
            "p99_ms": round(h["p99_ms"], 1),
            "invariants_ok": ok,
            "floor_requests_per_s": round(floor["claims_per_s"], 1),
            "floor_ratio": round(floor_ratio, 3),
            "runs": h["runs"],
            "claim_statements": ceiling.CLAIM_STATEMENTS,
            "submit_statements": ceiling.SUBMIT_STATEMENTS,
        }
        log(lines, json.dumps(summary))
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
        from django.db import connections

        connections.close_all()
        admin_sql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "assignment.txt").write_text("\n".join(lines) + "\n")


def _gunicorn(app: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [
            # The one installed beside the interpreter running the bench.
            str(Path(sys.executable).parent / "gunicorn"),
            app,
            "--pythonpath",
            str(ROOT / "bench"),
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def _wait_for(port: int, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/work/projects", headers=headers)
            conn.getresponse().read()
            break
        except OSError:
            time.sleep(0.2)
    else:
        raise RuntimeError("gunicorn did not start")

    # Each gunicorn process loads URLs, routers and templates on its first request (seconds on
    # a busy machine): warm every process up so the levels measure the steady state.
    def hit() -> None:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(5):
            c.request("GET", "/api/work/projects", headers=headers)
            c.getresponse().read()
            c.close()

    threads = [threading.Thread(target=hit) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()
