"""The raw-SQL ceiling of bench/assignment.py: a claim and a submit sent straight to PostgreSQL
with psycopg, statement for statement what the engine sends, so the ratio compares like with
like.

How the statement lists were obtained: `django.test.utils.CaptureQueriesContext` around
`microwork.work.services.claiming.assignment_claim` and
`microwork.work.services.submitting.submission_create`, with the production submission hooks
(microwork/work/hooks.py: aggregation, quality, earning, webhooks) on a funded live project at overlap
3, on PostgreSQL, three workers answering each task in turn, after each worker's first answer
(which makes their ledger account and skill row; the bench makes those up front for its SQL
workers). The test
microwork/work/tests/test_queries.py::test_the_bench_ceiling_sends_the_engines_statements
captures them again and fails when the engine's statements (verb, main table, row lock, in
order) differ from CLAIM_SHAPE, SUBMIT_SHAPE or LAST_ANSWER_SHAPE below; run it with `-s` on PostgreSQL to print
the engine's SQL. Each ceiling cycle records the statements it sent and the bench refuses to
report figures if they do not have these shapes either, so the two cannot drift apart.

The statements below read and write the same rows with the same locks and the same
transaction shape (BEGIN, a savepoint per hook that Django opens one for, COMMIT); selects
ask for the same columns. What Python does between them (the one-coin label, the median, the
ledger's draw) is redone here in a few lines, without Django.
"""

import hashlib
import json
import re
import statistics
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg

OVERLAP = 3
RELEASE_GRACE = timedelta(minutes=15)
# aggregation.stats: the accuracy a worker starts from (PRIOR_RIGHT / (RIGHT + WRONG)).
PRIOR_RIGHT, PRIOR_WRONG = 2, 1

# One statement = verb, main table (outside subqueries), row lock.
CLAIM_SHAPE = (
    "BEGIN",
    "SELECT accounts_workerprofile FOR UPDATE",  # the worker's lock, the project's status
    "SELECT work_assignment",  # the worker's open leases on the project
    "SELECT quality_decision",  # eligibility: a suspension, removal or pause
    "SELECT quality_projectrequirement",  # eligibility: the project's requirements
    "SELECT projects_project",  # eligibility (mturk): an expired HIT
    "SELECT live_livesetup",  # eligibility (live): a live project's tasks are only offered
    "SELECT projects_task FOR UPDATE SKIP LOCKED",  # the candidate
    "SELECT projects_task",  # its free slot, re-read under the lock
    "INSERT work_assignment",
    "INSERT work_assignmentevent",
    "COMMIT",
)
SUBMIT_SHAPE = (
    "BEGIN",
    "SELECT work_assignment FOR UPDATE",  # with its project and organisation
    "SELECT projects_task FOR UPDATE",
    "SELECT projects_task",  # the slot re-check
    "INSERT work_submission",
    "UPDATE projects_task",  # answers_count + 1
    "UPDATE work_assignment",
    "INSERT work_assignmentevent",
    # live hook: is the task a live one (none at the bench)
    "SELECT live_livetask FOR UPDATE",
    # aggregation hook: the task's live label
    "SAVEPOINT",
    "SELECT work_submission",
    "SELECT aggregation_aggregationrun",
    "SELECT aggregation_workerestimate",
    "SELECT work_submission",  # control-task record of workers without an estimate
    "INSERT aggregation_taskaggregate",
    "RELEASE",
    # quality hook: the worker's skill row and the project's rules
    "SAVEPOINT",
    "SELECT quality_workerskill FOR UPDATE",
    "SELECT aggregation_taskaggregate",
    "SELECT work_submission",  # recent active times, for the median
    "UPDATE quality_workerskill",
    "SELECT quality_ruleconfig",
    "SELECT quality_approvalruleconfig",
    "RELEASE",
    # earning hook: the ledger posting and the funds guard
    "SELECT ledger_account",
    "SAVEPOINT",
    "SELECT ledger_account FOR UPDATE",
    "SELECT ledger_transaction",
    "INSERT ledger_transaction",
    "INSERT ledger_entry",
    "UPDATE ledger_account",
    "RELEASE",
    "SELECT work_assignment",  # open leases, against the escrow left
    # webhooks hook: the events the organisation's subscriptions want (none at the bench)
    "SELECT webhooks_subscription",
    "COMMIT",
)
_LABELLED = SUBMIT_SHAPE.index("INSERT aggregation_taskaggregate") + 1
# The answer that fills its task also asks whether its batch has an open task left (the
# last one queues a full re-estimate): one submit in OVERLAP at the bench.
LAST_ANSWER_SHAPE = (*SUBMIT_SHAPE[:_LABELLED], "SELECT projects_task", *SUBMIT_SHAPE[_LABELLED:])
CLAIM_STATEMENTS = len(CLAIM_SHAPE)
SUBMIT_STATEMENTS = len(SUBMIT_SHAPE)
LAST_ANSWER_STATEMENTS = len(LAST_ANSWER_SHAPE)

