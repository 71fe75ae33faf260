"""The client: every operation of the API (generated) and the few things scripts do with them
again and again: wait for an upload, follow a project, download its results to a file."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from microwork_client._generated import BatchOut, GeneratedOperations, ProgressOut
from microwork_client._http import RetryPolicy

UPLOAD_TYPES = {".csv": "text/csv", ".jsonl": "application/jsonl", ".json": "application/json"}
DOWNLOADS = {
    ("results", "csv"): "/api/projects/{project_id}/results.csv",
    ("results", "jsonl"): "/api/projects/{project_id}/results.jsonl",
    ("answers", "csv"): "/api/projects/{project_id}/answers.csv",
    ("answers", "jsonl"): "/api/projects/{project_id}/answers.jsonl",
}


class Client(GeneratedOperations):
    """microwork's API. `Client.from_env()` reads MICROWORK_URL and MICROWORK_TOKEN.

    Every call retries on 429, 5xx and dropped connections (honouring Retry-After) when that
    cannot count twice; calls that take a `request_key` get a fresh one unless you give your
    own, reused by their retries. Lists have an `iter_…` twin that walks every page."""

    @classmethod
    def from_env(cls, *, retry: RetryPolicy | None = None, **kwargs: Any) -> Client:
        url = os.environ.get("MICROWORK_URL")
        if not url:
            raise ValueError("Set MICROWORK_URL to the server's address (https://…).")
        return cls(url, os.environ.get("MICROWORK_TOKEN"), retry=retry, **kwargs)

    def upload_tasks_file(self, project_id: int, path: str | Path) -> BatchOut:
        """Upload a CSV, JSON or JSON Lines file of tasks. The same file twice adds nothing
        (the server knows it by its content), so a retried upload is safe."""
        path = Path(path)
        content_type = UPLOAD_TYPES.get(path.suffix.lower(), "application/octet-stream")
        with path.open("rb") as handle:
            return self.upload_tasks(
                project_id, files={"file": (path.name, handle.read(), content_type)}
            )

    def wait_for_batch(
        self,
        batch_id: int,
        *,
        interval: float = 1.0,
        timeout: float | None = None,
        on_progress: Callable[[BatchOut], None] | None = None,
    ) -> BatchOut:
        """Poll an uploaded batch until it is checked (done or failed)."""
        started = time.monotonic()
        while True:
            batch = self.get_batch(batch_id)
            if on_progress is not None:
                on_progress(batch)
            if batch["status"] not in ("pending", "processing"):
                return batch
            if timeout is not None and time.monotonic() - started > timeout:
                raise TimeoutError(f"batch {batch_id} still {batch['status']}")
            time.sleep(interval)

    def progress(self, project_id: int) -> ProgressOut:
        return self.project_progress(project_id)

    def download_bytes(self, project_id: int, *, kind: str = "results", fmt: str = "csv") -> bytes:
        """The project's results (one row per task) or answers (one per answer), as CSV or
        JSON Lines."""
        try:
            path = DOWNLOADS[(kind, fmt)]
        except KeyError:
            raise ValueError(
                f"No {kind} download as {fmt}; choose from {sorted(DOWNLOADS)}"
            ) from None
        content: bytes = self._call("GET", path, {"project_id": project_id}, raw=True)
        return content

    def download(
        self, project_id: int, dest: str | Path, *, kind: str = "results", fmt: str = "csv"
    ) -> Path:
        """Write `download_bytes` to `dest`."""
        dest = Path(dest)
        dest.write_bytes(self.download_bytes(project_id, kind=kind, fmt=fmt))
        return dest
