"""The JSON form of a message: ``decode`` writes it, ``encode`` reads it back.

One object per message::

    {"offset": 0, "total_length": 117, "headers_length": 71,
     "headers": [{"name": ":event-type", "type": "string", "value": "PayloadChunk"}, ...],
     "payload_encoding": "text", "payload": "..."}

Header values by wire type: ``bool_true``/``bool_false`` JSON ``true``/``false``;
``byte``/``short``/``integer``/``long`` JSON integers; ``string`` a JSON string;
``byte_array`` base64 (standard alphabet, padded); ``timestamp`` integer
milliseconds since the epoch (plus an informational ``"iso8601"`` member when
the instant fits a datetime); ``uuid`` the canonical 36-character form.

Payload encodings: ``text`` (the payload is UTF-8; with ``--payload text`` a
payload that is not gets each invalid byte as U+DC80..U+DCFF, Python's
surrogateescape, which ``encode`` turns back into the byte), ``base64``,
``hex``, and ``json`` (the payload parsed as UTF-8 JSON; ``encode`` writes it
back compactly, so this one is for reading, not for byte-exact round trips).
By default a payload is ``text`` when it is valid UTF-8, else ``base64``; so
are payloads that ``--payload json`` finds are not JSON.

``encode`` ignores ``offset`` and both lengths (it computes them) and ``iso8601``.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any, BinaryIO, Callable

from .. import (
    Byte,
    EventStreamError,
    Frame,
    HeaderType,
    HeaderValue,
    Integer,
    Long,
    Message,
    Short,
    Timestamp,
)
from .._peer_json import MAX_JSON_DEPTH, parse_peer_json
from ._errors import CliError

PAYLOAD_FORMS = ("auto", "text", "base64", "json", "hex")

_TYPE_NAMES = {wire: wire.name.lower() for wire in HeaderType}
_TYPES_BY_NAME = {name: wire for wire, name in _TYPE_NAMES.items()}


def _utf8(payload: bytes) -> str | None:
    try:
        return payload.decode("utf-8")
    except UnicodeDecodeError:
        return None


def payload_to_json(payload: bytes, form: str) -> tuple[str, Any]:
    """``(payload_encoding, payload)`` for a payload in the form asked for."""
    if form == "base64":
        return "base64", base64.b64encode(payload).decode("ascii")
    if form == "hex":
        return "hex", payload.hex()
    if form == "text":
        return "text", payload.decode("utf-8", "surrogateescape")
    text = _utf8(payload)
    if form == "json" and text is not None:
        try:
            return "json", parse_peer_json(text)
        except ValueError:
            pass
    if text is not None:
        return "text", text
    return "base64", base64.b64encode(payload).decode("ascii")


def header_to_json(name: str, wire: HeaderType, value: HeaderValue) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "type": _TYPE_NAMES[wire]}
    if isinstance(value, bytes):
        entry["value"] = base64.b64encode(value).decode("ascii")
    elif isinstance(value, uuid.UUID):
        entry["value"] = str(value)
    elif isinstance(value, Timestamp):
        entry["value"] = value.millis
        with contextlib.suppress(OverflowError):
            entry["iso8601"] = value.to_datetime().isoformat(timespec="milliseconds")
    elif isinstance(value, bool):
        entry["value"] = value
    elif isinstance(value, int):
        entry["value"] = int(value)
    else:
        entry["value"] = value
    return entry


def frame_to_json(frame: Frame, payload_form: str) -> dict[str, Any]:
    """The JSON object of one decoded message."""
    return {
        "offset": frame.offset,
        "total_length": frame.total_length,
        "headers_length": frame.headers_length,
        **message_to_json(frame.message, payload_form),
    }


def message_to_json(message: Message, payload_form: str) -> dict[str, Any]:
    """A message's headers and payload as JSON (what :func:`message_from_object` reads)."""
    encoding, payload = payload_to_json(message.payload, payload_form)
    return {
        "headers": [header_to_json(*item) for item in message.headers.typed_items()],
        "payload_encoding": encoding,
        "payload": payload,
    }


# Written as JSON escapes: DEL and the C1 controls (a terminal acts on them),
# and U+2028/U+2029 (line breaks to some line readers).
_ESCAPED = re.compile("[\x7f-\x9f\u2028\u2029]")


def _escape(text: str) -> str:
    if text.isascii() and "\x7f" not in text:
        return text
    return _ESCAPED.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def dump_line(obj: dict[str, Any]) -> bytes:
    """One JSON Lines record, UTF-8.

    Non-ASCII text is written as is, except the characters some line readers
    (Python's ``str.splitlines``, JavaScript before ES2019) take for line
    breaks, U+0085, U+2028 and U+2029, and the control characters a terminal
    acts on (C0, which JSON escapes anyway, DEL and C1): those are written as
    JSON escapes.  A lone
    surrogate (a ``--payload text`` byte that was not UTF-8) is written as the
    JSON escape ``\\udcXX`` by backslashreplace.  Both can only occur inside
    JSON strings, where the escape reads back as the same character.
    """
    text = _escape(json.dumps(obj, ensure_ascii=False))
    return text.encode("utf-8", "backslashreplace") + b"\n"