_PARENS = re.compile(r"\([^()]*\)")
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def statement_kind(sql: str) -> str:
    """What CLAIM_SHAPE and SUBMIT_SHAPE list for one statement, from its text (Django's or
    this module's): the verb, the table it reads or writes, and its row lock."""
    text = " ".join(sql.split())
    verb = text.split(" ", 1)[0].upper()
    if verb in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
        return verb
    top = text
    while (inner := _PARENS.sub("", top)) != top:
        top = inner
    match = _TABLE.search(top)
    kind = f"{verb} {match.group(1) if match else '?'}"
    if "FOR UPDATE" in top.upper():
        kind += " FOR UPDATE"
        if "SKIP LOCKED" in top.upper():
            kind += " SKIP LOCKED"
    return kind


class Session:
    """A psycopg connection in autocommit mode that sends BEGIN, SAVEPOINT and COMMIT itself,
    as statements of their own, and remembers what it sent since `start`."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.sent: list[str] = []
        self.checked: set[str] = set()
        self.cols: dict[str, str] = {}
        self.names: dict[str, list[str]] = {}
        for alias, table in (
            ("a", "work_assignment"),
            ("t", "projects_task"),
            ("p", "projects_project"),
            ("o", "accounts_organisation"),
            ("d", "quality_decision"),
            ("r", "quality_projectrequirement"),
            ("q", "quality_qualification"),
            ("run", "aggregation_aggregationrun"),
            ("s", "quality_workerskill"),
            ("rc", "quality_ruleconfig"),
            ("ac", "quality_approvalruleconfig"),
            ("acc", "ledger_account"),
            ("tx", "ledger_transaction"),
        ):
            cursor = self.conn.execute(f"SELECT * FROM {table} LIMIT 0")
            self.names[alias] = [column.name for column in cursor.description or []]
            self.cols[alias] = ", ".join(f'{alias}."{name}"' for name in self.names[alias])

    def run(self, sql: str, params: object = None) -> psycopg.Cursor:
        self.sent.append(sql)
        return self.conn.execute(sql, params)  # type: ignore[arg-type]

    def rows(self, row: tuple, *aliases: str) -> list[dict]:
        """A row of `SELECT {x}, {y}` split into one dict per table, by column name."""
        out, at = [], 0
        for alias in aliases:
            names = self.names[alias]
            out.append(dict(zip(names, row[at : at + len(names)], strict=True)))
            at += len(names)
        return out

    def start(self) -> None:
        self.sent = []

    def close(self) -> None:
        self.conn.close()


def _slot(exclude: bool) -> str:
    other = " AND NOT (u.id = %(mine)s)" if exclude else ""
    return (
        "SELECT t.answers_count, COALESCE((SELECT COUNT(u.id) FROM work_assignment u"
        " WHERE u.expires_at > %(now)s AND u.status = 'leased' AND u.task_id = t.id"
        f"{other} GROUP BY u.task_id), 0), t.done, t.is_gold"
        " FROM projects_task t WHERE t.id = %(task)s ORDER BY t.id LIMIT 1"
    )


CANDIDATE = """
SELECT t.id, t.project_id, t.data, t.is_gold, t.answers_count, t.done FROM projects_task t
WHERE t.answers_count < %(overlap)s AND NOT t.done AND NOT t.is_gold
  AND t.project_id = %(project)s
  AND NOT (t.batch_id IN (SELECT u.batch_id FROM work_release u WHERE u.batch_id IS NOT NULL
      AND u.created_at <= %(now)s AND u.opens_at > %(now)s AND u.project_id = %(project)s))
  AND NOT (EXISTS (SELECT 1 FROM work_assignment u
      WHERE u.task_id = t.id AND u.worker_id = %(worker)s LIMIT 1))
  AND t.answers_count < (%(overlap)s - COALESCE((SELECT COUNT(u.id) FROM work_assignment u
      WHERE u.expires_at > %(now)s AND u.status = 'leased' AND u.task_id = t.id
      GROUP BY u.task_id), 0))
