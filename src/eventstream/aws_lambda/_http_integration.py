"""The ``application/vnd.awslambda.http-integration-response`` prelude.

Functions behind Function URLs (and API Gateway streaming integrations) write a JSON
prelude (``statusCode``, ``headers``, ``multiValueHeaders``, ``cookies``), then 8 NUL
bytes, then the HTTP body, and set that content type; Lambda reports it to a direct
caller in ``x-amzn-Remapped-Content-Type`` and passes the bytes through unchanged in the
``PayloadChunk`` payloads. (Facts: ``HttpResponseStream.from`` in
aws-lambda-nodejs-runtime-interface-client writes ``JSON.stringify(prelude)`` and an
8-byte zero delimiter, ``DELIMITER_LEN = 8``.)

Goal: split the joined payload into prelude and body incrementally, the prelude
straddling any number of chunks, holding at most ``max_prelude_size`` bytes (16 KiB
by default, the bound API Gateway applies) while looking for the delimiter; and the
encoder for people writing streaming functions. JSON text never holds a raw NUL (RFC
8259 requires control characters to be escaped), so the first 8 NULs end the prelude.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._peer_json import PeerJSONError, parse_peer_json

__all__ = [
    "HTTP_INTEGRATION_CONTENT_TYPE",
    "HttpIntegrationError",
    "HttpIntegrationPrelude",
    "HttpIntegrationSplitter",
    "encode_http_integration_prelude",
]

HTTP_INTEGRATION_CONTENT_TYPE = "application/vnd.awslambda.http-integration-response"
DELIMITER = b"\x00" * 8
DEFAULT_MAX_PRELUDE_SIZE = 16 * 1024


class HttpIntegrationError(ValueError):
    """The payload does not start with a valid HTTP-integration prelude.

    ``offset`` is the byte offset in the joined payload where the problem lies.
    """

    def __init__(self, message: str, offset: int) -> None:
        self.offset = offset
        super().__init__(f"{message} (payload offset {offset})")

    def __reduce__(self) -> Any:
        text = str(self)
        suffix = f" (payload offset {self.offset})"
        if text.endswith(suffix):
            text = text[: -len(suffix)]
        return (type(self), (text, self.offset))


@dataclass(frozen=True)
class HttpIntegrationPrelude:
    """The HTTP response head a streaming function asked for.

    ``status_code`` defaults to 200; ``headers`` holds single-valued headers,
    ``multi_value_headers`` lists of values, ``cookies`` ``Set-Cookie`` values.
    ``extra`` keeps any other members of the JSON object, untouched.
    """

    status_code: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    multi_value_headers: dict[str, list[str]] = field(default_factory=dict)
    cookies: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_bytes(self) -> bytes:
        """The prelude as a function writes it: JSON, then the 8-NUL delimiter."""
        document: dict[str, Any] = {"statusCode": self.status_code}
        if self.headers:
            document["headers"] = dict(self.headers)
        if self.multi_value_headers:
            document["multiValueHeaders"] = {
                k: list(v) for k, v in self.multi_value_headers.items()
            }
        if self.cookies:
            document["cookies"] = list(self.cookies)
        for key, value in self.extra.items():
            document.setdefault(key, value)
        return json.dumps(document, separators=(",", ":")).encode("utf-8") + DELIMITER


def encode_http_integration_prelude(
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    multi_value_headers: Mapping[str, Sequence[str]] | None = None,
    cookies: Sequence[str] | None = None,
) -> bytes:
    """Bytes a streaming function writes before its body: JSON prelude + 8 NUL bytes.

    Write the result as the first bytes of the response stream and set the stream's
    content type to ``application/vnd.awslambda.http-integration-response``.
    """
    prelude = HttpIntegrationPrelude(
        status_code=status_code,
        headers=dict(headers or {}),
        multi_value_headers={k: list(v) for k, v in (multi_value_headers or {}).items()},
        cookies=list(cookies or []),
    )
    _validate(prelude, 0)
    return prelude.to_bytes()


def _validate(prelude: HttpIntegrationPrelude, offset: int) -> None:
    status = prelude.status_code
    if isinstance(status, bool) or not isinstance(status, int) or not 100 <= status <= 999:
        raise HttpIntegrationError(
            f"statusCode must be an integer 100..999, got {status!r}", offset
        )
    for name, value in prelude.headers.items():
        if not isinstance(name, str) or not isinstance(value, str):
            raise HttpIntegrationError(f"headers must map str to str, got {name!r}", offset)
    for name, values in prelude.multi_value_headers.items():
        if not isinstance(name, str) or not all(isinstance(v, str) for v in values):
            raise HttpIntegrationError(
                f"multiValueHeaders must map str to lists of str, got {name!r}", offset
            )
    if not all(isinstance(cookie, str) for cookie in prelude.cookies):
        raise HttpIntegrationError("cookies must be a list of str", offset)


def _member_or(document: dict[str, Any], name: str, default: Any) -> Any:
    value = document.get(name)
    return default if value is None else value


def _parse_prelude(raw: bytes) -> HttpIntegrationPrelude:
    try:
        document = parse_peer_json(raw)
    except PeerJSONError as exc:
        raise HttpIntegrationError(f"prelude is not UTF-8 JSON: {exc}", 0) from exc
    if not isinstance(document, dict):
        raise HttpIntegrationError("prelude is not a JSON object", 0)
    extra = {
        k: v
        for k, v in document.items()
        if k not in ("statusCode", "headers", "multiValueHeaders", "cookies")
    }
    # A member that is absent or null means "none".
    headers = _member_or(document, "headers", {})
    multi = _member_or(document, "multiValueHeaders", {})
    cookies = _member_or(document, "cookies", [])
    if not isinstance(headers, dict):
        raise HttpIntegrationError("headers is not a JSON object", 0)
    if not isinstance(multi, dict) or not all(isinstance(v, list) for v in multi.values()):
        raise HttpIntegrationError("multiValueHeaders is not an object of lists", 0)
    if not isinstance(cookies, list):
        raise HttpIntegrationError("cookies is not a JSON array", 0)
    prelude = HttpIntegrationPrelude(
        status_code=_member_or(document, "statusCode", 200),
        headers=headers,
        multi_value_headers=multi,
        cookies=cookies,
        extra=extra,
    )
    _validate(prelude, 0)
    return prelude


class HttpIntegrationSplitter:
    """Split a joined ``PayloadChunk`` stream into the prelude and the body, incrementally.

    ``feed(data)`` returns the body bytes that became available (``b""`` while the
    prelude is still incomplete); ``prelude`` is ``None`` until the delimiter arrived.
    ``close()`` raises if the stream ended inside the prelude. Memory is bounded by
    ``max_prelude_size`` plus the delimiter; body bytes are never held.
    """

    def __init__(self, max_prelude_size: int = DEFAULT_MAX_PRELUDE_SIZE) -> None:
        if max_prelude_size < 2:
            raise ValueError("max_prelude_size must be at least 2 (the JSON '{}')")
        self._max = max_prelude_size
        self._buffer = bytearray()
        self._prelude: HttpIntegrationPrelude | None = None
        self._failed: HttpIntegrationError | None = None
        self._body_bytes = 0

    @property
    def prelude(self) -> HttpIntegrationPrelude | None:
        """The parsed prelude, or ``None`` while it has not fully arrived."""
        return self._prelude

    @property
    def body_bytes(self) -> int:
        """How many body bytes :meth:`feed` has returned so far."""
        return self._body_bytes

    def feed(self, data: bytes | bytearray | memoryview) -> bytes:
        """Take the next payload bytes; return the body bytes now available."""
        if self._failed is not None:
            raise self._failed
        if self._prelude is not None:
            body = bytes(data)
            self._body_bytes += len(body)
            return body
        # Look for the delimiter only where it could start: a run may have begun in
        # the bytes already buffered.
        search_from = max(0, len(self._buffer) - (len(DELIMITER) - 1))
        self._buffer += data
        end = self._buffer.find(DELIMITER, search_from)
        # One error for "the delimiter does not start within the bound", whether its
        # bytes arrived yet or not, so the pieces never change the message.
        too_long = (
            f"prelude longer than {self._max} bytes: no delimiter (8 NUL bytes) "
            f"within {self._max} bytes"
        )
        if end < 0:
            if len(self._buffer) > self._max + len(DELIMITER) - 1:
                self._fail(too_long, self._max)
            return b""
        if end > self._max:
            self._fail(too_long, self._max)
        try:
            self._prelude = _parse_prelude(bytes(self._buffer[:end]))
        except HttpIntegrationError as exc:
            self._failed = exc
            raise
        body = bytes(self._buffer[end + len(DELIMITER) :])
        self._buffer = bytearray()
        self._body_bytes += len(body)
        return body

    def close(self) -> None:
        """Declare the payload finished; raise if the prelude never completed."""
        if self._failed is not None:
            raise self._failed
        if self._prelude is None:
            self._fail(
                f"payload ended after {len(self._buffer)} bytes, before the prelude "
                "delimiter (8 NUL bytes)",
                len(self._buffer),
            )

    def _fail(self, message: str, offset: int) -> None:
        self._failed = HttpIntegrationError(message, offset)
        self._buffer = bytearray()
        raise self._failed
