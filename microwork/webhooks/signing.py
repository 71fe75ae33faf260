"""How a delivery is signed, and how a receiver checks it (docs/webhooks.md shows the same
check for receivers). Plain Python, no Django.

The signature is HMAC-SHA256, keyed with the subscription's secret, over
"<timestamp>.<body>": the timestamp (whole seconds since 1970, UTC) is signed with the body, so
a receiver that refuses old timestamps cannot be fed a delivery recorded earlier."""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Microwork-Signature"
# A receiver should refuse a delivery signed longer ago than this.
DEFAULT_TOLERANCE_SECONDS = 300


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def signature_header(*, secrets: list[str], timestamp: int, body: bytes) -> str:
    """`t=<timestamp>,v1=<hex>[,v1=<hex>]`: one v1 per secret in use (two for a while after
    a rotation)."""
    parts = [f"t={timestamp}"]
    parts += [f"v1={signature(secret=s, timestamp=timestamp, body=body)}" for s in secrets]
    return ",".join(parts)


def verify(
    *,
    secret: str,
    header: str,
    body: bytes,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """True when one of the header's v1 signatures is the body's under `secret` and its
    timestamp is within `tolerance` seconds of now."""
    timestamp = None
    candidates = []
    for part in header.split(","):
        name, _eq, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, c) for c in candidates)