ORDER BY t.answers_count DESC, t.id ASC LIMIT 1 FOR UPDATE OF t SKIP LOCKED
"""
DECISION = """
SELECT {d}, {p} FROM quality_decision d LEFT OUTER JOIN projects_project p ON d.project_id = p.id
WHERE d.status = 'active' AND (d.ends_at IS NULL OR d.ends_at > %(now)s)
  AND (d.kind = 'suspension' OR (d.kind IN ('removal', 'pause') AND d.project_id = %(project)s))
  AND d.worker_id = %(worker)s
ORDER BY CASE WHEN d.kind = 'suspension' THEN 0 WHEN d.kind = 'removal' THEN 1 ELSE 2 END,
  d.starts_at DESC LIMIT 1
"""
AGGREGATE = """
INSERT INTO aggregation_taskaggregate (task_id, project_id, answers_count, majority_label,
  agreement, label, confidence, posterior, method, source, run_id, updated_at, stopped_at,
  stop_rule, stop_details)
VALUES (%(task)s, %(project)s, %(n)s, %(majority)s, %(agreement)s, %(label)s, %(confidence)s,
  %(posterior)s, 'onecoin', 'live', NULL, %(now)s, NULL, '', '{}')
ON CONFLICT (task_id) DO UPDATE SET project_id = EXCLUDED.project_id,
  answers_count = EXCLUDED.answers_count, majority_label = EXCLUDED.majority_label,
  agreement = EXCLUDED.agreement, label = EXCLUDED.label, confidence = EXCLUDED.confidence,
  posterior = EXCLUDED.posterior, method = EXCLUDED.method, source = EXCLUDED.source,
  run_id = EXCLUDED.run_id, updated_at = EXCLUDED.updated_at
