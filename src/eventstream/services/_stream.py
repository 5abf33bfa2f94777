"""An operation's event stream, typed from its model: decode and encode.

:func:`load_stream` gives a :class:`StreamModel`; its :meth:`~StreamModel.decoder`
turns bytes into :class:`Event` objects whose ``as_boto3()`` is what boto3 yields for
the same bytes, and :meth:`~StreamModel.encode` writes a boto3-shaped event back.

How a message maps to an event (Smithy event-stream binding, botocore's
``BaseEventStreamParser``): ``:event-type`` names a member of the stream union; the
members marked ``eventheader`` come from headers of the same name; the member marked
``eventpayload`` is the whole payload (a blob as is, a string as UTF-8, a structure in
the protocol's codec); without one, the payload is the event structure itself in the
protocol's codec (JSON, XML or CBOR).
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping
from typing import Any

from .._decoder import Decoder
from .._errors import EventStreamError, TruncatedStreamError
from .._failstop import FailStop
from .._format import DEFAULT_MAX_MESSAGE_SIZE
from .._format import encode as encode_message
from .._message import BytesLike, Message
from .._peer_json import PeerJSONError, parse_peer_json
from .._values import Byte, HeaderValueIn, Integer, Long, Short, Timestamp
from ..events import (
    CONTENT_TYPE,
    EVENT_TYPE,
    EXCEPTION_TYPE,
    MESSAGE_TYPE,
    ErrorMessage,
    ExceptionMessage,
    InitialResponse,
    InvalidEventMessageError,
    UnmodeledStreamError,
    classify,
)
from . import _cbor
from ._documents import MAX_DEPTH, DocumentReader, DocumentWriter, ShapeError, write_json
from ._errors import (
    EventEncodeError,
    IncompleteStreamError,
    InvalidEventPayloadError,
    ServiceModelError,
)
from ._events import Event, UnknownEvent
from ._exceptions import StreamException
from ._model import PROTOCOL_CODECS, ServiceModel, Shape, load_model
from ._terminal import TERMINAL_EVENTS
from ._xml import XmlReader, XmlWriter, parse_xml

_CONTENT_TYPES = {
    "json": "application/json",
    "xml": "text/xml",
    "cbor": "application/cbor",
}
_RPC_PROTOCOLS = frozenset({"json", "smithy-rpc-v2-cbor"})
_HEADER_INTS = {"byte": Byte, "short": Short, "integer": Integer, "long": Long}


def load_stream(
    service: str,
    operation: str,
    *,
    direction: str = "output",
    model: str | os.PathLike[str] | dict[str, Any] | None = None,
) -> StreamModel:
    """The event stream of ``operation`` of ``service``, in ``direction``.

    ``service`` is botocore's name (``"bedrock-runtime"``, ``"s3"``); ``operation`` the
    API name (``"ConverseStream"``) or the Python one (``"converse_stream"``). The
    model comes from the installed botocore, or from ``model``: a path to a
    ``service-2.json[.gz]`` or the parsed dict. Raises a :class:`ServiceModelError`
    subclass when the service, operation or stream is missing or the model is bad.
    """
    if direction not in ("output", "input"):
        raise ServiceModelError(f"direction must be 'output' or 'input', not {direction!r}")
    service_model = load_model(service, model)
    op_name, member, union = service_model.stream_member(operation, direction)
    stream: StreamModel | None = service_model.streams.get((op_name, direction))
    if stream is None:
        service_model.check_reachable(union)
        stream = StreamModel(service_model, service, op_name, direction, member, union)
        service_model.streams[op_name, direction] = stream
    return stream


class StreamModel:
    """One operation's event stream in one direction. Immutable once built."""

    def __init__(
        self,
        model: ServiceModel,
        service: str,
        operation: str,
        direction: str,
        member: str,
        union: str,
    ) -> None:
        self._model = model
        #: The service and operation names, and ``"output"`` or ``"input"``.
        self.service = service
        self.operation = operation
        self.direction = direction
        #: The protocol (botocore metadata name) and its payload codec.
        self.protocol = model.protocol
        self.codec = PROTOCOL_CODECS[model.protocol]
        #: The stream's member name in the operation's output (or input) shape.
        self.stream_member = member
        #: The stream union's shape name.
        self.shape_name = union
        self._union: dict[str, Any] = model.shapes[union].get("members", {})
        exceptions: dict[str, type[StreamException]] = {}
        events: list[str] = []
        for name, ref in self._union.items():
            shape = model.shapes[ref["shape"]]
            if shape.get("exception"):
                exceptions[name] = model.exception_class(ref["shape"])
            else:
                events.append(name)
        #: The event names of the union, in model order.
        self.event_names: tuple[str, ...] = tuple(events)
        #: The exception classes by ``:exception-type``.
        self.exceptions: dict[str, type[StreamException]] = exceptions
        fact = TERMINAL_EVENTS.get((service, operation)) if direction == "output" else None
        #: Events that must all arrive before the stream may end (see ``_terminal``).
        self.terminal_events: tuple[str, ...] = fact.events if fact else ()
        binary = self.codec == "cbor"
        default_format = "unixTimestamp" if self.codec != "xml" else "iso8601"
        self._reader = DocumentReader(model, binary=binary)
        self._writer = DocumentWriter(model, binary=binary, timestamp_format=default_format)
        self._xml_reader = XmlReader(model)
        self._initial_shape: Shape | None = None
        self._xml_writer = XmlWriter(model)

    @property
    def shapes(self) -> Mapping[str, Any]:
        """The model's shapes (botocore format), read-only by convention."""
        return self._model.shapes

    def member_shape(self, name: str) -> str:
        """The shape name of the union member ``name`` (an event or an exception)."""
        ref = self._union.get(name)
        if ref is None:
            raise KeyError(name)
        shape: str = ref["shape"]
        return shape

    def __repr__(self) -> str:
        return (
            f"<StreamModel {self.service} {self.operation} {self.direction} "
            f"({self.protocol}, {len(self.event_names)} events)>"
        )

    def decoder(
        self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE, *, check_complete: bool = True
    ) -> StreamDecoder:
        """A new incremental decoder; ``check_complete=False`` skips the terminal-event
        check of ``close()``."""
        return StreamDecoder(self, max_message_size, check_complete)

    # --- decoding -------------------------------------------------------------------

    def decode_message(self, message: Message, offset: int | None = None) -> Event:
        """The event of one message; raises the modeled exception class for an
        ``exception`` message, :class:`UnmodeledStreamError` for an ``error`` one."""
        kind = classify(message, offset)
        if isinstance(kind, ExceptionMessage):
            raise self._exception(kind, offset)
        if isinstance(kind, ErrorMessage):
            raise kind.to_error(offset)
        if isinstance(kind, InitialResponse):
            return UnknownEvent("initial-response", {}, message, offset)
        ref = self._union.get(kind.event_type)
        if ref is None or self.exceptions.get(kind.event_type):
            return UnknownEvent(kind.event_type, {}, message, offset)
        shape = self._model.shapes[ref["shape"]]
        members = self._read_event(kind.event_type, shape, message, offset)
        return Event(kind.event_type, members, message, offset)

    def parse_initial_response(
        self, message: Message, offset: int | None = None
    ) -> dict[str, Any]:
        """The operation's non-stream output members from an ``initial-response``."""
        return self._read_body("initial-response", self._initial_response_shape(), message, offset)

    def _initial_response_shape(self) -> Shape:
        # The operation's output shape without the stream and HTTP-bound members
        # (made once: the readers cache plans by shape identity).
        if self._initial_shape is not None:
            return self._initial_shape
        op = self._model.operations[self.operation]
        shape = dict(self._model.shapes[op[self.direction]["shape"]])
        shape["members"] = {
            name: member
            for name, member in shape.get("members", {}).items()
            if name != self.stream_member and not member.get("location")
        }
        self._initial_shape = shape
        return shape

    def _exception(self, kind: ExceptionMessage, offset: int | None) -> StreamException:
        cls = self.exceptions.get(kind.exception_type, StreamException)
        members: dict[str, Any] | None = None
        payload_error: InvalidEventPayloadError | None = None
        if cls is StreamException:  # not in the model: the payload's text
            text = kind.error_message
        else:
            shape = self._model.shapes[self._union[kind.exception_type]["shape"]]
            try:
                members = self._read_event(kind.exception_type, shape, kind.message, offset)
            except InvalidEventPayloadError as exc:
                payload_error = exc
                text = kind.error_message
            else:
                found = members.get("Message", members.get("message", ""))
                text = found if isinstance(found, str) else ""
        return cls(
            kind.exception_type, text, kind.message.headers, kind.message.payload, offset,
            members, payload_error,
        )  # fmt: skip

    def _read_event(
        self, name: str, shape: Shape, message: Message, offset: int | None
    ) -> dict[str, Any]:
        parsed: dict[str, Any] = {}
        members: dict[str, Any] = shape.get("members", {})
        headers = message.headers
        for member, ref in members.items():
            if ref.get("eventheader") and member in headers:
                parsed[member] = self._header_member(name, member, ref, headers[member], offset)
        for member, ref in members.items():
            if ref.get("eventpayload"):
                target = self._model.shapes[ref["shape"]]
                payload = message.payload
                if target["type"] == "blob":
                    parsed[member] = payload
                elif target["type"] == "string":
                    try:
                        parsed[member] = payload.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        raise InvalidEventPayloadError(
                            name, member, f"payload is not UTF-8: {exc}", offset
                        ) from exc
                else:
                    parsed[member] = self._read_body(name, target, message, offset)
                return parsed
        parsed.update(self._read_body(name, shape, message, offset))
        return parsed

    def _header_member(
        self, name: str, member: str, ref: dict[str, Any], value: Any, offset: int | None
    ) -> Any:
        kind = self._model.shapes[ref["shape"]]["type"]
        if kind == "timestamp" and isinstance(value, Timestamp):
            return value.to_datetime()
        if kind in _HEADER_INTS and isinstance(value, int) and not isinstance(value, bool):
            return int(value)
        if (
            (kind == "string" and isinstance(value, str))
            or (kind == "blob" and isinstance(value, bytes))
            or (kind == "boolean" and isinstance(value, bool))
        ):
            return value
        raise InvalidEventPayloadError(
            name, member, f"header of type {type(value).__name__} for a {kind} member", offset
        )

    def _read_body(
        self, name: str, shape: Shape, message: Message, offset: int | None
    ) -> dict[str, Any]:
        content_type = message.headers.get(CONTENT_TYPE)
        if isinstance(content_type, str) and self.codec not in content_type.lower():
            raise InvalidEventPayloadError(
                name, "", f"content type {content_type!r} where the model expects "
                f"{_CONTENT_TYPES[self.codec]}", offset,
            )  # fmt: skip
        payload = message.payload
        try:
            if self.codec == "xml":
                if not payload.strip():
                    return {}
                return self._xml_reader.read_members(shape, parse_xml(payload), "", 0)
            if not payload:
                return {}
            document = _cbor.loads(payload) if self.codec == "cbor" else _json_loads(payload)
            result: dict[str, Any] = self._reader.read_structure(shape, document)
            return result
        except ShapeError as exc:
            raise InvalidEventPayloadError(name, exc.path, exc.reason, offset) from exc

    # --- encoding -------------------------------------------------------------------

    def encode(self, event: Mapping[str, Any]) -> bytes:
        """The wire bytes of a boto3-shaped event (``{"chunk": {"bytes": b"..."}}``);
        an exception member of the union (``{"ThrottlingException": {"message": "..."}}``)
        is written as an ``exception`` message. Raises :class:`EventEncodeError`."""
        return encode_message(self.encode_message(event))

    def encode_message(self, event: Mapping[str, Any]) -> Message:
        """Like :meth:`encode`, but the :class:`~eventstream.Message`."""
        name, shape, value = self._event_parts(event)
        try:
            payload, content_type, extra = self._write_event(shape, value, name)
        except ShapeError as exc:
            raise EventEncodeError(exc.path, exc.reason) from exc
        exception = bool(shape.get("exception"))
        headers: list[tuple[str, HeaderValueIn]] = [
            (EXCEPTION_TYPE if exception else EVENT_TYPE, name)
        ]
        if content_type is not None:
            headers.append((CONTENT_TYPE, content_type))
        headers.append((MESSAGE_TYPE, "exception" if exception else "event"))
        headers.extend(extra)
        return Message(headers, payload)

    @property
    def sends_initial_response(self) -> bool:
        """True for RPC protocols, whose output stream opens with an ``initial-response``."""
        return self.direction == "output" and self.protocol in _RPC_PROTOCOLS

    def encode_initial_response(self, members: Mapping[str, Any] | None = None) -> bytes:
        """The ``initial-response`` message: the operation's non-stream output members."""
        shape = self._initial_response_shape()
        try:
            payload = self._write_body_shape(shape, dict(members or {}), "initial-response")
        except ShapeError as exc:
            raise EventEncodeError(exc.path, exc.reason) from exc
        headers: list[tuple[str, HeaderValueIn]] = [
            (EVENT_TYPE, "initial-response"),
            (CONTENT_TYPE, _CONTENT_TYPES[self.codec]),
            (MESSAGE_TYPE, "event"),
        ]
        return encode_message(Message(headers, payload))

    def to_json_form(self, event: Mapping[str, Any], *, json_blobs: bool = True) -> dict[str, Any]:
        """A boto3-shaped event as JSON-ready data: blobs base64 (or ``{"$json": value}``
        when ``json_blobs`` and they hold a JSON object or array), timestamps ISO 8601."""
        name, shape, members = self._event_parts(event)
        writer = DocumentWriter(
            self._model,
            binary=False,
            timestamp_format="iso8601",
            plain=True,
            json_blobs=json_blobs,
        )
        try:
            return {name: writer.write_structure(shape, members, name)}
        except ShapeError as exc:
            raise EventEncodeError(exc.path, exc.reason) from exc

    def from_json_form(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """The boto3-shaped event of :meth:`to_json_form`'s output (checked)."""
        name, shape, members = self._event_parts(data)
        reader = DocumentReader(self._model, binary=False, plain=True)
        try:
            return {name: reader.read_structure(shape, members)}
        except ShapeError as exc:
            raise EventEncodeError(f"{name}.{exc.path}" if exc.path else name, exc.reason) from exc

    def _event_parts(self, event: Mapping[str, Any]) -> tuple[str, Shape, dict[str, Any]]:
        if not isinstance(event, Mapping) or len(event) != 1:
            raise EventEncodeError("", "an event is a dict with exactly one key, the event name")
        ((name, value),) = event.items()
        ref = self._union.get(name)
        if ref is None:
            raise EventEncodeError(
                "", f"{name!r} is not an event of {self.shape_name}; expected one of "
                f"{sorted(self._union)}",
            )  # fmt: skip
        if not isinstance(value, Mapping):
            raise EventEncodeError(name, f"expected a dict of members, got {type(value).__name__}")
        return name, self._model.shapes[ref["shape"]], dict(value)

    def encode_error(self, code: str, message: str = "") -> bytes:
        """The bytes of an unmodeled ``error`` message (``:error-code``, ``:error-message``)."""
        headers: list[tuple[str, HeaderValueIn]] = [(":error-code", code)]
        if message:
            headers.append((":error-message", message))
        headers.append((MESSAGE_TYPE, "error"))
        return encode_message(Message(headers))

    def _write_event(
        self, shape: Shape, value: dict[str, Any], path: str
    ) -> tuple[bytes, str | None, list[tuple[str, HeaderValueIn]]]:
        members: dict[str, Any] = shape.get("members", {})
        unknown = [key for key in value if key not in members]
        if unknown:
            raise ShapeError(path, f"unknown member(s) {unknown!r}; expected {sorted(members)!r}")
        # One pass for the headers and the body members whatever their order in
        # the caller's dict, then the payload: a header after the payload member
        # is still written.
        extra: list[tuple[str, HeaderValueIn]] = []
        body: dict[str, Any] = {}
        payload: tuple[str, dict[str, Any], Any] | None = None
        for member, item in value.items():
            ref = members[member]
            if item is None:
                continue
            if ref.get("eventheader"):
                extra.append((member, self._header_value(ref, item, f"{path}.{member}")))
            elif ref.get("eventpayload"):
                payload = (member, ref, item)
            else:
                body[member] = item
        if payload is not None:
            member, ref, item = payload
            target = self._model.shapes[ref["shape"]]
            if target["type"] == "blob":
                if not isinstance(item, (bytes, bytearray, memoryview)):
                    raise ShapeError(
                        f"{path}.{member}", f"expected bytes, got {type(item).__name__}"
                    )
                return bytes(item), "application/octet-stream", extra
            if target["type"] == "string":
                if not isinstance(item, str):
                    raise ShapeError(
                        f"{path}.{member}", f"expected str, got {type(item).__name__}"
                    )
                return item.encode("utf-8"), "text/plain", extra
            if not isinstance(item, Mapping):
                raise ShapeError(f"{path}.{member}", f"expected a dict, got {type(item).__name__}")
            return (
                self._write_body(ref["shape"], dict(item), f"{path}.{member}"),
                _CONTENT_TYPES[self.codec],
                extra,
            )
        body_members = [m for m, ref in members.items() if not ref.get("eventheader")]
        if not body_members:
            return b"", None, extra
        if any(ref.get("eventpayload") for ref in members.values()):
            # The payload member was not given: an empty payload.
            return b"", None, extra
        return self._write_body_shape(shape, body, path), _CONTENT_TYPES[self.codec], extra

    def _write_body(self, shape_name: str, value: dict[str, Any], path: str) -> bytes:
        return self._write_body_shape(self._model.shapes[shape_name], value, path, shape_name)

    def _write_body_shape(
        self, shape: Shape, value: dict[str, Any], path: str, root: str | None = None
    ) -> bytes:
        if self.codec == "xml":
            tag = root or path.split(".")[0]
            return f"<{tag}>{self._xml_writer.members(shape, value, path, 0)}</{tag}>".encode()
        document = self._writer.write_structure(shape, value, path)
        if self.codec == "cbor":
            return _cbor.dumps(document)
        return write_json(document, path)

    def _header_value(self, ref: dict[str, Any], value: Any, path: str) -> HeaderValueIn:
        kind = self._model.shapes[ref["shape"]]["type"]
        if kind in _HEADER_INTS and isinstance(value, int) and not isinstance(value, bool):
            try:
                return _HEADER_INTS[kind](value)
            except EventStreamError as exc:
                raise ShapeError(path, str(exc)) from exc
        if kind == "timestamp" and isinstance(value, _dt.datetime):
            return Timestamp.from_datetime(value)
        if (
            (kind == "string" and isinstance(value, str))
            or (kind == "blob" and isinstance(value, (bytes, bytearray, memoryview)))
            or (kind == "boolean" and isinstance(value, bool))
        ):
            return bytes(value) if isinstance(value, (bytearray, memoryview)) else value
        raise ShapeError(path, f"expected {kind}, got {type(value).__name__}")


def _json_loads(payload: bytes) -> Any:
    try:
        return parse_peer_json(payload, MAX_DEPTH)
    except PeerJSONError as exc:
        raise ShapeError("", f"payload is not JSON: {exc}") from None


class StreamDecoder(FailStop):
    """Incremental decoder of one operation's stream, fed in pieces of any size.

    ::

        decoder = load_stream("bedrock-runtime", "ConverseStream").decoder()
        for piece in body_pieces:
            for event in decoder.feed(piece):
                print(event.as_boto3())
        decoder.close()  # IncompleteStreamError if messageStop/metadata never came

    Errors (framing, a payload that does not fit its shape, a modeled exception, an
    ``error`` message) stop the stream, like the codec's ``Decoder``: ``feed`` first
    returns the events completed before the bad message, and raises the error on
    the next ``feed()`` or ``close()``; after that every call raises
    :class:`DecoderFailedError`. So no event before an error is lost, and none after
    it is trusted. An ``initial-response`` (RPC protocols) is parsed into
    :attr:`initial_response` and not returned as an event.
    """

    def __init__(self, model: StreamModel, max_message_size: int, check_complete: bool) -> None:
        self._model = model
        self._decoder = Decoder(max_message_size)
        self._check_complete = check_complete
        self._received: dict[str, int] = {}
        self._count = 0
        #: The operation's non-stream output members, if an ``initial-response`` came.
        self.initial_response: dict[str, Any] | None = None

    @property
    def received(self) -> dict[str, int]:
        """How many events of each name were decoded so far."""
        return dict(self._received)

    @property
    def offset(self) -> int:
        """Stream offset of the first byte not yet part of a decoded message."""
        return self._decoder.offset

    def feed(self, data: BytesLike) -> list[Event]:
        """Take the next piece; return the events it completed."""
        if self._error is not None:
            self._raise_failure()
        try:
            frames = self._decoder.feed_frames(data)
        except EventStreamError as exc:
            self._fail(exc)
        events: list[Event] = []
        for frame in frames:
            try:
                event = self._event(frame.message, frame.offset)
            except EventStreamError as exc:
                return self._defer(events, exc, frame.offset)
            if event is not None:
                events.append(event)
        return events

    def _event(self, message: Message, offset: int) -> Event | None:
        first = self._count == 0
        self._count += 1
        if (
            message.headers.get(EVENT_TYPE) == "initial-response"
            and message.headers.get(MESSAGE_TYPE) == "event"
        ):
            if not first:
                raise InvalidEventMessageError("initial-response after other messages", offset)
            self.initial_response = self._model.parse_initial_response(message, offset)
            return None
        event = self._model.decode_message(message, offset)
        self._received[event.name] = self._received.get(event.name, 0) + 1
        return event

    def close(self) -> None:
        """Declare the end of the stream: raises a deferred error,
        :class:`TruncatedStreamError` for a cut message, or
        :class:`IncompleteStreamError` when a terminal event never came."""
        if self._error is not None:
            self._raise_failure()
        partial = self._decoder.buffered
        missing = tuple(
            name for name in self._model.terminal_events if name not in self._received
        ) if self._check_complete else ()  # fmt: skip
        try:
            self._decoder.close()
        except TruncatedStreamError as exc:
            if not missing:
                self._fail(exc)
            error = IncompleteStreamError(missing, self._received, partial, self._decoder.offset)
            error.__cause__ = exc
            self._fail(error)
        except EventStreamError as exc:
            self._fail(exc)
        if missing:
            self._fail(IncompleteStreamError(missing, self._received, 0, self._decoder.offset))


__all__ = ["StreamDecoder", "StreamModel", "UnmodeledStreamError", "load_stream"]
