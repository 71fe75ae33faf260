"""Aggregation inside the platform at 100,000 answers: what a web request waits for, how long
the background re-estimate takes stage by stage, and what one answer's hook costs.

Builds a throw-away project (20,000 tasks x 5 answers from 500 workers, 4% control tasks) on a
fresh SQLite database in a temporary directory, or in DATABASE_URL's database if set (the
project is left there), and prints one JSON object. Run from the repository root:

    python bench/aggregation_platform.py [--tasks 20000] [--overlap 5] [--method ds]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--overlap", type=int, default=5)
    parser.add_argument("--workers", type=int, default=500)
    parser.add_argument("--method", default="ds")
    args = parser.parse_args()

    os.environ.setdefault("MICROWORK_VAR_DIR", tempfile.mkdtemp(prefix="mw-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["TASKS_BACKEND"] = "django.tasks.backends.dummy.DummyBackend"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    import numpy as np
    from django.db import connection
    from django.utils import timezone

    from microwork.accounts import services as accounts
    from microwork.aggregation.models import AggregationRun
    from microwork.aggregation.services import live, run_requests, runs
    from microwork.projects.models import Batch, Task
    from microwork.work.models import Assignment, Submission
    from microwork.work.tests.factories import live_project, make_worker

    rng = np.random.default_rng(0)
    owner = accounts.requester_signup(
        username=f"bench{time.time_ns()}",
        email="bench@example.org",
        password="bench-pass-123",
        organisation_name="Bench",
    )
    project = live_project(owner, overlap=args.overlap, aggregation_method=args.method)
    batch = Batch.objects.create(
        project=project, uploaded_by=owner, filename="b.csv", file_format="csv", status="done"
    )
    n_gold = args.tasks // 25
    truth = rng.integers(0, 2, args.tasks)
    Task.objects.bulk_create(
        (
            Task(
                project=project,
                batch=batch,
                row_number=i + 1,
                data={"text": f"item {i}"},
                is_gold=i < n_gold,
                gold_answer=["ok", "gory"][truth[i]] if i < n_gold else None,
            )
            for i in range(args.tasks)
        ),
        batch_size=5000,
    )
    task_ids = list(
        Task.objects.filter(project=project).order_by("id").values_list("id", flat=True)
    )
    workers = [make_worker(f"bw{time.time_ns()}-{i}") for i in range(args.workers)]
    accuracy = rng.uniform(0.6, 0.95, args.workers)
    now = timezone.now()
    built = time.perf_counter()
    for start in range(0, args.tasks, 2000):
        chunk = range(start, min(start + 2000, args.tasks))
        pairs = []
        for i in chunk:
            for w in rng.choice(args.workers, args.overlap, replace=False):
                right = rng.random() < accuracy[w]
                pairs.append((i, int(w), int(truth[i] if right else 1 - truth[i])))
        assignments = Assignment.objects.bulk_create(
            Assignment(
                project=project,
                task_id=task_ids[i],
                worker=workers[w],
                status="submitted",
                leased_at=now,
                expires_at=now,
                ended_at=now,
            )
            for i, w, _label in pairs
        )
        Submission.objects.bulk_create(
            Submission(
                assignment=a,
                project=project,
                task_id=task_ids[i],
                worker=workers[w],
                answer=["ok", "gory"][label],
                submitted_at=now,
                gold_correct=bool(label == truth[i]) if i < n_gold else None,
            )
            for a, (i, w, label) in zip(assignments, pairs, strict=True)
        )
    Task.objects.filter(project=project).update(answers_count=args.overlap)
    build_seconds = time.perf_counter() - built

    t = time.perf_counter()
    run = run_requests.aggregation_run_request(project=project, actor=owner)
    request_ms = (time.perf_counter() - t) * 1000

    stages: dict[str, float] = {}
    real_progress = runs._progress
    last = [time.perf_counter(), "reading"]

    def timed(run_id: int, stage: str, percent: float) -> None:
        moment = time.perf_counter()
        if stage != last[1]:
            stages[str(last[1])] = stages.get(str(last[1]), 0) + moment - float(last[0])
            last[:] = [moment, stage]
        real_progress(run_id, stage, percent)

    runs._progress = timed
    t = time.perf_counter()
    run = runs.aggregation_run_execute(run_id=run.pk)
    total = time.perf_counter() - t
    stages[str(last[1])] = stages.get(str(last[1]), 0) + time.perf_counter() - float(last[0])
    runs._progress = real_progress
    assert run.status == AggregationRun.Status.DONE, run.error

    hook = []
    for task_id in task_ids[n_gold : n_gold + 200]:
        t = time.perf_counter()
        live.task_aggregate_refresh(task_id=task_id)
        hook.append(time.perf_counter() - t)

    from microwork.aggregation.models import TaskAggregate

    labels = dict(TaskAggregate.objects.filter(project=project).values_list("task_id", "label"))
    ordinary = range(n_gold, args.tasks)
    right = sum(labels.get(task_ids[i]) == ["ok", "gory"][truth[i]] for i in ordinary)
    print(
        json.dumps(
            {
                "database": connection.vendor,
                "tasks": args.tasks,
                "answers": run.n_answers,
                "workers": run.n_workers,
                "method": args.method,
                "build_seconds": round(build_seconds, 1),
                "web_request_ms": round(request_ms, 1),
                "run_seconds": round(total, 2),
                "run_stage_seconds": {k: round(v, 2) for k, v in stages.items()},
                "hook_ms_median": round(float(np.median(hook)) * 1000, 2),
                "hook_ms_p95": round(float(np.percentile(hook, 95)) * 1000, 2),
                "accuracy_vs_truth": round(right / len(ordinary), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
