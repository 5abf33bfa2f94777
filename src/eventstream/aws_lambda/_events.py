"""The two events of Lambda's response stream, and the stand-in for any other.

Facts (botocore 1.44.8, ``lambda/2015-03-31/service-2.json``): the stream union
``InvokeWithResponseStreamResponseEvent`` has ``PayloadChunk``
(``InvokeResponseStreamUpdate``: one blob member ``Payload`` bound to the message
payload) and ``InvokeComplete`` (``InvokeWithResponseStreamCompleteEvent``: string
members ``ErrorCode``, ``ErrorDetails``, ``LogResult``, "the last 4 KB of the execution
log, which is base64-encoded", serialized as a JSON object). Lambda sends each with the
string headers ``:event-type``, ``:content-type`` (``application/octet-stream`` for a
chunk, ``application/json`` for the completion) and ``:message-type: event``, in that
order.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Union

from .._message import Message

PAYLOAD_CHUNK = "PayloadChunk"
INVOKE_COMPLETE = "InvokeComplete"
CHUNK_CONTENT_TYPE = "application/octet-stream"
COMPLETE_CONTENT_TYPE = "application/json"


def _event_message(event_type: str, content_type: str, payload: bytes) -> Message:
    return Message(
        [
            (":event-type", event_type),
            (":content-type", content_type),
            (":message-type", "event"),
        ],
        payload,
    )


@dataclass(frozen=True)
class PayloadChunk:
    """A piece of the function's response bytes, in order."""

    payload: bytes

    def to_message(self) -> Message:
        """The message Lambda sends for this chunk (encode it with ``eventstream.encode``)."""
        return _event_message(PAYLOAD_CHUNK, CHUNK_CONTENT_TYPE, bytes(self.payload))


def decode_log_result(log_result: str) -> str:
    """Decode a base64 ``LogResult`` (the execution log's tail) to text.

    Invalid UTF-8 (the tail may start inside a multi-byte character) becomes U+FFFD.
    Raises ``ValueError`` if ``log_result`` is not base64.
    """
    try:
        raw = base64.b64decode(log_result.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise ValueError(f"LogResult is not base64: {exc}") from exc
    return raw.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class InvokeComplete:
    """The end of the stream. ``error_code`` set means the function failed mid-stream
    (for example ``Sandbox.Timedout``); ``log_result`` is the base64 log tail when the
    request asked for ``LogType=Tail``."""

    error_code: str | None = None
    error_details: str | None = None
    log_result: str | None = None

    @property
    def succeeded(self) -> bool:
        """True when the completion carries no ``ErrorCode``."""
        return self.error_code is None

    @property
    def log_text(self) -> str | None:
        """The log tail decoded to text (``None`` without one); see :func:`decode_log_result`."""
        return None if self.log_result is None else decode_log_result(self.log_result)

    def to_json(self) -> bytes:
        """The completion's payload: a JSON object of the set fields (``{}`` on success)."""
        document: dict[str, str] = {}
        if self.error_code is not None:
            document["ErrorCode"] = self.error_code
        if self.error_details is not None:
            document["ErrorDetails"] = self.error_details
        if self.log_result is not None:
            document["LogResult"] = self.log_result
        return json.dumps(document, separators=(",", ":")).encode("utf-8")

    def to_message(self) -> Message:
        """The message Lambda sends for this completion."""
        return _event_message(INVOKE_COMPLETE, COMPLETE_CONTENT_TYPE, self.to_json())


@dataclass(frozen=True)
class UnknownEvent:
    """An event this library does not know (a newer model's event, or an
    ``initial-response``): handed over whole rather than dropped."""

    event_type: str
    message: Message

    @property
    def payload(self) -> bytes:
        """The event's payload bytes."""
        return self.message.payload


#: What :meth:`ResponseStreamDecoder.feed` returns items of.
ResponseStreamEvent = Union[PayloadChunk, InvokeComplete, UnknownEvent]
