"""crowd-kit 1.4.2 as a reference, run in a virtual environment of its own.

crowd-kit needs scikit-learn 1.5.2, pandas 2.2.3 and numpy 1.26.4, older than the project's
numpy, so it lives in ``.venv-crowdkit/`` at the repository root, created on first use from
the newest CPython from 3.9 to 3.12 on the machine (or ``CROWDKIT_PYTHON``). Each run happens in a
fresh subprocess, which also gives the benchmark a per-run peak RSS comparable with ours.
Results for named data sets are cached under ``.venv-crowdkit/results`` so the slow methods
run once per machine. ``MICROWORK_SKIP_CROWDKIT=1`` turns all of this off.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from microwork.aggregation.algorithms.contract import Answers, FloatArray, IntArray

REPO_ROOT = Path(__file__).resolve().parents[3]
VENV = REPO_ROOT / ".venv-crowdkit"
PINS = ("crowd-kit==1.4.2", "scikit-learn==1.5.2", "pandas==2.2.3", "numpy==1.26.4")
CACHE = VENV / "results"
CACHE_VERSION = "1"

# One BLAS thread per process: on a shared 2-core machine OpenBLAS worker threads that spin
# while waiting made small vector operations ten times slower in our measurements.
SINGLE_THREADED = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

CLASSES = {
    "mv": "MajorityVote()",
    "wawa": "Wawa()",
    "ds": "DawidSkene(n_iter=100)",
    "onecoin": "OneCoinDawidSkene(n_iter=100)",
    "glad": "GLAD()",
    "mace": "MACE()",
}

# Runs inside the crowd-kit venv: reads integer-coded answers from an .npz, fits the requested
# methods and prints one JSON object per method. Time covers fit_predict_proba only.
_RUNNER = r"""
import json, resource, sys, time, warnings
import numpy as np, pandas as pd
warnings.filterwarnings("ignore")
from crowdkit.aggregation import (MajorityVote, Wawa, DawidSkene, OneCoinDawidSkene, GLAD,
                                  MACE)
def peak_rss_kib():
    # VmHWM belongs to this process image; ru_maxrss would also count the parent's memory
    # that the fork copied before exec
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
job = json.loads(sys.argv[1])
arrays = np.load(job["data"])
df = pd.DataFrame({"task": arrays["task"], "worker": arrays["worker"], "label": arrays["label"]})
for method, expression in job["methods"].items():
    model = eval(expression)
    start = time.perf_counter()
    probas = model.fit_predict_proba(df)
    seconds = time.perf_counter() - start
    # read before building the output lists, which would otherwise inflate the peak
    peak = peak_rss_kib()
    probas = probas.fillna(0.0)
    out = {
        "method": method,
        "seconds": seconds,
        "tasks": probas.index.to_numpy().tolist(),
        "classes": [int(c) for c in probas.columns],
        "probas": probas.to_numpy().tolist(),
        "peak_rss_kib": peak,
    }
    print(json.dumps(out), flush=True)
"""


class CrowdkitUnavailableError(RuntimeError):
    """The reference environment could not be created (no network, no interpreter...)."""


@dataclass(frozen=True)
class CrowdkitRun:
    labels: IntArray  # -1 where crowd-kit returned nothing for the task
    probas: FloatArray  # n_tasks x n_classes, uniform rows where crowd-kit returned nothing
    seconds: float
    peak_rss_mib: float


def skip_reason() -> str | None:
    if os.environ.get("MICROWORK_SKIP_CROWDKIT") == "1":
        return "MICROWORK_SKIP_CROWDKIT=1"
    return None


# numpy 1.26.4, the newest numpy crowd-kit 1.4.2's pins allow, ships wheels for CPython 3.9
# to 3.12 only: a 3.13 venv would try (and fail) to build numpy from source.
SUPPORTED_PYTHONS = ((3, 9), (3, 12))


def _python_version(path: str) -> tuple[int, int] | None:
    try:
        done = subprocess.run(
            [path, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    major, minor = done.stdout.split()
    return int(major), int(minor)


def base_python() -> str:
    """``CROWDKIT_PYTHON`` if set, else the newest CPython on the machine that the pins
    support, looked for the way scripts/dev.sh looks for the project's."""
    if os.environ.get("CROWDKIT_PYTHON"):
        return os.environ["CROWDKIT_PYTHON"]
    low, high = SUPPORTED_PYTHONS
    names = [f"python3.{minor}" for minor in range(high[1], low[1] - 1, -1)]
    candidates = [getattr(sys, "_base_executable", sys.executable)]
    candidates += [found for name in names if (found := shutil.which(name))]
    for minor in range(high[1], low[1] - 1, -1):
        candidates += [
            *sorted(Path.home().glob(f".pyenv/versions/3.{minor}.*/bin/python3"), reverse=True),
            f"/usr/local/bin/python3.{minor}",
            f"/usr/bin/python3.{minor}",
        ]
    supported = {}
    for path in map(str, candidates):
        if path not in supported and os.access(path, os.X_OK):
            version = _python_version(path)
            if version is not None and low <= version <= high:
                supported[path] = version
    if not supported:
        raise CrowdkitUnavailableError(
            "crowd-kit's pins need CPython 3.9 to 3.12: install one or set CROWDKIT_PYTHON"
        )
    return max(supported, key=lambda path: supported[path])