"""


def claim(db: Session, project: int, worker: int) -> tuple[int, int] | None:
    """One claim, as assignment_claim sends it: (assignment, task), or None when no task is
    free for this worker."""
    now = datetime.now(UTC)
    c = db.cols
    ids = {"project": project, "worker": worker, "now": now, "overlap": OVERLAP}
    db.run("BEGIN")
    try:
        status, _opens_at = db.run(
            "SELECT (SELECT u.status FROM projects_project u WHERE u.id = %(project)s LIMIT 1),"
            " (SELECT u.opens_at FROM projects_project u WHERE u.id = %(project)s LIMIT 1)"
            " FROM accounts_workerprofile WHERE user_id = %(worker)s ORDER BY id LIMIT 1"
            " FOR UPDATE",
            ids,
        ).fetchone()
        assert status == "live", status
        db.run(
            f"SELECT {c['a']}, {c['t']} FROM work_assignment a"
            " INNER JOIN projects_task t ON a.task_id = t.id WHERE a.expires_at > %(grace)s"
            " AND a.project_id = %(project)s AND a.status = 'leased' AND a.worker_id = %(worker)s"
            " ORDER BY a.expires_at",
            {**ids, "grace": now - RELEASE_GRACE},
        ).fetchall()
        assert db.run(DECISION.format(**c), ids).fetchone() is None
        assert not db.run(
            f"SELECT {c['r']}, {c['q']} FROM quality_projectrequirement r LEFT OUTER JOIN"
            " quality_qualification q ON r.qualification_id = q.id WHERE r.project_id = %s"
            " ORDER BY r.id",
            (project,),
        ).fetchall()
        db.run(
            "SELECT p.id, EXISTS(SELECT 1 FROM mturk_hit h WHERE h.project_id = p.id"
            " AND h.expires_at <= %s) FROM projects_project p WHERE p.id = %s",
            (now, project),
        ).fetchall()
        assert not db.run(
            "SELECT project_id FROM live_livesetup WHERE project_id = ANY(%s)", ([project],)
        ).fetchall()
        skip: list[int] = []
        for _attempt in range(5):
            sql = (
                CANDIDATE
                if not skip
                else CANDIDATE.replace("ORDER BY", "AND t.id <> ALL(%(skip)s) ORDER BY")
            )
            row = db.run(sql, {**ids, "skip": skip}).fetchone()
            if row is None:
                break
            task = row[0]
            taken, open_leases, _done, _gold = db.run(
                _slot(False), {"now": now, "task": task}
            ).fetchone()
            if taken + open_leases < OVERLAP:
                break
            # Filled between the scan and the lock: the engine tries the next one the same way.
            skip.append(task)
        else:
            row = None
        if row is None:
            db.run("COMMIT")
            return None
        assignment = db.run(
            "INSERT INTO work_assignment (project_id, task_id, worker_id, status, first_leased_at,"
            " leased_at, expires_at, ended_at, draft, draft_saved_at, active_ms)"
            " VALUES (%s, %s, %s, 'leased', %s, %s, %s, NULL, NULL, NULL, 0) RETURNING id",
            (project, task, worker, now, now, now + timedelta(seconds=600)),
        ).fetchone()[0]
        db.run(
            "INSERT INTO work_assignmentevent (assignment_id, old_status, new_status, reason, at)"
            " VALUES (%s, '', 'leased', 'claimed', %s) RETURNING id",
            (assignment, now),
        )
        db.run("COMMIT")
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    return assignment, task


def submit(db: Session, assignment: int, worker: int, answer: str = "ok") -> bool:
    """One submit with the production hooks, as submission_create sends it; True when the
    answer filled its task."""
    now = datetime.now(UTC)
    c = db.cols
    db.run("BEGIN")
    try:
        a, p, _o = db.rows(
            db.run(
                f"SELECT {c['a']}, {c['p']}, {c['o']} FROM work_assignment a"
                " INNER JOIN projects_project p ON a.project_id = p.id"
                " INNER JOIN accounts_organisation o ON p.organisation_id = o.id"
                " WHERE a.id = %s LIMIT 21 FOR UPDATE OF a",
                (assignment,),
            ).fetchone(),
            "a",
            "p",
            "o",
        )
        project, task = a["project_id"], a["task_id"]
        assert a["status"] == "leased" and a["expires_at"] > now and p["status"] == "live"
        (locked,) = db.rows(
            db.run(
                f"SELECT {c['t']} FROM projects_task t WHERE t.id = %s LIMIT 21 FOR UPDATE", (task,)
            ).fetchone(),
            "t",
        )
        taken, open_leases, _done, _gold = db.run(
            _slot(True), {"now": now, "task": task, "mine": assignment}
        ).fetchone()
        assert taken + open_leases < p["overlap"]
        elapsed = max(0, int((now - a["first_leased_at"]).total_seconds() * 1000))
        active = min(max(a["active_ms"], 900), elapsed)
        submission = db.run(
            "INSERT INTO work_submission (assignment_id, project_id, task_id, worker_id, answer,"
            " active_ms, elapsed_ms, submitted_at, status, gold_correct)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 'pending', NULL) RETURNING id",
            (assignment, project, task, worker, json.dumps(answer), active, elapsed, now),
        ).fetchone()[0]
        db.run(
            "UPDATE projects_task SET answers_count = (answers_count + 1) WHERE id = %s", (task,)
        )
        db.run(
            "UPDATE work_assignment SET status = 'submitted', ended_at = %s, active_ms = %s"
            " WHERE id = %s",
            (now, active, assignment),
        )
        db.run(
            "INSERT INTO work_assignmentevent (assignment_id, old_status, new_status, reason, at)"
            " VALUES (%s, 'leased', 'submitted', 'submitted', %s) RETURNING id",
            (assignment, now),
        )
        assert not db.run(
            "SELECT id FROM live_livetask WHERE task_id = %s ORDER BY id LIMIT 1 FOR UPDATE",
            (locked["id"],),
        ).fetchall()
        label, filled = _aggregate(db, p, locked, now)
        _skill(db, project, worker, task, answer, label, now)
        _earning(db, p, worker, submission, task, now)
        db.run(
            "SELECT events FROM webhooks_subscription WHERE is_active AND organisation_id = %s",
            (p["organisation_id"],),
        ).fetchall()
        db.run("COMMIT")
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    return filled


def _aggregate(db: Session, p: dict, locked: dict, now: datetime) -> tuple[str, bool]:
    c = db.cols
    project, task = p["id"], locked["id"]
    db.run("SAVEPOINT aggregation")
    answers = db.run(
        "SELECT worker_id, answer FROM work_submission WHERE status IN ('pending', 'approved')"
        " AND task_id = %s ORDER BY submitted_at, id",
        (task,),
    ).fetchall()
    db.run(
        f"SELECT {c['run']} FROM aggregation_aggregationrun run WHERE run.project_id = %s"
        " AND run.status = 'done' ORDER BY run.finished_at DESC, run.id DESC LIMIT 1",
        (project,),
    ).fetchone()
    workers = sorted({w for w, _a in answers})
    known = dict(
        db.run(
            "SELECT worker_id, accuracy FROM aggregation_workerestimate WHERE project_id = %s"
            " AND worker_id = ANY(%s)",
            (project, workers),
        ).fetchall()
    )
    gold = {
        w: (correct, total)
        for w, total, correct in db.run(
            "SELECT worker_id, COUNT(id), COUNT(id) FILTER (WHERE gold_correct)"
            " FROM work_submission WHERE gold_correct IS NOT NULL AND project_id = %s"
            " AND worker_id = ANY(%s) GROUP BY 1",
            (project, [w for w in workers if w not in known]),
        ).fetchall()
    }
    accuracy = {
        w: float(known[w])
        if w in known
        else (gold.get(w, (0, 0))[0] + PRIOR_RIGHT)
        / (gold.get(w, (0, 0))[1] + PRIOR_RIGHT + PRIOR_WRONG)
        for w in workers
    }
    labels = ["ok", "gory"]
    votes = {lab: sum(1 for _w, a in answers if a == lab) for lab in labels}
    majority = max(labels, key=lambda lab: votes[lab])
    # One-coin model: each answer is right with its worker's accuracy, else any other label.
    score = {
        lab: _product(
            accuracy[w] if a == lab else (1 - accuracy[w]) / (len(labels) - 1) for w, a in answers
        )
        for lab in labels
    }
    total = sum(score.values())
    posterior = {lab: round(score[lab] / total, 4) for lab in labels}
    label = max(labels, key=lambda lab: posterior[lab])
    db.run(
        AGGREGATE,
        {
            "task": task,
            "project": project,
            "n": len(answers),
            "majority": majority,
            "agreement": Decimal(votes[majority]) / len(answers),
            "label": label,
            "confidence": posterior[label],
            "posterior": json.dumps(posterior),
            "now": now,
        },
    )
    filled = len(answers) == p["overlap"]
    if filled:
        db.run(
            "SELECT 1 FROM projects_task t WHERE t.answers_count < %s AND t.batch_id = %s"
            " AND NOT t.done AND NOT t.is_gold AND NOT (t.id = %s) LIMIT 1",
            (p["overlap"], locked["batch_id"], task),
        ).fetchone()
    db.run("RELEASE SAVEPOINT aggregation")
    return label, filled


def _product(values) -> float:
    out = 1.0
    for v in values:
        out *= v
    return out


def _skill(
    db: Session, project: int, worker: int, task: int, answer: str, label: str, now: datetime
) -> None:
    c = db.cols
    db.run("SAVEPOINT quality")
    (skill,) = db.rows(
        db.run(
            f"SELECT {c['s']} FROM quality_workerskill s WHERE s.project_id = %s"
            " AND s.worker_id = %s ORDER BY s.id LIMIT 1 FOR UPDATE",
            (project, worker),
        ).fetchone(),
        "s",
    )
    compared, agreed = skill["compared"], skill["agreed"]
    for _task, _n, known, *_rest in db.run(
        "SELECT task_id, answers_count, label, confidence, method, updated_at"
        " FROM aggregation_taskaggregate WHERE task_id = ANY(%s) AND label IS NOT NULL"
        " AND answers_count >= 2",
        ([task],),
    ).fetchall():
        compared += 1
        agreed += int(known == answer)
    times = [
        t
        for (t,) in db.run(
            "SELECT active_ms FROM work_submission WHERE project_id = %s AND worker_id = %s"
            " ORDER BY submitted_at DESC LIMIT 200",
            (project, worker),
        ).fetchall()
    ]
    db.run(
        "UPDATE quality_workerskill SET answers = %s, gold_answers = %s, gold_correct = %s,"
        " compared = %s, agreed = %s, median_active_ms = %s, updated_at = %s WHERE id = %s",
        (
            skill["answers"] + 1,
            skill["gold_answers"],
            skill["gold_correct"],
            compared,
            agreed,
            int(statistics.median(times)) if times else None,
            now,
            skill["id"],
        ),
    )
    assert not db.run(
        f"SELECT {c['rc']} FROM quality_ruleconfig rc WHERE rc.enabled AND rc.project_id = %s"
        " ORDER BY rc.rule_key",
        (project,),
    ).fetchall()
    assert not db.run(
        f"SELECT {c['ac']} FROM quality_approvalruleconfig ac WHERE ac.enabled"
        " AND ac.project_id = %s",
        (project,),
    ).fetchall()
    db.run("RELEASE SAVEPOINT quality")


def _earning(db: Session, p: dict, worker: int, submission: int, task: int, now: datetime) -> None:
    """The ledger posting of the answer's reward, drawn from the escrow (then the requester's
    available funds) to the worker's pending earnings, and the funds guard's count."""
    c = db.cols
    currency, reward = p["currency"], p["reward"]
    keys = [
        f"requester_escrow:project{p['id']}:{currency}",
        f"requester_available:org{p['organisation_id']}:{currency}",
        f"worker_pending:user{worker}:{currency}",
    ]
    found = {
        acc["key"]: acc
        for (acc,) in (
            db.rows(row, "acc")
            for row in db.run(
                f"SELECT {c['acc']} FROM ledger_account acc WHERE acc.key = ANY(%s)", (keys,)
            ).fetchall()
        )
    }
    escrow, available, pending = (found[key] for key in keys)
    db.run("SAVEPOINT earning")
    locked = {
        acc["id"]: acc
        for (acc,) in (
            db.rows(row, "acc")
            for row in db.run(
                f"SELECT {c['acc']} FROM ledger_account acc WHERE acc.id = ANY(%s)"
                " ORDER BY acc.id FOR UPDATE",
                ([escrow["id"], available["id"], pending["id"]],),
            ).fetchall()
        )
    }
    key = f"earning:{submission}"
    assert (
        db.run(
            f"SELECT {c['tx']} FROM ledger_transaction tx WHERE tx.idempotency_key = %s"
            " ORDER BY tx.id LIMIT 1",
            (key,),
        ).fetchone()
        is None
    )
    from_escrow = min(reward, locked[escrow["id"]]["balance"])
    legs = {escrow["id"]: -from_escrow, pending["id"]: reward}
    if from_escrow < reward:
        legs[available["id"]] = from_escrow - reward
    fingerprint = hashlib.sha256(
        json.dumps(["earning", sorted((k, str(v)) for k, v in legs.items())]).encode()
    ).hexdigest()
    tx = db.run(
        "INSERT INTO ledger_transaction (kind, idempotency_key, fingerprint, memo, created_at,"
        " created_by_id, project_id, submission_id, metadata)"
        " VALUES ('earning', %s, %s, %s, %s, NULL, %s, %s, %s) RETURNING id",
        (
            key,
            fingerprint,
            f"Answer to {p['name']}",
            now,
            p["id"],
            submission,
            json.dumps({"task_id": task, "worker_id": worker}),
        ),
    ).fetchone()[0]
    db.run(
        "INSERT INTO ledger_entry (transaction_id, account_id, amount, currency)"
        " SELECT * FROM UNNEST(%s::bigint[], %s::bigint[], %s::numeric[], %s::varchar[])"
        " RETURNING id",
        ([tx] * len(legs), list(legs), list(legs.values()), [currency] * len(legs)),
    ).fetchall()
    balances = {k: locked[k]["balance"] + v for k, v in legs.items()}
    cases = " ".join("WHEN (id = %s) THEN %s" for _ in balances)
    db.run(
        f"UPDATE ledger_account SET balance = CASE {cases} ELSE NULL END WHERE id = ANY(%s)",
        (*(x for item in balances.items() for x in item), list(balances)),
    )
    db.run("RELEASE SAVEPOINT earning")
    leased = db.run(
        "SELECT COUNT(*) FROM work_assignment WHERE project_id = %s AND status = 'leased'",
        (p["id"],),
    ).fetchone()[0]
    # The guard pauses a project that could not pay its open leases: never the bench's.
    assert balances[escrow["id"]] >= reward * (leased + 1) or from_escrow < reward


def cycle(db: Session, project: int, worker: int, lat: list, submit_lat: list) -> bool:
    """One claim and its submit, timed; False when no task is left for this worker. Until
    each has been seen once, a claim, a submit and a last answer are checked against
    CLAIM_SHAPE, SUBMIT_SHAPE and LAST_ANSWER_SHAPE (a claim whose candidate was filled
    under it tries the next one, as the engine does, and is not checked)."""
    db.start()
    t0 = time.perf_counter()
    claimed = claim(db, project, worker)
    if claimed is None:
        return False
    lat.append(time.perf_counter() - t0)
    if "claim" not in db.checked and sum("SKIP LOCKED" in sql for sql in db.sent) == 1:
        shape_check("claim", db.sent, CLAIM_SHAPE)
        db.checked.add("claim")
    db.start()
    t1 = time.perf_counter()
    filled = submit(db, claimed[0], worker)
    submit_lat.append(time.perf_counter() - t1)
    what = "last answer" if filled else "submit"
    if what not in db.checked:
        shape_check(what, db.sent, LAST_ANSWER_SHAPE if filled else SUBMIT_SHAPE)
        db.checked.add(what)
    return True


def shape_check(what: str, sent: list[str], shape: tuple[str, ...]) -> None:
    kinds = tuple(statement_kind(sql) for sql in sent)
    if kinds != shape:
        raise AssertionError(f"the ceiling's {what} sent {kinds}, not {shape}")