_STRING = json.encoder.encode_basestring  # a str as a JSON string, non-ASCII as is
_LINE = b'{"offset": %d, "total_length": %d, "headers_length": %d, "headers": %s, '
#: A payload longer than this is written in pieces of about this size, so
#: its JSON form is never held whole (only the payload itself is).
PAYLOAD_PIECE = 1024 * 1024


def _json_text(text: str) -> bytes:
    """``text`` as a JSON string, UTF-8, as :func:`dump_line` writes it."""
    return _escape(_STRING(text)).encode("utf-8", "backslashreplace")


class FrameLines:
    """``decode``'s output, one JSON Lines record per frame, written fast.

    The same bytes as ``dump_line(frame_to_json(frame, form))``, built without
    the dict: a stream repeats its header block, and the decoder hands the
    same :class:`~eventstream.Headers` object out for the same block, so each
    header list is serialized once.  A payload over :data:`PAYLOAD_PIECE`
    bytes is written in pieces (except ``json``, which must parse it whole).
    """

    _CACHE_ENTRIES = 256

    def __init__(self, payload_form: str) -> None:
        self._form = payload_form
        # id(headers) -> (headers, its JSON); the object is kept so its id is not reused.
        self._headers: dict[int, tuple[object, bytes]] = {}

    def _headers_json(self, message: Message) -> bytes:
        headers = message.headers
        cached = self._headers.get(id(headers))
        if cached is not None and cached[0] is headers:
            return cached[1]
        entries = [header_to_json(*item) for item in headers.typed_items()]
        text = dump_line({"h": entries})[len('{"h": ') : -2]
        if len(self._headers) >= self._CACHE_ENTRIES:
            self._headers.clear()
        self._headers[id(headers)] = (headers, text)
        return text

    def _head(self, frame: Frame) -> bytes:
        return _LINE % (
            frame.offset,
            frame.total_length,
            frame.headers_length,
            self._headers_json(frame.message),
        )

    def line(self, frame: Frame) -> bytes:
        """The record of ``frame``, newline included."""
        payload = frame.message.payload
        form = self._form
        if form == "auto":
            try:
                text = payload.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                return b'%s"payload_encoding": "text", "payload": %s}\n' % (
                    self._head(frame),
                    _json_text(text),
                )
        encoding, value = payload_to_json(payload, form)
        head = self._head(frame)
        return b"%s%s}\n" % (
            head,
            dump_line({"payload_encoding": encoding, "payload": value})[1:-2],
        )

    def write(self, frame: Frame, out: BinaryIO) -> None:
        """Write the record of ``frame``; a big payload in pieces."""
        payload = frame.message.payload
        if len(payload) <= PAYLOAD_PIECE or self._form == "json":
            out.write(self.line(frame))
            return
        encoding, pieces = _payload_pieces(payload, self._form)
        out.write(b'%s"payload_encoding": "%s", "payload": "' % (self._head(frame), encoding))
        for piece in pieces:
            out.write(piece)
        out.write(b'"}\n')


def _payload_pieces(payload: bytes, form: str) -> tuple[bytes, Iterator[bytes]]:
    """The encoding and the JSON string contents (no quotes) of a big payload, in pieces."""
    if form == "auto":
        form = "text" if is_utf8(payload) else "base64"
    step = PAYLOAD_PIECE - PAYLOAD_PIECE % 3  # whole base64 quanta
    view = memoryview(payload)
    if form == "base64":
        return b"base64", (
            base64.b64encode(view[at : at + step]) for at in range(0, len(payload), step)
        )
    if form == "hex":
        return b"hex", (view[at : at + step].hex().encode() for at in range(0, len(payload), step))
    errors = "surrogateescape" if form == "text" else "strict"
    decoder = codecs.getincrementaldecoder("utf-8")(errors)
    last = len(payload) - step
    return b"text", (
        _json_text(decoder.decode(view[at : at + step], at >= last))[1:-1]
        for at in range(0, len(payload), step)
    )


