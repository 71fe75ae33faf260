"""Sending a delivery: one attempt at a time, each logged, retried with exponential back-off
until the receiver answers 2xx or MAX_ATTEMPTS are spent.

An attempt is claimed by a conditional update (due, still pending) that pushes the next
attempt time past a lease: two workers, or the sweep and the job queued at commit, never send
the same attempt twice, and a worker that dies mid-attempt is retried once the lease ends. The
HTTP call is made outside any transaction."""

import http.client
import json
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from microwork.lib.errors import ApplicationError
from microwork.lib.registry import loaded
from microwork.webhooks.addresses import resolve
from microwork.webhooks.models import Attempt, Delivery, Event
from microwork.webhooks.services.subscriptions import subscription_secrets
from microwork.webhooks.signing import SIGNATURE_HEADER, signature_header

# 1 first try + 7 retries over about 10.6 hours (30 s, 1 min, 2, 4, 8, 16… capped at 6 h),
# long enough to ride out a receiver's bad evening.
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
# Longer than an attempt can take (the receiver's time limit plus the address lookup).
LEASE = timedelta(minutes=5)
# At most this many due deliveries queued per sweep; the next sweep takes the rest.
SWEEP_BATCH = 200
EXCERPT = 500
# The job that makes one attempt, named by path: services and tasks never import each other.
DELIVERY_SEND = "microwork.webhooks.tasks.webhook_delivery_send"
USER_AGENT = "microwork-webhooks/1"


def backoff(attempts_made: int) -> timedelta:
    """How long to wait after the `attempts_made`-th failed attempt: doubling from
    FIRST_RETRY, capped at LONGEST_WAIT."""
    return min(FIRST_RETRY * (2 ** max(0, attempts_made - 1)), LONGEST_WAIT)


def event_body(event: Event) -> bytes:
    """The JSON a receiver gets: the same bytes on every attempt, so a receiver can dedupe on
    `id`."""
    document = {
        "id": f"evt_{event.pk}",
        "type": event.name,
        "created_at": event.created_at.isoformat().replace("+00:00", "Z"),
        "project_id": event.project_id,
        "data": event.payload,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    error: str
    excerpt: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _post(url: str, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST to `url` at the address `resolve` checked; redirects are not followed (each hop
    would need the same check, and a receiver has no reason to move)."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    host = parts.hostname or ""
    try:
        address = resolve(host, port)
    except ApplicationError as exc:
        return Outcome(None, exc.message, "", took())
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    connection: http.client.HTTPConnection
    if https:
        connection = http.client.HTTPSConnection(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)

    def pinned(_address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        # The TLS check and the Host header still use the name; only the address is pinned.
        return socket.create_connection((address, port), *args, **kwargs)

    connection._create_connection = pinned  # type: ignore[attr-defined]
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT).decode("utf-8", "replace")
        return Outcome(response.status, "", excerpt, took())
    except (OSError, http.client.HTTPException) as exc:
        reason = str(exc) or exc.__class__.__name__
        return Outcome(None, reason[:EXCERPT], "", took())
    finally:
        connection.close()


def _claim(delivery_id: int, now: datetime) -> Delivery | None:
    claimed = Delivery.objects.filter(
        pk=delivery_id,
        status=Delivery.Status.PENDING,
        next_attempt_at__lte=now,
    ).update(next_attempt_at=now + LEASE, attempts=F("attempts") + 1)
    if not claimed:
        return None
    return Delivery.objects.select_related("event", "subscription").get(pk=delivery_id)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> Attempt | None:
    """Make the next attempt of a delivery if it is due; None when it is not (already
    delivered, given up, waiting for its back-off, or being sent by someone else)."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    subscription = delivery.subscription
    event = delivery.event
    number = delivery.attempts
    if not subscription.is_active:
        outcome = Outcome(None, "The subscription is paused.", "", 0)
    else:
        body = event_body(event)
        timestamp = int(now.timestamp())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            SIGNATURE_HEADER: signature_header(
                secrets=subscription_secrets(subscription), timestamp=timestamp, body=body
            ),
            "Microwork-Event": event.name,
            "Microwork-Event-Id": f"evt_{event.pk}",
            "Microwork-Delivery": str(delivery.pk),
            "Microwork-Attempt": str(number),
        }
        outcome = _post(subscription.url, body, headers)
    return _record(delivery=delivery, number=number, started=now, outcome=outcome)


@transaction.atomic
def _record(*, delivery: Delivery, number: int, started: datetime, outcome: Outcome) -> Attempt:
    attempt = Attempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started,
        duration_ms=outcome.duration_ms,
        status_code=outcome.status_code,
        error=outcome.error[:EXCERPT],
        response_excerpt=outcome.excerpt[:EXCERPT],
    )
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error[:EXCERPT]
    if outcome.ok:
        delivery.status = Delivery.Status.DELIVERED
        delivery.delivered_at = started
        delivery.next_attempt_at = None
    elif number >= MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.next_attempt_at = started + backoff(number)
    delivery.save(
        update_fields=[
            "status",
            "delivered_at",
            "next_attempt_at",
            "last_status_code",
            "last_error",
        ]
    )
    return attempt


def deliveries_due(*, now: datetime | None = None) -> list[int]:
    """Queue an attempt for every delivery whose time has come (retries, and first attempts
    whose queued job was lost); the claim makes a delivery queued twice harmless."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for pk in due:
        loaded(DELIVERY_SEND).enqueue(delivery_id=pk)
    return due
