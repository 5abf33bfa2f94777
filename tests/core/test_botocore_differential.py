"""Differential test against botocore's decoder (botocore.eventstream, a test peer).

* Valid streams: botocore's EventStreamBuffer and our Decoder, fed the same
  pieces, give the same messages and values.
* Malformed frames from eventstream.testing.mutate: we reject every one; when
  botocore accepts one, its kind must be a documented leniency.
* docs/botocore-differences.md: its tables are rendered here from the cases
  below, run through the installed botocore and through us, and must match the
  file byte for byte, so the document cannot drift from what botocore does.
  To regenerate them: ``python -m tests.core.test_botocore_differential``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream import testing as t

botocore_eventstream = pytest.importorskip(
    "botocore.eventstream", reason="botocore is a test peer: pip install -e '.[test]'"
)

DOC = Path(__file__).resolve().parents[2] / "docs" / "botocore-differences.md"

# botocore refuses a header block over 128 KiB and a payload over 24 MiB at
# the prelude (its _MAX_HEADERS_LENGTH and _MAX_PAYLOAD_LENGTH); the Smithy
# spec says clients must not enforce these service limits, and we do not.
BOTOCORE_MAX_HEADERS = 128 * 1024
BOTOCORE_MAX_PAYLOAD = 24 * 1024 * 1024


def botocore_messages(pieces: list[bytes]) -> list[tuple[dict[str, Any], bytes]]:
    """What botocore's EventStreamBuffer yields for the stream fed in these pieces,
    as (headers, payload); raises whatever botocore raises."""
    buffer = botocore_eventstream.EventStreamBuffer()
    out = []
    for piece in pieces:
        buffer.add_data(piece)
        out += [(message.headers, message.payload) for message in buffer]
    return out


def as_botocore(value: es.HeaderValue) -> object:
    """Our typed value as botocore represents it: plain ints, timestamps as
    int milliseconds, UUIDs as their 16 bytes."""
    if isinstance(value, es.Timestamp):
        return value.millis
    if isinstance(value, uuid.UUID):
        return value.bytes
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return value


def header_block_size(message: es.Message) -> int:
    return len(es.encode_headers(message.headers))


@given(t.streams(max_messages=4), st.data())
def test_valid_streams_decode_the_same(stream: t.Stream, data: st.DataObject) -> None:
    pieces = data.draw(t.splits(stream.data))
    ours = [m for m in stream.messages]
    assert es.Decoder().feed(stream.data) == ours
    too_big = [m for m in ours if header_block_size(m) > BOTOCORE_MAX_HEADERS]
    if too_big:  # valid, but over botocore's own limit: documented below
        with pytest.raises(botocore_eventstream.InvalidHeadersLength):
            botocore_messages(pieces)
        return
    theirs = botocore_messages(pieces)
    assert [({n: as_botocore(v) for n, v in m.headers.items()}, m.payload) for m in ours] == theirs
    for (headers, _), message in zip(theirs, ours):
        assert list(headers) == list(message.headers)  # same order too
        for name, value in headers.items():
            assert type(value) is type(as_botocore(message.headers[name]))


def test_every_wire_type_decodes_the_same() -> None:
    message = es.Message(
        {
            "t": True,
            "f": False,
            "b": es.Byte(-128),
            "s": es.Short(-(2**15)),
            "i": es.Integer(2**31 - 1),
            "l": es.Long(-(2**63)),
            "ba": b"\x00\xff",
            "str": "caf\u00e9",
            "ts": es.Timestamp(2**63 - 1),
            "id": uuid.UUID(int=2**128 - 1),
            "\u00e9" * 127 + "n": "",
        },
        b"payload",
    )
    theirs = botocore_messages([es.encode(message)])
    assert theirs == [({n: as_botocore(v) for n, v in message.headers.items()}, b"payload")]


# --- The documented cases -------------------------------------------------


class Case(NamedTuple):
    """A documented difference: an input, what it is, which mutators make its kind."""

    name: str
    description: str
    build: Callable[[], bytes]
    mutation_kinds: tuple[str, ...] = ()


def _prelude_only(total: int, headers_length: int) -> bytes:
    return t.raw_frame(b"", total_length=total, headers_length=headers_length)[:12]


_STRING_HEADER = t.raw_header(b"s", 7, b"\x00\x05hello")

#: Malformed input: we raise; botocore silently accepts (or raises something
#: other than its own errors, listed too since callers must catch it).
MALFORMED = [
    Case(
        "empty_name",
        "a header whose name length is 0",
        lambda: t.raw_frame(t.raw_header(b"", 0)),
        ("empty_name",),
    ),
    Case(
        "string_value_overruns",
        "a string value claiming 5 bytes with 3 left in the header block",
        lambda: t.raw_frame(t.raw_header(b"s", 7, b"\x00\x05abc")),
        ("overrunning_value", "truncated_header"),
    ),
    Case(
        "byte_array_value_overruns",
        "a byte_array value claiming 5 bytes with 3 left in the header block",
        lambda: t.raw_frame(t.raw_header(b"b", 6, b"\x00\x05abc")),
        ("overrunning_value", "truncated_header"),
    ),
    Case(
        "uuid_value_short",
        "a uuid value with 15 of its 16 bytes left in the header block",
        lambda: t.raw_frame(t.raw_header(b"u", 9, bytes(range(15)))),
        ("overrunning_value", "truncated_header"),
    ),
    Case(
        "headers_length_splits_a_value",
        "headers_length ending inside a string value (the rest of it and the payload after)",
        lambda: t.raw_frame(_STRING_HEADER[:6], _STRING_HEADER[6:] + b"pay"),
        ("headers_length_splits_header",),
    ),
    Case(
        "headers_length_into_next_message",
        "headers_length running past the message CRC into the next message "
        "(a byte_array value claiming 8 bytes, 0 present), then a valid message",
        lambda: (
            t.raw_frame(t.raw_header(b"b", 6, b"\x00\x08"), headers_length=13)
            + es.encode(es.Message({}, b"next"))
        ),
        ("headers_length_past_end",),
    ),
    Case(
        "total_length_12",
        "a prelude claiming total_length 12 (no room for the message CRC), nothing after",
        lambda: _prelude_only(12, 0),
        ("total_length_below_minimum",),
    ),
    Case(
        "stream_cut_mid_message",
        "a valid message, then the first 20 bytes of another, then the end of the stream",
        lambda: es.encode(es.Message({}, b"one")) + es.encode(es.Message({}, b"two" * 9))[:20],
    ),
    Case(
        "unknown_type",
        "a header value type of 10",
        lambda: t.raw_frame(t.raw_header(b"h", 10)),
    ),
    Case(
        "integer_value_short",
        "an integer value with 2 of its 4 bytes left in the header block",
        lambda: t.raw_frame(t.raw_header(b"i", 4, b"\x00\x01")),
    ),
    Case(
        "name_overruns",
        "a name claiming 5 bytes with 2 left in the header block",
        lambda: t.raw_frame(b"\x05ab"),
    ),
    Case(
        "bad_utf8_string",
        "a string value that is not UTF-8 (b'\\xff')",
        lambda: t.raw_frame(t.raw_header(b"s", 7, b"\x00\x01\xff")),
    ),
]

#: Valid input (by the spec) that botocore refuses and we read.
VALID = [
    Case(
        "header_block_over_128_KiB",
        "5 string headers of 32,767 bytes: a 163,865-byte header block",
        lambda: es.encode(es.Message({f"h{i}": "x" * 32767 for i in range(5)})),
    ),
    Case(
        "payload_over_24_MiB",
        "a message with a 24 MiB + 1 byte payload (botocore refuses it at the prelude)",
        lambda: es.encode(es.Message({}, bytes(BOTOCORE_MAX_PAYLOAD + 1))),
    ),
]


def botocore_outcome(data: bytes) -> str:
    """What botocore makes of ``data`` fed whole, as the doc's table says it."""
    buffer = botocore_eventstream.EventStreamBuffer()
    buffer.add_data(data)
    try:
        messages = list(buffer)
    except Exception as exc:
        where = type(exc).__module__
        qualified = type(exc).__name__ if where == "builtins" else f"{where}.{type(exc).__name__}"
        return f"raises `{qualified}`"
    text = "; ".join(f"headers `{m.headers!r}`, payload `{m.payload!r}`" for m in messages)
    unread = len(data) - sum(m.prelude.total_length for m in messages)
    if unread:
        text += f"; {unread} bytes left unread, no error"
    return "accepts: " + text


