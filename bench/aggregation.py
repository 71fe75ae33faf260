"""Aggregation benchmark: our methods against crowd-kit 1.4.2, side by side.

Every run (ours and crowd-kit's) happens in a fresh subprocess with one BLAS thread that
reports the time of the fit alone and its own peak RSS (VmHWM), so the memory figures compare
like with like (interpreter + libraries + data + fit). Run from the repository root:

    python bench/aggregation.py [--quick]

It prints a table and, as the last line, one JSON object with the headline ratios.
crowd-kit runs in its own virtual environment (see microwork/aggregation/tests/crowdkit_ref.py).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from microwork.aggregation.algorithms import Answers, datasets  # noqa: E402
from microwork.aggregation.algorithms.metrics import accuracy  # noqa: E402
from microwork.aggregation.tests import crowdkit_ref  # noqa: E402

METHODS = ("mv", "wawa", "ds", "onecoin", "glad", "mace")
# crowd-kit's GLAD and MACE take minutes on the two largest sets (206 s and 94 s on
# vldb_s_adult); skipping them there keeps the whole run under 15 minutes
SLOW_CROWDKIT = {"glad", "mace"}
SKIP_SLOW_ON = {"vldb_s_adult", "vldb_d_product"}

_OUR_RUNNER = r"""
import json, resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[3])
from microwork.aggregation.algorithms import Answers, get_aggregator
arrays = np.load(sys.argv[1])
answers = Answers.from_arrays(arrays["task"], arrays["worker"], arrays["label"],
                              n_tasks=int(arrays["n"][0]), n_workers=int(arrays["n"][1]),
                              n_classes=int(arrays["n"][2]))
method = get_aggregator(sys.argv[2])
start = time.perf_counter()
result = method(answers)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
with open("/proc/self/status") as status:
    # VmHWM: this process image only, not the parent memory the fork copied before exec
    peak = next((int(l.split()[1]) for l in status if l.startswith("VmHWM:")), peak)
np.save(sys.argv[4], result.labels)
print(json.dumps({"seconds": seconds, "peak_rss_kib": peak}))
"""


@dataclass
class Run:
    seconds: float
    peak_mib: float
    accuracy: float


def synthetic(
    n_tasks: int = 200_000, per_task: int = 5, n_workers: int = 5_000, k: int = 4, seed: int = 0
) -> tuple[Answers, np.ndarray]:
    """Workers with varied confusion matrices: accuracy 0.35-0.95, errors skewed per worker."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, n_tasks)
    diag = rng.uniform(0.35, 0.95, n_workers)
    off = rng.dirichlet(np.full(k - 1, 0.7), size=(n_workers, k))  # worker, true, k-1
    confusion = np.zeros((n_workers, k, k))
    for true in range(k):  # a loop over 4 classes, building the matrices
        others = [c for c in range(k) if c != true]
        confusion[:, true, true] = diag
        confusion[:, true, others] = (1 - diag)[:, None] * off[:, true, :]
    task = np.repeat(np.arange(n_tasks), per_task)
    worker = rng.integers(0, n_workers, n_tasks * per_task)
    cumulative = np.cumsum(confusion[worker, truth[task]], axis=1)
    label = (rng.random(len(task))[:, None] > cumulative).sum(axis=1)
    label = np.minimum(label, k - 1)
    answers = Answers.from_arrays(
        task, worker, label, n_tasks=n_tasks, n_workers=n_workers, n_classes=k
    )
    return answers, truth


def slice_tasks(answers: Answers, truth: np.ndarray, n_tasks: int) -> tuple[Answers, np.ndarray]:
    keep = answers.task < n_tasks
    sub = Answers.from_arrays(
        answers.task[keep],
        answers.worker[keep],
        answers.label[keep],
        n_tasks=n_tasks,
        n_workers=answers.n_workers,
        n_classes=answers.n_classes,
    )
    return sub, truth[:n_tasks]


def run_ours(answers: Answers, method: str, truth: np.ndarray, tasks: np.ndarray) -> Run:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "answers.npz"
        out = Path(tmp) / "labels.npy"
        sizes = np.array([answers.n_tasks, answers.n_workers, answers.n_classes])
        np.savez(data, task=answers.task, worker=answers.worker, label=answers.label, n=sizes)
        done = subprocess.run(
            [sys.executable, "-c", _OUR_RUNNER, str(data), method, str(REPO_ROOT), str(out)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **crowdkit_ref.SINGLE_THREADED},
        )
        payload = json.loads(done.stdout.strip().splitlines()[-1])
        labels = np.load(out)
    return Run(payload["seconds"], payload["peak_rss_kib"] / 1024, accuracy(labels, truth, tasks))


