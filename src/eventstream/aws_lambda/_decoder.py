"""Incremental decoder of an ``InvokeWithResponseStream`` body into Lambda events.

Goal: bytes in any pieces -> ``PayloadChunk`` / ``InvokeComplete`` / ``UnknownEvent``,
with every way a stream can go wrong reported as an :class:`EventStreamError`
subclass: framing and checksum errors from the codec; ``:message-type`` ``error`` and
``exception`` messages as :class:`UnmodeledStreamError` / :class:`ModeledStreamException`
carrying code and message; an ill-formed completion; data after ``InvokeComplete``;
a stream that ends without ``InvokeComplete`` (:class:`IncompleteStreamError`, which
says what did arrive). Memory: one message at most (the codec's
``max_message_size``), never the whole stream.

Like the codec's ``Decoder``: when a piece completes some events and then hits an
error, ``feed`` returns those events and raises the error on the next call; after an
error every call raises :class:`DecoderFailedError`.  So every good event before a
bad message is handed out, each once, before the error.  JSON from the service (an
exception's payload, the completion) is parsed with bounds on nesting and number size
(``eventstream._peer_json``): an exception payload that cannot be read as JSON gives
its text as the error's message; such a completion is an
:class:`InvalidEventPayloadError`.
"""

from __future__ import annotations

from .._decoder import Decoder
from .._errors import EventStreamError, TruncatedStreamError
from .._failstop import FailStop
from .._format import DEFAULT_MAX_MESSAGE_SIZE, Frame
from .._message import BytesLike
from .._peer_json import PeerJSONError, parse_peer_json
from ..events import ErrorMessage, ExceptionMessage, InitialResponse, classify
from ._events import (
    INVOKE_COMPLETE,
    PAYLOAD_CHUNK,
    InvokeComplete,
    PayloadChunk,
    ResponseStreamEvent,
    UnknownEvent,
)

_COMPLETE_FIELDS = {
    "ErrorCode": "error_code",
    "ErrorDetails": "error_details",
    "LogResult": "log_result",
}


class IncompleteStreamError(TruncatedStreamError):
    """The stream ended without ``InvokeComplete``: the function's response may be cut.

    ``chunk_count`` and ``payload_size`` tell how many ``PayloadChunk`` events and
    payload bytes did arrive, ``partial_bytes`` how many bytes of a cut message were
    left over (0 if the stream ended between messages).
    """

    def __init__(
        self, chunk_count: int, payload_size: int, partial_bytes: int, offset: int
    ) -> None:
        cut = f" and {partial_bytes} bytes of a cut message" if partial_bytes else ""
        super().__init__(
            f"stream ended without InvokeComplete after {chunk_count} PayloadChunk events "
            f"({payload_size} payload bytes){cut}",
            offset,
        )
        self.chunk_count = chunk_count
        self.payload_size = payload_size
        self.partial_bytes = partial_bytes


class DataAfterCompleteError(EventStreamError):
    """Bytes or messages arrived after ``InvokeComplete``, which ends the stream."""


class InvalidEventPayloadError(EventStreamError):
    """An ``InvokeComplete`` payload that is not a JSON object of string members."""


