"""Aggregation benchmark: our methods against crowd-kit 1.4.2, side by side.

Every run (ours and crowd-kit's) happens in a fresh subprocess with one BLAS thread that
reports the time of the fit alone and its own peak RSS (VmHWM), so the memory figures compare
like with like (interpreter + libraries + data + fit). Run from the repository root:

    .venv/bin/python bench/aggregation.py [--quick]

It prints a table and, as the last line, one JSON object with the headline ratios.
crowd-kit runs in its own virtual environment (see microwork/aggregation/tests/crowdkit_ref.py).

A second table compares the consensus methods for transcripts, boxes and spans on seeded
crowds with a known truth (algorithms/synthetic.py): our ROVER against crowd-kit's ROVER on
the same transcripts (word error rate and time), and each method against a single worker and
the commonest whole answer (crowd-kit has nothing for labelled boxes or spans).
``--consensus`` runs that part alone (well under a minute).
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
from microwork.aggregation.algorithms import synthetic as crowds  # noqa: E402
from microwork.aggregation.algorithms.consensus import consensus_of  # noqa: E402
from microwork.aggregation.algorithms.metrics import (  # noqa: E402
    accuracy,
    expected_calibration_error,
)
from microwork.aggregation.tests import crowdkit_ref  # noqa: E402
from microwork.lib.words import normalise  # noqa: E402

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


# Runs inside the crowd-kit venv: crowd-kit's ROVER on the transcripts of a JSON file, which
# are already normalised (case-folded, edge punctuation removed) and so split on spaces.
_CROWDKIT_ROVER = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
import pandas as pd
from crowdkit.aggregation import ROVER
with open(sys.argv[1]) as source:
    df = pd.DataFrame(json.load(source), columns=["task", "worker", "text"])
model = ROVER(tokenizer=lambda text: text.split(" "), detokenizer=lambda words: " ".join(words))
start = time.process_time()
texts = model.fit_predict(df)
seconds = time.process_time() - start
print(json.dumps({"seconds": seconds, "texts": {str(k): v for k, v in texts.items()}}))
"""

CONSENSUS_TASKS = 300


def crowdkit_rover(tasks: list[crowds.SyntheticTask]) -> tuple[list[str], float]:
    """crowd-kit's ROVER transcript per task, and the seconds its fit took."""
    python = crowdkit_ref.ensure_env()
    rows = [[i, v.worker, normalise(v.answer)] for i, t in enumerate(tasks) for v in t.votes]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "transcripts.json"
        data.write_text(json.dumps(rows))
        done = subprocess.run(
            [str(python), "-c", _CROWDKIT_ROVER, str(data)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **crowdkit_ref.SINGLE_THREADED},
        )
    payload = json.loads(done.stdout.strip().splitlines()[-1])
    texts = payload["texts"]
    return [texts.get(str(i), "") for i in range(len(tasks))], float(payload["seconds"])


def timed_consensus(method: str, tasks: list[crowds.SyntheticTask]) -> tuple[list, float]:
    # CPU time of this process: steadier than wall time on a shared machine, and both sides
    # are one thread.
    start = time.process_time()
    values = [consensus_of(method, t.votes, config={}, data=t.data).value for t in tasks]  # type: ignore[union-attr]
    return values, time.process_time() - start


