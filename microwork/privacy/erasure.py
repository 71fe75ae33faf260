"""Who erases a worker's personal data of a project, whatever holds it. A plug-in point: each
app that keeps personal data registers an eraser, and withdrawal, the retention job and
account deletion call them all through `erase_all`, in one transaction with the Deletion
record that lists what went.

ERASERS: key → dotted path of `erase(*, project, worker, reason) -> list of task ids`, the
tasks whose personal data of this worker it removed (empty when there was nothing). Each must
be idempotent (a second call finds nothing and returns []), so a retried withdrawal or a
re-run of the retention job does no harm. `reason` is a Deletion.Reason value.

Entries, in order:
- `drafts`: the half-typed answers saved on the worker's tasks of the project (work app);
- `work_files`: the worker's own files (voice recordings, photos), removed from storage (work
  app).

The answers themselves stay: they are the requester's, and what paid
the worker; a file an answer points to is gone once its eraser ran."""

from typing import Any, Protocol

from microwork.lib.registry import loaded


class Eraser(Protocol):
    def __call__(self, *, project: Any, worker: Any, reason: str) -> list[int]: ...


ERASERS: dict[str, str] = {
    "drafts": "microwork.work.services.erasing.drafts_erase",
    "work_files": "microwork.work.services.erasing.files_erase",
}


def erase_all(*, project: Any, worker: Any, reason: str) -> dict[str, list[int]]:
    """Every eraser for one worker and one project: {key: sorted task ids} of those that
    removed something."""
    removed: dict[str, list[int]] = {}
    for key, path in ERASERS.items():
        eraser: Eraser = loaded(path)
        ids = sorted(set(eraser(project=project, worker=worker, reason=reason)))
        if ids:
            removed[key] = ids
    return removed
