"""The fields of one message's bytes, with offsets and verdicts: what ``inspect`` shows.

Goal: for a good message, every field with its stream offset; for a bad one,
every field that can be read, and the one that is wrong, marked with what
the codec expected.  Works from the bytes alone (the frame reader hands the
bad message's bytes over), checks the CRCs itself to say ``ok`` or what they
should be, and parses headers only through :func:`eventstream.decode`.
"""

from __future__ import annotations

import json
import uuid
from typing import NamedTuple

from .. import (
    ChecksumError,
    EventStreamError,
    Frame,
    Headers,
    HeaderType,
    HeaderValue,
    Message,
    Timestamp,
    TruncatedStreamError,
    decode,
)
from .._crc import crc32
from .._format import FIXED_VALUE_SIZES, MIN_MESSAGE_LENGTH, UINT32
from ._errors import StreamProblem
from ._json_form import is_utf8
from ._terminal import one_line

PREVIEW_CHARS = 60
_JSON_STRING = json.encoder.encode_basestring  # json.dumps(text, ensure_ascii=False)


class Field(NamedTuple):
    """``length`` bytes at stream offset ``start``: what they are and say."""

    start: int
    length: int
    name: str
    value: str
    #: 1 for a header inside the header block, 0 otherwise.
    depth: int = 0
    #: "ok" for a checksum that holds, "WRONG: ..." for the bad field, else "".
    verdict: str = ""


def value_text(value: HeaderValue) -> str:
    """A header value as inspect shows it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return one_line(json.dumps(value, ensure_ascii=False))
    if isinstance(value, bytes):
        return f"0x{value.hex()}" if value else "(empty)"
    if isinstance(value, Timestamp):
        try:
            when = value.to_datetime().isoformat(timespec="milliseconds")
        except OverflowError:
            when = "outside datetime's range"
        return f"{value.millis} ms ({when})"
    if isinstance(value, uuid.UUID):
        return str(value)
    return str(int(value))


# Enough bytes for PREVIEW_CHARS characters and one more (UTF-8: at most 4 each).
_PREVIEW_BYTES = 4 * (PREVIEW_CHARS + 1)


def payload_preview(payload: bytes) -> str:
    """The payload's size and its start, as text if it is UTF-8, else as hex.

    A long payload is checked in pieces and only its start decoded, so a big
    one is never copied whole.
    """
    if not payload:
        return "0 bytes"
    try:
        if len(payload) <= _PREVIEW_BYTES:
            text = payload.decode("utf-8")
        elif is_utf8(payload):
            text = payload[:_PREVIEW_BYTES].decode("utf-8", "ignore")  # a cut last character
        else:
            raise UnicodeDecodeError("utf-8", b"", 0, 0, "not UTF-8")
    except UnicodeDecodeError:
        head = payload[: PREVIEW_CHARS // 2].hex(" ")
        more = " ..." if len(payload) > PREVIEW_CHARS // 2 else ""
        return f"{_bytes(len(payload))}, binary: {head}{more}"
    shown = one_line(_JSON_STRING(text[:PREVIEW_CHARS]))
    more = " ..." if len(text) > PREVIEW_CHARS else ""
    return f"{_bytes(len(payload))}, text: {shown}{more}"


def _bytes(count: int) -> str:
    return "1 byte" if count == 1 else f"{count} bytes"


def _header_size(name: str, wire: HeaderType, value: HeaderValue) -> int:
    # uint8 name length | name | uint8 type | value (uint16 length first for
    # string and byte_array), per the Smithy event stream spec.
    size = 2 + len(name.encode("utf-8"))
    if wire == HeaderType.STRING:
        assert isinstance(value, str)
        return size + 2 + len(value.encode("utf-8"))
    if wire == HeaderType.BYTE_ARRAY:
        assert isinstance(value, bytes)
        return size + 2 + len(value)
    return size + FIXED_VALUE_SIZES.get(wire, 0)  # bool: no value bytes


def _crc_verdict(stated: int, computed: int) -> str:
    if stated == computed:
        return "ok"
    return f"WRONG: the bytes it covers give 0x{computed:08x}"


def message_fields(data: bytes, base: int, problem: StreamProblem | None = None) -> list[Field]:
    """The fields of the message whose bytes (all, or as many as there are) are ``data``."""
    fields: list[Field] = []
    if len(data) >= 4:
        (total,) = UINT32.unpack_from(data, 0)
        fields.append(Field(base, 4, "total length", str(total)))
    if len(data) >= 8:
        (headers_length,) = UINT32.unpack_from(data, 4)
        fields.append(Field(base + 4, 4, "headers length", str(headers_length)))
    if len(data) >= 12:
        (stated,) = UINT32.unpack_from(data, 8)
        verdict = _crc_verdict(stated, crc32(data[:8]))
        fields.append(Field(base + 8, 4, "prelude crc", f"0x{stated:08x}", verdict=verdict))
        if (
            verdict == "ok"
            and len(data) == total >= MIN_MESSAGE_LENGTH
            and headers_length <= total - MIN_MESSAGE_LENGTH
        ):
            fields += _body_fields(data, base, total, headers_length)
        elif len(data) > 12:
            rest = f"{len(data) - 12} bytes after the prelude, of the {total - 12} it announces"
            fields.append(Field(base + 12, len(data) - 12, "body (not read)", rest))
    elif len(data) % 4:
        whole = len(data) - len(data) % 4
        fields.append(Field(base + whole, len(data) - whole, "(cut field)", "the stream ends"))
    if problem is not None and not isinstance(problem.error, TruncatedStreamError):
        _mark(fields, problem)
    return fields


def _header_rows(headers: Headers) -> list[tuple[int, int, str, str]]:
    """Each header's offset in the block, size, shown name and shown value."""
    rows = []
    at = 0
    for name, wire, value in headers.typed_items():
        size = _header_size(name, wire, value)
        rows.append((at, size, one_line(name), f"{wire.name.lower()} {value_text(value)}"))
        at += size
    return rows


