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
    HeaderType,
    HeaderValue,
    Message,
    Timestamp,
    TruncatedStreamError,
    decode,
)
from .._crc import crc32
from .._format import FIXED_VALUE_SIZES, MIN_MESSAGE_LENGTH, PRELUDE_LENGTH, UINT32
from ._errors import StreamProblem

PREVIEW_CHARS = 60


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
        return json.dumps(value, ensure_ascii=False)
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


def payload_preview(payload: bytes) -> str:
    if not payload:
        return "0 bytes"
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        head = payload[: PREVIEW_CHARS // 2].hex(" ")
        more = " ..." if len(payload) > PREVIEW_CHARS // 2 else ""
        return f"{_bytes(len(payload))}, binary: {head}{more}"
    shown = json.dumps(text[:PREVIEW_CHARS], ensure_ascii=False)
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
    if len(data) >= PRELUDE_LENGTH:
        (stated,) = UINT32.unpack_from(data, 8)
        verdict = _crc_verdict(stated, crc32(data[:8]))
        fields.append(Field(base + 8, 4, "prelude crc", f"0x{stated:08x}", verdict=verdict))
        if (
            verdict == "ok"
            and len(data) == total >= MIN_MESSAGE_LENGTH
            and (headers_length <= total - MIN_MESSAGE_LENGTH)
        ):
            fields += _body_fields(data, base, total, headers_length)
        elif len(data) > PRELUDE_LENGTH:
            rest = (
                f"{len(data) - PRELUDE_LENGTH} bytes after the prelude, "
                f"of the {total - PRELUDE_LENGTH} it announces"
            )
            fields.append(
                Field(base + PRELUDE_LENGTH, len(data) - PRELUDE_LENGTH, "body (not read)", rest)
            )
    elif len(data) % 4:
        whole = len(data) - len(data) % 4
        fields.append(Field(base + whole, len(data) - whole, "(cut field)", "the stream ends"))
    if problem is not None and not isinstance(problem.error, TruncatedStreamError):
        _mark(fields, problem)
    return fields


def _body_fields(data: bytes, base: int, total: int, headers_length: int) -> list[Field]:
    fields: list[Field] = []
    crc_at = total - 4
    (stated,) = UINT32.unpack_from(data, crc_at)
    computed = crc32(data[:crc_at])
    message: Message | None = None
    note = ""
    try:
        # With a wrong message CRC, read the headers of a copy with the right
        # one: worth showing, but marked unverified.
        message = decode(data[:crc_at] + UINT32.pack(computed))
        if stated != computed:
            note = " (unverified: the message crc is wrong)"
    except EventStreamError:
        pass
    block_start = base + PRELUDE_LENGTH
    if message is None:
        count = "header block that does not parse"
    else:
        count = f"{len(message.headers)} header{'s' if len(message.headers) != 1 else ''}"
    fields.append(
        Field(block_start, headers_length, "headers", f"{count}, {headers_length} bytes{note}")
    )
    if message is not None:
        at = block_start
        for name, wire, value in message.headers.typed_items():
            size = _header_size(name, wire, value)
            text = f"{wire.name.lower()} {value_text(value)}"
            fields.append(Field(at, size, name, text, depth=1))
            at += size
        payload = message.payload
    else:
        payload = data[PRELUDE_LENGTH + headers_length : crc_at]
    fields.append(
        Field(block_start + headers_length, len(payload), "payload", payload_preview(payload))
    )
    fields.append(
        Field(
            base + crc_at,
            4,
            "message crc",
            f"0x{stated:08x}",
            verdict=_crc_verdict(stated, computed),
        )
    )
    return fields


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
