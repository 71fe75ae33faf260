"""Progress a long job reports while it runs, phase by phase, with counts and an estimate of
the time left; read by the page that shows it.

A job's phase may run inside one database transaction (an upload's insert pass does, so a
failure adds nothing), where a row it updates stays invisible to every other connection until
the end; the progress therefore goes to a small file beside the job's input, written whole
(a temporary file renamed over the old one), never half. Plain Python: any app's job uses it.

Phases are declared up front with a weight, the share of the job's time each takes per unit
of work relative to the others, so the overall share and the time left stay honest before a
phase has started (an insert pass is slower per row than the check before it)."""

import contextlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Writes at most this often; the last one of a phase always goes out.
WRITE_EVERY_SECONDS = 0.5


@dataclass(frozen=True)
class PhaseView:
    key: str
    done: int
    total: int
    state: str  # "waiting", "running" or "done"

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        return min(99, int(self.done * 100 / self.total)) if self.total else 0


@dataclass(frozen=True)
class ProgressView:
    phases: list[PhaseView]
    percent: int
    seconds_left: int | None

    @property
    def current(self) -> PhaseView | None:
        return next((p for p in self.phases if p.state == "running"), None)


class JobProgress:
    """The writer: `start(key, total)` a phase, `advance(done)` within it, `finish(key)`."""

    def __init__(
        self,
        path: Path,
        phases: Sequence[tuple[str, float]],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = path
        self.clock = clock
        self.state: dict[str, Any] = {
            "phases": [
                {"key": k, "weight": w, "done": 0, "total": 0, "started": None, "ended": None}
                for k, w in phases
            ]
        }
        self._written = 0.0

    def _phase(self, key: str) -> dict[str, Any]:
        return next(p for p in self.state["phases"] if p["key"] == key)

    def announce(self) -> None:
        """The job is queued: every phase waiting, so the page shows it before it starts."""
        self._write(force=True)

    def start(self, key: str, total: int) -> None:
        phase = self._phase(key)
        phase.update(total=max(int(total), 0), done=0, started=self.clock(), ended=None)
        self._write(force=True)

    def advance(self, key: str, done: int) -> None:
        self._phase(key)["done"] = int(done)
        self._write()

    def finish(self, key: str) -> None:
        phase = self._phase(key)
        phase.update(done=phase["total"], ended=self.clock())
        self._write(force=True)

    def _write(self, force: bool = False) -> None:
        now = self.clock()
        if not force and now - self._written < WRITE_EVERY_SECONDS:
            return
        self._written = now
        self.path.parent.mkdir(parents=True, exist_ok=True)
        part = self.path.with_suffix(".part")
        part.write_text(json.dumps({**self.state, "updated": now}))
        os.replace(part, self.path)

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
        # The last job out leaves no empty folder behind; another job's file keeps it.
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()


def read_progress(path: Path, clock: Callable[[], float] = time.time) -> ProgressView | None:
    """What a job wrote, as shares and an estimate (None: no report, or not readable)."""
    try:
        state = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return progress_view(state, now=clock())


def progress_view(state: dict[str, Any], *, now: float) -> ProgressView:
    phases = state.get("phases") or []
    views: list[PhaseView] = []
    durations: dict[str, float | None] = {}
    for p in phases:
        if p.get("ended") is not None:
            word = "done"
            durations[p["key"]] = p["ended"] - p["started"]
        elif p.get("started") is not None:
            word = "running"
            share = p["done"] / p["total"] if p["total"] else 0
            durations[p["key"]] = (now - p["started"]) / share if share > 0 else None
        else:
            word = "waiting"
            durations[p["key"]] = None
        views.append(PhaseView(p["key"], int(p["done"]), int(p["total"]), word))
    # A phase not started yet is estimated from the latest phase that has a measure, scaled
    # by their weights (the share of the job's time each phase usually takes).
    reference = next(
        (p for p in reversed(phases) if durations.get(p["key"]) is not None and p["weight"]),
        None,
    )
    weights = sum(p["weight"] for p in phases) or 1
    done_weight = 0.0
    seconds_left: float | None = 0.0
    for p, view in zip(phases, views, strict=True):
        if view.state == "done":
            done_weight += p["weight"]
            continue
        if view.state == "running":
            done_weight += p["weight"] * (view.done / view.total if view.total else 0)
            full = durations[p["key"]]
            left = None if full is None else full - (now - p["started"])
        else:
            left = (
                None
                if reference is None
                else durations[reference["key"]] * p["weight"] / reference["weight"]
            )
        seconds_left = (
            None if seconds_left is None or left is None else seconds_left + max(left, 0.0)
        )
    percent = min(99, int(done_weight * 100 / weights))
    if views and all(v.state == "done" for v in views):
        percent = 100
    return ProgressView(views, percent, None if seconds_left is None else int(seconds_left))
