"""The HTTP side of the client: one request with retries, idempotency keys and the API's
error shape. Only the standard library, so the client installs anywhere Python does."""

from __future__ import annotations

import json
import random
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import IO, Any

# What a multipart file field holds: (file name, content, content type).
FileField = tuple[str, bytes | IO[bytes], str]

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "microwork-client/0.1"


class ApiError(Exception):
    """The API's refusal: `status`, and from its body `code`, `message`, `field`, `details`."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        field: str | None = None,
        details: Any = None,
        body: bytes = b"",
    ) -> None:
        super().__init__(f"{status} {code}: {message}" + (f" (field {field})" if field else ""))
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.details = details
        self.body = body


class TransportError(Exception):
    """No answer from the server after every retry (refused, reset, timed out)."""


@dataclass
class RetryPolicy:
    """Retries on 429, 5xx and connection errors, waiting the server's Retry-After when it
    gives one, else an exponential back-off with jitter."""

    attempts: int = 4
    backoff: float = 0.5
    max_wait: float = 30.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def wait(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            seconds = _retry_after_seconds(retry_after)
            if seconds is not None:
                return min(seconds, self.max_wait)
        doubled: float = self.backoff * 2.0 ** (attempt - 1) * (1 + random.random() / 4)
        return min(doubled, self.max_wait)


def _retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _multipart(data: Mapping[str, str], files: Mapping[str, FileField]) -> tuple[bytes, str]:
    boundary = "microwork-" + uuid.uuid4().hex
    out: list[bytes] = []
    for name, value in data.items():
        out.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + str(value).encode()
            + b"\r\n"
        )
    for name, (filename, content, content_type) in files.items():
        body = content if isinstance(content, bytes) else content.read()
        safe = filename.replace('"', "").replace("\r", "").replace("\n", "")
        out.append(
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{safe}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + body
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return b"".join(out), f"multipart/form-data; boundary={boundary}"


class BaseClient:
    """Holds the server address, the token and the retry policy; `_call` is what every
    generated operation uses."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        user_agent: str = USER_AGENT,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"The server address must start with http:// or https://: {base_url}")
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.user_agent = user_agent
        self._opener = urllib.request.build_opener(_NoRedirect())

    def _url(self, path: str, query: Mapping[str, Any] | None) -> str:
        url = self.base_url + path
        pairs: list[tuple[str, str]] = []
        for name, value in (query or {}).items():
            if value is None:
                continue
            if isinstance(value, bool):
                value = "true" if value else "false"
            if isinstance(value, list | tuple):
                pairs.extend((name, str(v)) for v in value)
            else:
                pairs.append((name, str(value)))
        return url + ("?" + urllib.parse.urlencode(pairs) if pairs else "")

    def _call(
        self,
        method: str,
        path: str,
        path_params: Mapping[str, Any] | None = None,
        *,
        query: Mapping[str, Any] | None = None,
        body: Any = None,
        files: Mapping[str, FileField] | None = None,
        data: Mapping[str, str] | None = None,
        raw: bool = False,
        idempotency_field: str | None = None,
        idempotent: bool = False,
    ) -> Any:
        """One operation. `idempotency_field` names the body field that makes a retry count
        once (`request_key`): it is filled with a new key when the caller gave none, and the
        same key goes with every retry. A POST is retried after it may have reached the
        server only when it is idempotent that way; otherwise only a 429 (not processed) or a
        refused connection (not sent) is retried."""
        for name, value in (path_params or {}).items():
            path = path.replace("{" + name + "}", urllib.parse.quote(str(value), safe=""))
        if idempotency_field and isinstance(body, dict) and not body.get(idempotency_field):
            body = {**body, idempotency_field: uuid.uuid4().hex}
        safe = method in ("GET", "HEAD", "PUT", "DELETE", "PATCH") or idempotent
        safe = safe or bool(idempotency_field)
        headers = {"Accept": "application/json", "User-Agent": self.user_agent}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        payload: bytes | None = None
        if files is not None:
            payload, headers["Content-Type"] = _multipart(data or {}, files)
        elif body is not None:
            payload = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        url = self._url(path, query)
        attempt = 0
        while True:
            attempt += 1
            # The scheme was checked when the client was made (http or https only).
            request = urllib.request.Request(  # noqa: S310
                url, data=payload, headers=headers, method=method
            )
            try:
                with self._opener.open(request, timeout=self.timeout) as response:
                    content = response.read()
                    status = response.status
            except urllib.error.HTTPError as exc:
                content = exc.read()
                status = exc.code
                retry_after = exc.headers.get("Retry-After")
                retriable = status == 429 or (status in RETRY_STATUSES and safe)
                if retriable and attempt < self.retry.attempts:
                    self.retry.sleep(self.retry.wait(attempt, retry_after))
                    continue
                raise _api_error(status, content) from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                refused = isinstance(reason, ConnectionRefusedError)
                if (safe or refused) and attempt < self.retry.attempts:
                    self.retry.sleep(self.retry.wait(attempt, None))
                    continue
                raise TransportError(f"{method} {url}: {reason}") from exc
            if raw:
                return content
            if status == 204 or not content:
                return None
            return json.loads(content)

    def _pages(
        self, method: str, path: str, path_params: Mapping[str, Any], query: dict[str, Any]
    ) -> Iterator[Any]:
        """Every item of a paginated list, page after page (`items` with `count`, and
        `pages` where the endpoint gives it)."""
        page = int(query.pop("page", None) or 1)
        seen = 0
        while True:
            got = self._call(method, path, path_params, query={**query, "page": page})
            items = got.get("items") or []
            yield from items
            seen += len(items)
            last = got.get("pages")
            if not items or seen >= int(got.get("count", 0)) or (last and page >= int(last)):
                return
            page += 1


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect would carry the token to wherever it points; the API never redirects.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _api_error(status: int, content: bytes) -> ApiError:
    try:
        parsed = json.loads(content)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        return ApiError(
            status,
            str(parsed.get("code") or status),
            str(parsed.get("message") or parsed.get("detail") or ""),
            parsed.get("field"),
            parsed.get("details"),
            content,
        )
    return ApiError(status, str(status), content[:200].decode("utf-8", "replace"), body=content)
