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
import contextlib
import json
import re
import uuid
from typing import Any, Callable

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
    message = frame.message
    encoding, payload = payload_to_json(message.payload, payload_form)
    return {
        "offset": frame.offset,
        "total_length": frame.total_length,
        "headers_length": frame.headers_length,
        "headers": [header_to_json(*item) for item in message.headers.typed_items()],
        "payload_encoding": encoding,
        "payload": payload,
    }


_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")


def dump_line(obj: dict[str, Any]) -> bytes:
    """One JSON Lines record, UTF-8.

    Non-ASCII text is written as is, except the three characters some line
    readers (Python's ``str.splitlines``, JavaScript before ES2019) take for
    line breaks: U+0085, U+2028 and U+2029 are written as JSON escapes.  A lone
    surrogate (a ``--payload text`` byte that was not UTF-8) is written as the
    JSON escape ``\\udcXX`` by backslashreplace.  Both can only occur inside
    JSON strings, where the escape reads back as the same character.
    """
    text = json.dumps(obj, ensure_ascii=False)
    if _LINE_BREAKS.search(text):
        text = _LINE_BREAKS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return text.encode("utf-8", "backslashreplace") + b"\n"


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
        return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
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
        if not isinstance(obj, dict):
            raise ValueError("expected a JSON object per line")
        headers = obj.get("headers", [])
        if not isinstance(headers, list):
            raise ValueError("'headers' must be a list")
        pairs = [_header_from_json(entry, i) for i, entry in enumerate(headers)]
        return Message(pairs, payload_from_json(obj))
    except (ValueError, EventStreamError) as exc:
        raise CliError(f"line {line_number}: {exc}") from None
