"""Everything the platform holds about a worker, for them to download: their profile, what
they agreed to and what was deleted, their answers, the decisions about them and their
appeals, and their money (every entry of their balances, their payouts). Written as one JSON
document, section by section and row by row, so a long history streams out without being
held in memory.

SECTIONS: key → dotted path of `rows(*, worker) -> iterable of JSON-ready dicts`, one
section of the document each, in this order. `files` lists the worker's own files (recordings,
photos) with the address each can be fetched from while it is kept."""

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from microwork.accounts.models import User, WorkerProfile
from microwork.ledger.models import Entry, Payout
from microwork.lib.registry import loaded
from microwork.privacy.models import Consent, Deletion
from microwork.quality.models import Appeal, Decision
from microwork.work.models import Submission, WorkerFile

SECTIONS: dict[str, str] = {
    "profile": "microwork.privacy.exports.profile",
    "consents": "microwork.privacy.exports.consents",
    "deletions": "microwork.privacy.exports.deletions",
    "answers": "microwork.privacy.exports.answers",
    "files": "microwork.privacy.exports.files",
    "decisions": "microwork.privacy.exports.decisions",
    "appeals": "microwork.privacy.exports.appeals",
    "money": "microwork.privacy.exports.money",
    "payouts": "microwork.privacy.exports.payouts",
}
CHUNK = 500


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON")


def profile(*, worker: User) -> Iterable[dict[str, Any]]:
    row: dict[str, Any] = {
        "id": worker.pk,
        "username": worker.username,
        "email": worker.email,
        "language": worker.language,
        "joined": worker.date_joined,
        "last_login": worker.last_login,
    }
    worker_profile = WorkerProfile.objects.filter(user=worker).first()
    if worker_profile is not None:
        row.update(
            country=worker_profile.country,
            languages=worker_profile.languages,
            timezone=worker_profile.timezone,
        )
    return [row]


def consents(*, worker: User) -> Iterable[dict[str, Any]]:
    for c in Consent.objects.filter(worker=worker).select_related("project").order_by("id"):
        yield {
            "project": c.project.name,
            "project_id": c.project_id,
            "text": c.text,
            "version": c.version,
            "given_at": c.given_at,
            "withdrawn_at": c.withdrawn_at,
        }


def deletions(*, worker: User) -> Iterable[dict[str, Any]]:
    for d in Deletion.objects.filter(worker=worker).select_related("project").order_by("id"):
        yield {
            "project": d.project.name if d.project else None,
            "reason": d.reason,
            "tasks": d.task_ids,
            "at": d.at,
        }


def answers(*, worker: User) -> Iterable[dict[str, Any]]:
    rows = (
        Submission.objects.filter(worker=worker)
        .select_related("project")
        .order_by("id")
        .iterator(chunk_size=CHUNK)
    )
    for s in rows:
        yield {
            "project": s.project.name,
            "project_id": s.project_id,
            "assignment_id": s.assignment_id,
            "answer": s.answer,
            "status": s.status,
            "submitted_at": s.submitted_at,
            "active_ms": s.active_ms,
        }


def files(*, worker: User) -> Iterable[dict[str, Any]]:
    rows = WorkerFile.objects.filter(worker=worker).select_related("project").order_by("id")
    for f in rows.iterator(chunk_size=CHUNK):
        kept = f.status == WorkerFile.Status.COMPLETE
        yield {
            "ref": f.ref,
            "project": f.project.name,
            "project_id": f.project_id,
            "assignment_id": f.assignment_id,
            "field": f.field,
            "status": f.status,
            "content_type": f.content_type,
            "size_bytes": f.size_bytes,
            "sha256": f.sha256,
            "facts": f.facts,
            "created_at": f.created_at,
            "deleted_at": f.deleted_at,
            "deletion_reason": f.deletion_reason,
            "download": f"/api/work/files/{f.ref}" if kept else None,
        }


def decisions(*, worker: User) -> Iterable[dict[str, Any]]:
    rows = Decision.objects.filter(worker=worker).select_related("project").order_by("id")
    for d in rows.iterator(chunk_size=CHUNK):
        yield {
            "id": d.pk,
            "project": d.project.name if d.project else None,
            "kind": d.kind,
            "rule": d.rule_key,
            "inputs": d.inputs,
            "outcome": d.outcome,
            "note": d.note,
            "status": d.status,
            "starts_at": d.starts_at,
            "ends_at": d.ends_at,
        }


def appeals(*, worker: User) -> Iterable[dict[str, Any]]:
    for a in Appeal.objects.filter(worker=worker).order_by("id").iterator(chunk_size=CHUNK):
        yield {
            "decision_id": a.decision_id,
            "message": a.message,
            "status": a.status,
            "created_at": a.created_at,
            "answered_at": a.answered_at,
            "response": a.response,
        }


def money(*, worker: User) -> Iterable[dict[str, Any]]:
    """Every movement of the worker's balances: earnings, approvals, bonuses, payouts."""
    rows = (
        Entry.objects.filter(account__user=worker)
        .select_related("account", "transaction")
        .order_by("transaction__created_at", "id")
        .iterator(chunk_size=CHUNK)
    )
    for e in rows:
        yield {
            "at": e.transaction.created_at,
            "kind": e.transaction.kind,
            "balance": e.account.kind,
            "amount": e.amount,
            "currency": e.currency,
            "memo": e.transaction.memo,
        }


def payouts(*, worker: User) -> Iterable[dict[str, Any]]:
    for p in Payout.objects.filter(user=worker).order_by("id").iterator(chunk_size=CHUNK):
        yield {
            "amount": p.amount,
            "currency": p.currency,
            "provider": p.provider,
            "status": p.status,
            "requested_at": p.requested_at,
            "finished_at": p.finished_at,
        }


def worker_data_json(*, worker: User, now: datetime) -> Iterator[str]:
    """The whole document in pieces: `{"generated_at": …, "<section>": [rows…], …}`."""
    yield "{" + json.dumps("generated_at") + ": " + json.dumps(now.isoformat())
    for key, path in SECTIONS.items():
        yield ",\n" + json.dumps(key) + ": ["
        for i, row in enumerate(loaded(path)(worker=worker)):
            yield ("\n" if i == 0 else ",\n") + json.dumps(row, default=_plain, ensure_ascii=False)
        yield "]"
    yield "}\n"
