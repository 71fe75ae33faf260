"""Aggregation benchmark: our methods against crowd-kit 1.4.2, side by side.

Every run (ours and crowd-kit's) happens in a fresh subprocess with one BLAS thread that
reports the time of the fit alone and its own peak RSS (VmHWM), so the memory figures compare
like with like (interpreter + libraries + data + fit). Run from the repository root:

    .venv/bin/python bench/aggregation.py [--quick]

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
from microwork.aggregation.algorithms.metrics import (  # noqa: E402
    accuracy,
    expected_calibration_error,
)
from microwork.aggregation.tests import crowdkit_ref  # noqa: E402

METHODS = ("mv", "wawa", "ds", "onecoin", "glad", "mace")

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
np.save(sys.argv[4], np.stack([result.labels, result.confidence()]))
print(json.dumps({"seconds": seconds, "peak_rss_kib": peak}))
"""


@dataclass
class Run:
    seconds: float
    peak_mib: float
    accuracy: float
    hits: int  # tasks labelled right: compared as whole numbers, so a tie is a tie
    ece: float  # expected calibration error of the chosen label's probability


def score(labels: np.ndarray, confidence: np.ndarray, truth: np.ndarray, tasks: np.ndarray):
    correct = labels[tasks] == truth[tasks]
    ece = expected_calibration_error(confidence[tasks], correct)
    return accuracy(labels, truth, tasks), int(correct.sum()), ece


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
        stacked = np.load(out)
    labels, confidence = stacked[0].astype(np.int64), stacked[1]
    return Run(payload["seconds"], payload["peak_rss_kib"] / 1024,
               *score(labels, confidence, truth, tasks))  # fmt: skip


def run_crowdkit(answers: Answers, method: str, truth: np.ndarray, tasks: np.ndarray) -> Run:
    payload = crowdkit_ref.run_fresh(answers, [method])[method]
    result = crowdkit_ref.convert(payload, answers)
    picked = np.where(result.labels >= 0, result.labels, 0)
    confidence = np.where(
        result.labels >= 0, result.probas[np.arange(answers.n_tasks), picked], 0.0
    )
    return Run(result.seconds, result.peak_rss_mib,
               *score(result.labels, confidence, truth, tasks))  # fmt: skip


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sets only, no 1M set")
    args = parser.parse_args(argv)
    crowdkit_ref.ensure_env()

    cases: list[tuple[str, Answers, np.ndarray, tuple[str, ...]]] = []
    if datasets.available():
        for name in datasets.CATEGORICAL:
            if args.quick and name not in {"bluebirds", "rte"}:
                continue
            data = datasets.load(name)
            cases.append((name, data.answers, data.truth, METHODS))
    big, big_truth = synthetic(n_tasks=20_000 if args.quick else 200_000)
    small, small_truth = slice_tasks(big, big_truth, 20_000)  # 100,000 answers
    big_name = f"synthetic {big.n_answers:,}"
    small_name = f"synthetic slice {small.n_answers:,}"
    cases.append((big_name, big, big_truth, ("mv", "wawa", "ds", "onecoin")))
    cases.append((small_name, small, small_truth, ("glad", "mace")))

    started = time.perf_counter()
    rows = []
    for name, answers, truth, methods in cases:
        scored = np.flatnonzero((np.bincount(answers.task, minlength=answers.n_tasks) > 0) &
                                (truth >= 0))  # fmt: skip
        for method in methods:
            ours = run_ours(answers, method, truth, scored)
            theirs = run_crowdkit(answers, method, truth, scored)
            rows.append((name, answers.n_answers, method, ours, theirs))
            line = f"{name:24s} {method:8s} ours {ours.seconds:8.3f}s {ours.peak_mib:7.0f}MiB"
            if theirs:
                line += f" | crowd-kit {theirs.seconds:8.3f}s {theirs.peak_mib:7.0f}MiB"
            print(line, file=sys.stderr, flush=True)

    header = (
        f"{'data set':24s} {'answers':>9s} {'method':8s} {'ours s':>9s} {'crowd-kit s':>11s} "
        f"{'speed-up':>9s} {'ours MiB':>8s} {'ck MiB':>7s} {'mem':>5s} {'ours acc':>8s} "
        f"{'ck acc':>7s} {'ours ECE':>8s} {'ck ECE':>7s}"
    )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(
        f"Aggregation benchmark, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
        f"{memory:.0f} GiB, python {platform.python_version()}"
    )
    print(header)
    print("-" * len(header))
    better = equal = worse = 0
    shortfall = (0.0, "")
    for name, n, method, ours, theirs in rows:
        speed = fmt_ratio(theirs.seconds / max(ours.seconds, 1e-9))
        mem = f"{ours.peak_mib / theirs.peak_mib:.2f}"
        # strict: the same tasks are scored on both sides, so equal means equally many right
        if ours.hits > theirs.hits:
            better += 1
        elif ours.hits == theirs.hits:
            equal += 1
        else:
            worse += 1
            gap = theirs.accuracy - ours.accuracy
            if gap > shortfall[0]:
                shortfall = (gap, f"{method} on {name}")
        print(
            f"{name:24s} {n:9,d} {method:8s} {ours.seconds:9.3f} {theirs.seconds:11.3f} "
            f"{speed:>9s} {ours.peak_mib:8.0f} {theirs.peak_mib:7.0f} {mem:>5s} "
            f"{ours.accuracy:8.4f} {theirs.accuracy:7.4f} {ours.ece:8.4f} {theirs.ece:7.4f}"
        )
    largest = (
        f"largest shortfall {shortfall[0] * 100:.2f} points ({shortfall[1]})" if worse else
        "no shortfall"
    )  # fmt: skip
    print(
        f"accuracy against crowd-kit, same run: {better} better, {equal} equal, {worse} worse; "
        f"{largest}"
    )
    print("ECE = expected calibration error of the chosen label's probability (10 bins).")
    print(
        f"mem = our peak RSS / crowd-kit's; total wall time {time.perf_counter() - started:.0f} s"
    )

    def pick(name: str, method: str) -> tuple[Run, Run]:
        for row_name, _, row_method, ours, theirs in rows:
            if row_name == name and row_method == method:
                return ours, theirs
        raise KeyError((name, method))

    def speedup(name: str, method: str) -> float:
        ours, theirs = pick(name, method)
        return round(theirs.seconds / ours.seconds, 1)

    ds_ours, ds_theirs = pick(big_name, "ds")
    summary = {
        "ds_speedup": speedup(big_name, "ds"),
        "glad_speedup": speedup(small_name, "glad"),
        "mace_speedup": speedup(small_name, "mace"),
        "ds_peak_mem_ratio": round(ds_ours.peak_mib / ds_theirs.peak_mib, 2),
        "accuracy_not_worse_everywhere": worse == 0,
        "accuracy_better_equal_worse": [better, equal, worse],
        "largest_accuracy_shortfall": round(shortfall[0], 4),
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