class FrameLayout:
    """The fields of good messages, the header rows of a repeated header block shown once.

    The decoder hands the same :class:`~eventstream.Headers` object out for
    the same header block, so its rows are kept by identity (the object is
    kept too, so that its id is not reused).
    """

    _CACHE_ENTRIES = 256

    def __init__(self) -> None:
        self._rows: dict[int, tuple[Headers, list[tuple[int, int, str, str]]]] = {}

    def rows(self, headers: Headers) -> list[tuple[int, int, str, str]]:
        cached = self._rows.get(id(headers))
        if cached is not None and cached[0] is headers:
            return cached[1]
        rows = _header_rows(headers)
        if len(self._rows) >= self._CACHE_ENTRIES:
            self._rows.clear()
        self._rows[id(headers)] = (headers, rows)
        return rows

    def fields(self, frame: Frame, data: bytes | memoryview) -> list[Field]:
        """The fields of a message the decoder accepted, whose bytes are ``data``."""
        base = frame.offset
        total = frame.total_length
        headers_length = frame.headers_length
        message = frame.message
        (prelude_crc,) = UINT32.unpack_from(data, 8)
        (message_crc,) = UINT32.unpack_from(data, total - 4)
        return _good_fields(
            base,
            total,
            headers_length,
            prelude_crc,
            message_crc,
            message,
            self.rows(message.headers),
        )


def _good_fields(
    base: int,
    total: int,
    headers_length: int,
    prelude_crc: int,
    message_crc: int,
    message: Message,
    rows: list[tuple[int, int, str, str]],
    message_verdict: str = "ok",
    note: str = "",
) -> list[Field]:
    block_start = base + 12
    count = len(rows)
    fields = [
        Field(base, 4, "total length", str(total)),
        Field(base + 4, 4, "headers length", str(headers_length)),
        Field(base + 8, 4, "prelude crc", f"0x{prelude_crc:08x}", verdict="ok"),
        Field(
            block_start,
            headers_length,
            "headers",
            f"{count} header{'s' if count != 1 else ''}, {headers_length} bytes{note}",
        ),
    ]
    for at, size, name, text in rows:
        fields.append(Field(block_start + at, size, name, text, depth=1))
    payload = message.payload
    fields.append(
        Field(block_start + headers_length, len(payload), "payload", payload_preview(payload))
    )
    fields.append(
        Field(base + total - 4, 4, "message crc", f"0x{message_crc:08x}", verdict=message_verdict)
    )
    return fields


def _body_fields(data: bytes, base: int, total: int, headers_length: int) -> list[Field]:
    crc_at = total - 4
    (stated,) = UINT32.unpack_from(data, crc_at)
    computed = crc32(data[:crc_at])
    try:
        # With a wrong message CRC, read the headers of a copy with the right
        # one: worth showing, but marked unverified.
        message = decode(bytes(data[:crc_at]) + UINT32.pack(computed))
    except EventStreamError:
        block_start = base + 12
        payload = data[12 + headers_length : crc_at]
        return [
            Field(
                block_start,
                headers_length,
                "headers",
                f"header block that does not parse, {headers_length} bytes",
            ),
            Field(block_start + headers_length, len(payload), "payload", payload_preview(payload)),
            Field(
                base + crc_at,
                4,
                "message crc",
                f"0x{stated:08x}",
                verdict=_crc_verdict(stated, computed),
            ),
        ]
    note = " (unverified: the message crc is wrong)" if stated != computed else ""
    (prelude_crc,) = UINT32.unpack_from(data, 8)
    fields = _good_fields(
        base,
        total,
        headers_length,
        prelude_crc,
        stated,
        message,
        _header_rows(message.headers),
        _crc_verdict(stated, computed),
        note,
    )
    return fields[3:]  # the prelude's fields are the caller's


def _mark(fields: list[Field], problem: StreamProblem) -> None:
    """Mark the innermost field holding the wrong byte with the codec's reason."""
    target = None
    for index, field in enumerate(fields):
        inside = field.start <= problem.offset < field.start + max(field.length, 1)
        if inside and (target is None or field.depth >= fields[target].depth):
            target = index
    if target is None:
        return
    field = fields[target]
    if isinstance(problem.error, ChecksumError):
        verdict = f"WRONG: the bytes it covers give 0x{problem.error.expected:08x}"
    elif field.start == problem.offset:
        verdict = f"WRONG: {problem.reason}"
    else:  # a byte inside the field (a header inside the block): say which
        verdict = f"WRONG at byte offset {problem.offset}: {problem.reason}"
    fields[target] = field._replace(verdict=verdict)
