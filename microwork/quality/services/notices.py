"""Telling people about quality control's writes: one inbox message per person, with the
decision and appeal it concerns, in the caller's transaction."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from microwork.accounts.models import User
from microwork.inbox.services import inbox_notify
from microwork.quality.models import Appeal, Decision


def quality_notify(
    *,
    to: User | Iterable[User],
    kind: str,
    decision: Decision | None = None,
    appeal: Appeal | None = None,
    params: dict[str, Any] | None = None,
    now: datetime,
) -> None:
    refs = {
        "decision_id": decision.pk if decision else None,
        "appeal_id": appeal.pk if appeal else None,
    }
    users = [to] if isinstance(to, User) else to
    inbox_notify(users=users, kind=kind, params={**(params or {}), **refs}, now=now)