class ResponseStreamDecoder(FailStop):
    """Decode an ``InvokeWithResponseStream`` response body, fed in pieces of any size.

    ::

        decoder = ResponseStreamDecoder()
        for piece in body_pieces:
            for event in decoder.feed(piece):
                if isinstance(event, PayloadChunk):
                    out.write(event.payload)
                elif isinstance(event, InvokeComplete) and event.error_code:
                    ...  # the function failed mid-stream
        decoder.close()  # IncompleteStreamError if InvokeComplete never came

    Header order does not matter. Events of an unknown ``:event-type`` come out as
    :class:`UnknownEvent`. ``max_message_size`` is passed to the codec's ``Decoder``.
    """

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        self._decoder = Decoder(max_message_size)
        self._complete: InvokeComplete | None = None
        self._chunk_count = 0
        self._payload_size = 0

    @property
    def complete(self) -> InvokeComplete | None:
        """The ``InvokeComplete`` event once it arrived, else ``None``."""
        return self._complete

    @property
    def chunk_count(self) -> int:
        """How many ``PayloadChunk`` events were decoded."""
        return self._chunk_count

    @property
    def payload_size(self) -> int:
        """How many payload bytes those chunks carried."""
        return self._payload_size

    @property
    def offset(self) -> int:
        """Stream offset of the first byte not yet part of a decoded message."""
        return self._decoder.offset

    def feed(self, data: BytesLike) -> list[ResponseStreamEvent]:
        """Take the next piece of the body; return the events it completed."""
        if self._error is not None:
            self._raise_failure()
        if self._complete is not None:
            size = memoryview(data).nbytes
            if size:
                self._fail(
                    DataAfterCompleteError(
                        f"{size} bytes after InvokeComplete", self._decoder.offset
                    )
                )
            return []
        try:
            frames = self._decoder.feed_frames(data)
        except EventStreamError as exc:
            self._fail(exc)
        events: list[ResponseStreamEvent] = []
        for frame in frames:
            try:
                if self._complete is not None:
                    raise DataAfterCompleteError("message after InvokeComplete", frame.offset)
                events.append(self._convert(frame))
            except EventStreamError as exc:
                return self._defer(events, exc, frame.offset)
        if self._complete is not None and (self._decoder.buffered or self._decoder.failed):
            error = DataAfterCompleteError(
                f"{self._decoder.buffered} bytes after InvokeComplete", self._decoder.offset
            )
            return self._defer(events, error)
        return events

    def close(self) -> None:
        """Declare the end of the body.

        Raises :class:`IncompleteStreamError` (a ``TruncatedStreamError``) when
        ``InvokeComplete`` never came, or the error a previous ``feed`` deferred.
        """
        if self._error is not None:
            self._raise_failure()
        partial = self._decoder.buffered
        try:
            self._decoder.close()
        except TruncatedStreamError as exc:
            error = IncompleteStreamError(
                self._chunk_count, self._payload_size, partial, self._decoder.offset
            )
            error.__cause__ = exc
            self._fail(error)
        except EventStreamError as exc:
            self._fail(exc)
        if self._complete is None:
            self._fail(
                IncompleteStreamError(
                    self._chunk_count, self._payload_size, 0, self._decoder.offset
                )
            )

    def _convert(self, frame: Frame) -> ResponseStreamEvent:
        kind = classify(frame.message, frame.offset)
        if isinstance(kind, (ExceptionMessage, ErrorMessage)):
            raise kind.to_error(frame.offset)
        if isinstance(kind, InitialResponse):
            return UnknownEvent("initial-response", frame.message)
        if kind.event_type == PAYLOAD_CHUNK:
            self._chunk_count += 1
            self._payload_size += len(kind.payload)
            return PayloadChunk(kind.payload)
        if kind.event_type == INVOKE_COMPLETE:
            self._complete = _parse_complete(kind.payload, frame.offset)
            return self._complete
        return UnknownEvent(kind.event_type, frame.message)


def _parse_complete(payload: bytes, offset: int) -> InvokeComplete:
    if not payload.strip():
        return InvokeComplete()
    try:
        document = parse_peer_json(payload)
    except PeerJSONError as exc:
        raise InvalidEventPayloadError(
            f"InvokeComplete payload is not UTF-8 JSON: {exc}", offset
        ) from exc
    if not isinstance(document, dict):
        raise InvalidEventPayloadError("InvokeComplete payload is not a JSON object", offset)
    fields: dict[str, str | None] = {}
    for member, attribute in _COMPLETE_FIELDS.items():
        value = document.get(member)
        if value is not None and not isinstance(value, str):
            raise InvalidEventPayloadError(
                f"InvokeComplete {member} must be a string, got {type(value).__name__}", offset
            )
        fields[attribute] = value
    return InvokeComplete(**fields)