def consensus_bench(n_tasks: int = CONSENSUS_TASKS) -> tuple[list[str], dict[str, float]]:
    """The consensus table's lines and its JSON figures."""
    lines = [
        f"Consensus on synthetic crowds with known truth, {time.strftime('%Y-%m-%d')}, "
        f"{os.cpu_count()} cores: {n_tasks} tasks per kind, 5 workers per task of mixed skill, "
        "seed 0",
        f"{'kind':6s} {'answer':36s} {'score':>22s} {'CPU s':>8s}",
    ]
    lines.append("-" * len(lines[-1]))

    def line(kind: str, name: str, score: str, seconds: float | None = None) -> None:
        took = "" if seconds is None else f"{seconds:8.2f}"
        lines.append(f"{kind:6s} {name:36s} {score:>22s} {took:>8s}")

    text = crowds.text_crowd(n_tasks, seed=0)
    ours, our_seconds = timed_consensus("rover", text)
    theirs, their_seconds = crowdkit_rover(text)
    wer = crowds.corpus_wer([(v, t.truth) for v, t in zip(ours, text, strict=True)])
    wer_ck = crowds.corpus_wer([(v, t.truth) for v, t in zip(theirs, text, strict=True)])
    wer_single = crowds.corpus_wer([(v.answer, t.truth) for t in text for v in t.votes])
    wer_common = crowds.corpus_wer(
        [(crowds.whole_majority(t.votes, normalise), t.truth) for t in text]
    )
    line("text", "ours: ROVER (rover)", f"WER {wer:.4f}", our_seconds)
    line("text", "crowd-kit ROVER", f"WER {wer_ck:.4f}", their_seconds)
    line("text", "single worker", f"WER {wer_single:.4f}")
    line("text", "commonest whole transcript", f"WER {wer_common:.4f}")

    shapes = crowds.box_crowd(n_tasks, seed=0, polygons=0.1)
    drawn, box_seconds = timed_consensus("boxes", shapes)
    iou, f1 = crowds.box_scores([(v, t.truth) for v, t in zip(drawn, shapes, strict=True)])
    iou_single, f1_single = crowds.box_scores(
        [(v.answer, t.truth) for t in shapes for v in t.votes]
    )
    iou_common, f1_common = crowds.box_scores(
        [(crowds.whole_majority(t.votes, crowds.boxes_key), t.truth) for t in shapes]
    )
    line("boxes", "ours: IoU clustering (boxes)", f"IoU {iou:.3f} F1 {f1:.3f}", box_seconds)
    line("boxes", "single worker", f"IoU {iou_single:.3f} F1 {f1_single:.3f}")
    line("boxes", "commonest whole drawing", f"IoU {iou_common:.3f} F1 {f1_common:.3f}")

    texts = crowds.span_crowd(n_tasks, seed=0)
    marked, span_seconds = timed_consensus("spans", texts)
    span_f1 = crowds.span_f1([(v, t.truth) for v, t in zip(marked, texts, strict=True)])
    span_single = crowds.span_f1([(v.answer, t.truth) for t in texts for v in t.votes])
    span_common = crowds.span_f1(
        [(crowds.whole_majority(t.votes, crowds.spans_key), t.truth) for t in texts]
    )
    line("spans", "ours: token vote (spans)", f"F1 {span_f1:.3f}", span_seconds)
    line("spans", "single worker", f"F1 {span_single:.3f}")
    line("spans", "commonest whole answer", f"F1 {span_common:.3f}")
    lines.append(
        "WER = word edits / true words over all tasks (case and edge punctuation ignored); "
        "crowd-kit is given the same transcripts already normalised. CPU s = CPU seconds of "
        "the method alone (one thread each)."
    )
    lines.append(
        "Boxes: 10% of objects are polygons; IoU = mean over true shapes of their match's "
        "IoU; F1 at IoU >= 0.5 with the same label. Spans: F1 on exact start, end and label."
    )
    figures = {
        "text_wer": round(wer, 4),
        "text_wer_crowdkit": round(wer_ck, 4),
        "text_wer_single": round(wer_single, 4),
        "text_speed_ratio": round(their_seconds / max(our_seconds, 1e-9), 1),
        "box_iou": round(iou, 3),
        "box_f1": round(f1, 3),
        "box_f1_single": round(f1_single, 3),
        "span_f1": round(span_f1, 3),
        "span_f1_single": round(span_single, 3),
    }
    return lines, figures


def fmt_ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}x"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sets only, no 1M set")
    parser.add_argument(
        "--consensus", action="store_true", help="only the transcript, box and span consensus"
    )
    args = parser.parse_args(argv)
    crowdkit_ref.ensure_env()
    if args.consensus:
        lines, figures = consensus_bench()
        print("\n".join(lines))
        print(json.dumps(figures))
        return 0

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
    lines, figures = consensus_bench()
    print()
    print("\n".join(lines))
    summary.update(figures)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