def our_outcome(data: bytes) -> str:
    decoder = es.Decoder()
    try:
        messages = decoder.feed(data)
        decoder.close()
    except es.EventStreamError as exc:
        return f"`{type(exc).__name__}` at byte {exc.offset}"
    return f"accepts: {len(messages)} message{'s' if len(messages) != 1 else ''}"


def example(data: bytes) -> str:
    return f"`{data.hex()}`" if len(data) <= 64 else f"{len(data):,} bytes"


def render(cases: list[Case], botocore_column: str) -> str:
    lines = [
        f"| case | input | example | {botocore_column} | eventstream |",
        "|---|---|---|---|---|",
    ]
    for case in cases:
        data = case.build()
        lines.append(
            f"| `{case.name}` | {case.description} | {example(data)} | "
            f"{botocore_outcome(data)} | {our_outcome(data)} |"
        )
    return "\n".join(lines) + "\n"


def rendered_tables() -> dict[str, str]:
    return {
        "malformed": render(MALFORMED, "botocore"),
        "valid": render(VALID, "botocore"),
    }


def documented_tables() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    found = re.findall(r"<!-- table:(\w+) -->\n(.*?)<!-- /table -->", text, re.S)
    return dict(found)


def test_the_documented_tables_are_what_botocore_does() -> None:
    expected = rendered_tables()
    assert documented_tables() == expected, (
        "docs/botocore-differences.md is out of date; regenerate its tables with "
        "`python -m tests.core.test_botocore_differential`"
    )


@pytest.mark.parametrize("case", MALFORMED, ids=lambda c: c.name)
def test_we_reject_every_malformed_case(case: Case) -> None:
    assert our_outcome(case.build()).startswith("`")


@pytest.mark.parametrize("case", VALID, ids=lambda c: c.name)
def test_botocore_rejects_the_valid_cases_we_read(case: Case) -> None:
    data = case.build()
    decoder = es.Decoder()
    out = decoder.feed(data)
    assert botocore_outcome(data).startswith("raises `botocore.eventstream.Invalid")
    decoder.close()
    assert len(out) == 1


LENIENT_KINDS = {kind for case in MALFORMED for kind in case.mutation_kinds}


@given(t.mutations(), st.data())
def test_botocore_accepts_only_documented_kinds(mutation: t.Mutation, data: st.DataObject) -> None:
    with pytest.raises(mutation.error):
        es.decode(mutation.data)
    try:
        botocore_messages(data.draw(t.splits(mutation.data)))
    except Exception:
        return  # botocore rejects it too (by whatever exception)
    assert mutation.kind in LENIENT_KINDS, (
        f"botocore accepts a new kind of malformed input ({mutation.kind}: "
        f"{mutation.data.hex()}): add a case to MALFORMED and the doc"
    )


if __name__ == "__main__":  # print the tables for docs/botocore-differences.md
    for name, table in rendered_tables().items():
        print(f"<!-- table:{name} -->\n{table}<!-- /table -->\n")
