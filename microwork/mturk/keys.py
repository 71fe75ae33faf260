"""Access keys and the ids MTurk clients see.

Signature V4 signs each request with an HMAC keyed by (a key derived from) the secret access
key, so the server must be able to recompute it: unlike an API token, whose hash is enough,
the secret itself has to be kept. It is kept encrypted with AES-GCM under a key derived from
SECRET_KEY: a leaked database (a backup, a copy given for debugging) does not give away
anyone's secret without the server's own configuration, and rotating SECRET_KEY makes every
stored secret unreadable, which fails closed (the keys stop working) rather than open."""

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

ACCESS_KEY_PREFIX = "MWAK"
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _cipher_key() -> bytes:
    return hashlib.sha256(
        b"microwork mturk access keys\x00" + settings.SECRET_KEY.encode()
    ).digest()


def secret_encrypt(secret: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_cipher_key()).encrypt(nonce, secret.encode(), b"mturk-secret")
    return base64.b64encode(nonce + sealed).decode()


def secret_decrypt(stored: str) -> str | None:
    """The secret, or None when it cannot be read (SECRET_KEY changed, the row was altered)."""
    try:
        raw = base64.b64decode(stored)
        return AESGCM(_cipher_key()).decrypt(raw[:12], raw[12:], b"mturk-secret").decode()
    except Exception:
        return None


def new_access_key_id() -> str:
    # 20 characters from A–Z and 2–7, like AWS's own key ids.
    return ACCESS_KEY_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(16))


def new_secret() -> str:
    return secrets.token_urlsafe(30)[:40]


def new_entity_id(prefix: str = "") -> str:
    """A HIT, HIT type, qualification type or request id: upper-case letters and digits, as
    MTurk's EntityId pattern wants, and unguessable."""
    return (prefix + base64.b32encode(secrets.token_bytes(15)).decode()).rstrip("=")[:30]


def worker_id_for(*, organisation_id: int, worker_id: int) -> str:
    """A worker's WorkerId for one organisation: a keyed hash, so it reveals neither the
    username nor the database id, is stable, and differs from one organisation to another."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"mturk-worker:{organisation_id}:{worker_id}".encode(),
        hashlib.sha256,
    ).digest()
    return "A" + base64.b32encode(digest[:10]).decode().rstrip("=")


def assignment_id_for(lease_id: int) -> str:
    """The AssignmentId of a worker's lease: its number and a keyed MAC of it, so it cannot be
    guessed from another one. It is what an ExternalQuestion's page is given and posts back,
    and the page may be anyone's: a bare number would let it answer for other workers. Upper
    case letters and digits only, within 64 characters (MTurk's EntityId pattern)."""
    return f"A{lease_id}X{_lease_mac(lease_id)}"


def lease_id_from(assignment_id: str) -> int | None:
    """The lease an AssignmentId names, or None when it is malformed or its MAC is wrong."""
    if len(assignment_id) > 64 or not assignment_id.startswith("A") or "X" not in assignment_id:
        return None
    number, _sep, mac = assignment_id[1:].partition("X")
    if not number.isdigit() or len(number) > 18:
        return None
    if not hmac.compare_digest(mac, _lease_mac(int(number))):
        return None
    return int(number)


def _lease_mac(lease_id: int) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"mturk-assignment:{lease_id}".encode(), hashlib.sha256
    ).digest()
    return base64.b32encode(digest[:15]).decode()