def venv_python() -> Path:
    return VENV / "bin" / "python"


def ensure_env() -> Path:
    """Create the crowd-kit venv if it is missing or has other pins; return its python."""
    marker = VENV / "pins.txt"
    wanted = "\n".join(PINS)
    if marker.is_file() and marker.read_text() == wanted and venv_python().exists():
        return venv_python()
    VENV.parent.mkdir(parents=True, exist_ok=True)
    # outside the repository so it never shows up as an untracked file
    tag = hashlib.sha1(str(VENV).encode(), usedforsecurity=False).hexdigest()[:10]
    lock_path = Path(tempfile.gettempdir()) / f"microwork-crowdkit-{tag}.lock"
    with lock_path.open("w") as lock:
        # parallel test workers would otherwise build the same venv at once
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.read_text() == wanted and venv_python().exists():
            return venv_python()
        steps = [
            [base_python(), "-m", "venv", "--clear", str(VENV)],
            [str(venv_python()), "-m", "pip", "install", "--quiet", *PINS],
        ]
        for step in steps:
            done = subprocess.run(step, capture_output=True, text=True, timeout=1800)
            if done.returncode != 0:
                tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
                raise CrowdkitUnavailableError(
                    f"could not create {VENV.name}: {' '.join(step[:4])}... failed: "
                    + " | ".join(tail)
                )
        marker.write_text(wanted)
    return venv_python()


def convert(payload: dict[str, object], answers: Answers) -> CrowdkitRun:
    """crowd-kit's task/class-indexed output as our n_tasks x n_classes arrays."""
    probas = np.full((answers.n_tasks, answers.n_classes), 1.0 / max(answers.n_classes, 1))
    labels = np.full(answers.n_tasks, -1, dtype=np.int64)
    tasks = np.asarray(payload["tasks"], dtype=np.int64)
    classes = np.asarray(payload["classes"], dtype=np.int64)
    values = np.asarray(payload["probas"], dtype=np.float64).reshape(len(tasks), len(classes))
    if len(tasks):
        probas[tasks] = 0.0
        probas[np.ix_(tasks, classes)] = values
        # crowd-kit's idxmax: first column among its (sorted) label columns wins a tie
        labels[tasks] = classes[values.argmax(axis=1)]
    return CrowdkitRun(
        labels=labels,
        probas=probas,
        seconds=float(payload["seconds"]),  # type: ignore[arg-type]
        peak_rss_mib=float(payload["peak_rss_kib"]) / 1024,  # type: ignore[arg-type]
    )


def run_fresh(
    answers: Answers, methods: list[str], *, timeout: float = 3600
) -> dict[str, dict[str, object]]:
    """Run methods in one new crowd-kit process; return raw JSON payloads by method."""
    python = ensure_env()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "answers.npz"
        np.savez(data, task=answers.task, worker=answers.worker, label=answers.label)
        job = {"data": str(data), "methods": {m: CLASSES[m] for m in methods}}
        done = subprocess.run(
            [str(python), "-c", _RUNNER, json.dumps(job)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **SINGLE_THREADED},
        )
    if done.returncode != 0:
        raise RuntimeError(f"crowd-kit run failed: {done.stderr.strip()[-2000:]}")
    payloads = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return {p["method"]: p for p in payloads}


def run(answers: Answers, methods: list[str], *, key: str | None = None) -> dict[str, CrowdkitRun]:
    """crowd-kit's result per method; with ``key`` (a data set name) results are cached."""
    results: dict[str, CrowdkitRun] = {}
    missing = list(methods)
    if key is not None:
        # a changed data file must not reuse the old result
        digest = hashlib.sha1(usedforsecurity=False)
        for array in (answers.task, answers.worker, answers.label):
            digest.update(np.ascontiguousarray(array).tobytes())
        key = f"{key}-{digest.hexdigest()[:10]}"
        CACHE.mkdir(parents=True, exist_ok=True)
        missing = []
        for method in methods:
            path = CACHE / f"{key}-{method}-v{CACHE_VERSION}.json"
            if path.is_file():
                results[method] = convert(json.loads(path.read_text()), answers)
            else:
                missing.append(method)
    if missing:
        for method, payload in run_fresh(answers, missing).items():
            if key is not None:
                path = CACHE / f"{key}-{method}-v{CACHE_VERSION}.json"
                path.write_text(json.dumps(payload))
            results[method] = convert(payload, answers)
    return results