def run_crowdkit(answers: Answers, method: str, truth: np.ndarray, tasks: np.ndarray) -> Run:
    payload = crowdkit_ref.run_fresh(answers, [method])[method]
    result = crowdkit_ref.convert(payload, answers)
    return Run(result.seconds, result.peak_rss_mib, accuracy(result.labels, truth, tasks))


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sets only, no 1M set")
    args = parser.parse_args(argv)
    crowdkit_ref.ensure_env()

    cases: list[tuple[str, Answers, np.ndarray, tuple[str, ...], set[str]]] = []
    if datasets.available():
        for name in datasets.CATEGORICAL:
            if args.quick and name not in {"bluebirds", "rte"}:
                continue
            data = datasets.load(name)
            skip = SLOW_CROWDKIT if name in SKIP_SLOW_ON else set()
            cases.append((name, data.answers, data.truth, METHODS, skip))
    big, big_truth = synthetic(n_tasks=20_000 if args.quick else 200_000)
    small, small_truth = slice_tasks(big, big_truth, 20_000)  # 100,000 answers
    big_name = f"synthetic {big.n_answers:,}"
    small_name = f"synthetic slice {small.n_answers:,}"
    cases.append((big_name, big, big_truth, ("mv", "wawa", "ds", "onecoin"), set()))
    cases.append((small_name, small, small_truth, ("glad", "mace"), set()))

    started = time.perf_counter()
    rows = []
    for name, answers, truth, methods, skip in cases:
        scored = np.flatnonzero((np.bincount(answers.task, minlength=answers.n_tasks) > 0) &
                                (truth >= 0))  # fmt: skip
        for method in methods:
            ours = run_ours(answers, method, truth, scored)
            theirs = None if method in skip else run_crowdkit(answers, method, truth, scored)
            rows.append((name, answers.n_answers, method, ours, theirs))
            line = f"{name:24s} {method:8s} ours {ours.seconds:8.3f}s {ours.peak_mib:7.0f}MiB"
            if theirs:
                line += f" | crowd-kit {theirs.seconds:8.3f}s {theirs.peak_mib:7.0f}MiB"
            print(line, file=sys.stderr, flush=True)

    header = (
        f"{'data set':24s} {'answers':>9s} {'method':8s} {'ours s':>9s} {'crowd-kit s':>11s} "
        f"{'speed-up':>9s} {'ours MiB':>8s} {'ck MiB':>7s} {'mem':>5s} {'ours acc':>8s} "
        f"{'ck acc':>7s}"
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(
        f"Aggregation benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"{memory:.0f} GiB, python {platform.python_version()}"
    )
    print(header)
    print("-" * len(header))
    not_worse = True
    for name, n, method, ours, theirs in rows:
        if theirs is None:
            ck_s = ck_mem = ck_acc = "skipped"
            speed = mem = "-"
        else:
            ck_s, ck_mem = f"{theirs.seconds:.3f}", f"{theirs.peak_mib:.0f}"
            ck_acc = f"{theirs.accuracy:.4f}"
            speed = fmt_ratio(theirs.seconds / max(ours.seconds, 1e-9))
            mem = f"{ours.peak_mib / theirs.peak_mib:.2f}"
            # equal within the tests' tolerance of half a percentage point
            if ours.accuracy < theirs.accuracy - 0.005:
                not_worse = False
        print(
            f"{name:24s} {n:9,d} {method:8s} {ours.seconds:9.3f} {ck_s:>11s} {speed:>9s} "
            f"{ours.peak_mib:8.0f} {ck_mem:>7s} {mem:>5s} {ours.accuracy:8.4f} {ck_acc:>7s}"
        )
    skipped = ", ".join(sorted(SKIP_SLOW_ON))
    print(f"crowd-kit GLAD and MACE skipped on {skipped} to keep the run short.")
    print(
        f"mem = our peak RSS / crowd-kit's; total wall time {time.perf_counter() - started:.0f} s"
    )

    def pick(name: str, method: str) -> tuple[Run, Run | None]:
        for row_name, _, row_method, ours, theirs in rows:
            if row_name == name and row_method == method:
                return ours, theirs
        raise KeyError((name, method))

    def speedup(name: str, method: str) -> float | None:
        ours, theirs = pick(name, method)
        return None if theirs is None else round(theirs.seconds / ours.seconds, 1)

    ds_ours, ds_theirs = pick(big_name, "ds")
    summary = {
        "ds_speedup": speedup(big_name, "ds"),
        "glad_speedup": speedup(small_name, "glad"),
        "mace_speedup": speedup(small_name, "mace"),
        "ds_peak_mem_ratio": None
        if ds_theirs is None
        else round(ds_ours.peak_mib / ds_theirs.peak_mib, 2),
        "accuracy_not_worse_everywhere": not_worse,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