def is_utf8(payload: bytes) -> bool:
    """True if ``payload`` is UTF-8; checked in pieces, so no copy of it is made."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(payload)
    step = 64 * 1024  # each piece is decoded to a str that is dropped at once
    try:
        for at in range(0, len(payload), step):
            decoder.decode(view[at : at + step])
        decoder.decode(b"", True)
    except UnicodeDecodeError:
        return False
    return True


# -- reading it back ---------------------------------------------------------


def _int_value(cls: Callable[[int], HeaderValue]) -> Callable[[Any], HeaderValue]:
    def convert(value: Any) -> HeaderValue:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected an integer, got {json.dumps(value)}")
        return cls(value)

    return convert


def _bool_value(expected: bool) -> Callable[[Any], HeaderValue]:
    def convert(value: Any) -> HeaderValue:
        if value is not expected:
            raise ValueError(f"expected {json.dumps(expected)}, got {json.dumps(value)}")
        return bool(value)

    return convert


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {json.dumps(value)}")
    return value


def _string_value(value: Any) -> HeaderValue:
    return _string(value)


def _bytes_value(value: Any) -> HeaderValue:
    return _base64(_string(value))


def _timestamp_value(value: Any) -> HeaderValue:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected integer milliseconds, got {json.dumps(value)}")
    return Timestamp(value)


def _uuid_value(value: Any) -> HeaderValue:
    return uuid.UUID(_string(value))


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except binascii.Error as exc:
        raise ValueError(f"not base64: {exc}") from None


_READERS: dict[HeaderType, Callable[[Any], HeaderValue]] = {
    HeaderType.BOOL_TRUE: _bool_value(True),
    HeaderType.BOOL_FALSE: _bool_value(False),
    HeaderType.BYTE: _int_value(Byte),
    HeaderType.SHORT: _int_value(Short),
    HeaderType.INTEGER: _int_value(Integer),
    HeaderType.LONG: _int_value(Long),
    HeaderType.BYTE_ARRAY: _bytes_value,
    HeaderType.STRING: _string_value,
    HeaderType.TIMESTAMP: _timestamp_value,
    HeaderType.UUID: _uuid_value,
}


def _header_from_json(entry: Any, index: int) -> tuple[str, HeaderValue]:
    if not isinstance(entry, dict):
        raise ValueError(f"headers[{index}] is not an object")
    name = entry.get("name")
    if not isinstance(name, str):
        raise ValueError(f"headers[{index}]: 'name' must be a string")
    type_name = entry.get("type")
    wire = _TYPES_BY_NAME.get(type_name) if isinstance(type_name, str) else None
    if wire is None:
        raise ValueError(
            f"header {name!r}: 'type' must be one of {', '.join(_TYPES_BY_NAME)}, "
            f"got {json.dumps(type_name)}"
        )
    if "value" not in entry:
        raise ValueError(f"header {name!r}: no 'value'")
    try:
        return name, _READERS[wire](entry["value"])
    except (ValueError, EventStreamError) as exc:
        raise ValueError(f"header {name!r} ({type_name}): {exc}") from None


def payload_from_json(obj: dict[str, Any]) -> bytes:
    if "payload" not in obj:
        return b""
    payload = obj["payload"]
    encoding = obj.get("payload_encoding", "text" if isinstance(payload, str) else "json")
    if encoding == "json":
        try:
            # NaN and Infinity are Python's extension, not JSON: a reader would refuse them.
            text = json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        except ValueError:
            raise ValueError("payload holds NaN or Infinity, which JSON has no form for") from None
        return text.encode("utf-8")
    if not isinstance(payload, str):
        raise ValueError(f"payload must be a string for payload_encoding {encoding!r}")
    if encoding == "text":
        return payload.encode("utf-8", "surrogateescape")
    if encoding == "base64":
        return _base64(payload)
    if encoding == "hex":
        try:
            return bytes.fromhex(payload)
        except ValueError:
            raise ValueError("payload is not hex") from None
    raise ValueError(
        f"payload_encoding must be one of text, base64, hex, json; got {json.dumps(encoding)}"
    )


def message_from_json(line: str, line_number: int) -> Message:
    """The message of one JSON Lines record; :class:`CliError` naming the line if invalid."""
    try:
        # One level more than a payload may have: the record that holds it.
        obj = parse_peer_json(line, MAX_JSON_DEPTH + 1)
    except ValueError as exc:
        raise CliError(f"line {line_number}: {exc}") from None
    return message_from_object(obj, line_number)


def message_from_object(obj: Any, line_number: int) -> Message:
    """The message of a parsed JSON Lines record; :class:`CliError` naming the line if invalid."""
    try:
        if not isinstance(obj, dict):
            raise ValueError("expected a JSON object per line")
        headers = obj.get("headers", [])
        if not isinstance(headers, list):
            raise ValueError("'headers' must be a list")
        pairs = [_header_from_json(entry, i) for i, entry in enumerate(headers)]
        return Message(pairs, payload_from_json(obj))
    except (ValueError, EventStreamError) as exc:
        raise CliError(f"line {line_number}: {exc}") from None
