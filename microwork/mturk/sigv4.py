"""AWS Signature Version 4, checked the way AWS checks it: the canonical request rebuilt from
what arrived, the string to sign over it, the HMAC chain from the secret. A request is
refused with the error code AWS gives for each fault (boto3 shows it as the ClientError's
code), so a requester's existing error handling keeps working:

- no or malformed Authorization: IncompleteSignatureException / MissingAuthenticationToken;
- unknown or revoked access key: UnrecognizedClientException;
- X-Amz-Date more than 15 minutes from the server's clock: InvalidSignatureException
  ("Signature expired" / "Signature not yet current") — a captured request cannot be
  replayed later;
- anything else that does not match: InvalidSignatureException.
Every comparison of signatures takes the same time whatever matches."""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote

from django.http import HttpRequest

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "mturk-requester"
WINDOW = timedelta(minutes=15)
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$"
)
_SPACES = re.compile(r"\s+")


class SignatureError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Signed:
    access_key_id: str
    date: str  # YYYYMMDD
    region: str
    service: str
    amz_date: str
    signed_headers: list[str]
    signature: str


def parse(request: HttpRequest, now: datetime) -> Signed:
    """The Authorization header's parts, after the checks that need no secret."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        raise SignatureError("MissingAuthenticationTokenException", "Missing Authentication Token")
    match = _AUTH.match(header.strip())
    if match is None:
        raise SignatureError(
            "IncompleteSignatureException",
            "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
            "parameters for AWS4-HMAC-SHA256.",
        )
    credential, signed_headers, signature = match.groups()
    parts = credential.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SignatureError(
            "IncompleteSignatureException",
            "Credential should be scoped to a valid region, not a malformed scope.",
        )
    amz_date = request.META.get("HTTP_X_AMZ_DATE", "")
    try:
        moment = datetime.strptime(amz_date, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError(
            "IncompleteSignatureException", "Authorization header requires the X-Amz-Date header."
        ) from None
    headers = signed_headers.split(";")
    if "host" not in headers or "x-amz-date" not in headers:
        raise SignatureError(
            "InvalidSignatureException", "The host and x-amz-date headers must be signed."
        )
    if parts[1] != amz_date[:8]:
        raise SignatureError(
            "InvalidSignatureException",
            f"Credential should be scoped to a valid date: {amz_date[:8]}, not {parts[1]}.",
        )
    if parts[3] != SERVICE:
        raise SignatureError(
            "InvalidSignatureException",
            f"Credential should be scoped to correct service: '{SERVICE}'.",
        )
    stamp = now.strftime(DATE_FORMAT)
    if moment < now - WINDOW:
        raise SignatureError(
            "InvalidSignatureException",
            f"Signature expired: {amz_date} is now earlier than "
            f"{(now - WINDOW).strftime(DATE_FORMAT)} ({stamp} - 15 min.)",
        )
    if moment > now + WINDOW:
        raise SignatureError(
            "InvalidSignatureException",
            f"Signature not yet current: {amz_date} is still later than "
            f"{(now + WINDOW).strftime(DATE_FORMAT)} ({stamp} + 15 min.)",
        )
    return Signed(
        access_key_id=parts[0],
        date=parts[1],
        region=parts[2],
        service=parts[3],
        amz_date=amz_date,
        signed_headers=headers,
        signature=signature,
    )


def _header(request: HttpRequest, name: str) -> str:
    if name == "host":
        value = request.META.get("HTTP_HOST", "")
    elif name in ("content-type", "content-length"):
        value = request.META.get(name.upper().replace("-", "_"), "")
    else:
        value = request.META.get("HTTP_" + name.upper().replace("-", "_"), "")
    return _SPACES.sub(" ", str(value).strip())


def _canonical_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_request(request: HttpRequest, signed: Signed, body: bytes) -> str:
    headers = "".join(f"{name}:{_header(request, name)}\n" for name in signed.signed_headers)
    return "\n".join(
        [
            request.method or "POST",
            quote(request.path, safe="/~"),
            _canonical_query(request.META.get("QUERY_STRING", "")),
            headers,
            ";".join(signed.signed_headers),
            hashlib.sha256(body).hexdigest(),
        ]
    )


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signature(secret: str, signed: Signed, canonical: str) -> str:
    scope = f"{signed.date}/{signed.region}/{signed.service}/aws4_request"
    to_sign = "\n".join(
        [ALGORITHM, signed.amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(("AWS4" + secret).encode(), signed.date)
    for part in (signed.region, signed.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def verify(request: HttpRequest, signed: Signed, secret: str, body: bytes) -> None:
    expected = signature(secret, signed, canonical_request(request, signed, body))
    if not hmac.compare_digest(expected, signed.signature):
        raise SignatureError(
            "InvalidSignatureException",
            "The request signature we calculated does not match the signature you provided. "
            "Check your AWS Secret Access Key and signing method. Consult the service "
            "documentation for details.",
        )
