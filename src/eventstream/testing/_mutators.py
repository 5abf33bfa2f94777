"""Structural mutations: malformed messages whose CRCs still hold.

Each mutation takes a valid message and breaks exactly one rule of the
format behind correct checksums, so a parser under test must find it by
reading the structure, not by the CRC.  Each result says which rule it broke
(``kind``), where (``offset``), and the :class:`~eventstream.EventStreamError`
subclass this library's decoder raises for it, so a test can check a parser
against a known answer.  Mutations are deterministic given the ``random.Random``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import NamedTuple

from .._errors import (
    DuplicateHeaderError,
    EventStreamError,
    InvalidHeaderError,
    InvalidLengthError,
)
from .._format import FIXED_VALUE_SIZES, MAX_UINT32, MIN_MESSAGE_LENGTH, PRELUDE_LENGTH
from .._headers import encode_headers
from .._message import Message
from ._frames import raw_frame, raw_header
from ._kinds import pick_kind

__all__ = ["INVALID_UTF8", "MUTATION_KINDS", "Mutation", "mutate"]


class Mutation(NamedTuple):
    """One malformed frame with correct CRCs, and what is wrong with it."""

    #: Which rule is broken: one of :data:`MUTATION_KINDS`.
    kind: str
    #: The whole frame, both CRCs correct.
    data: bytes
    #: The error class :func:`eventstream.decode` and :class:`eventstream.Decoder`
    #: raise for it (exactly this class, not a subclass).
    error: type[EventStreamError]
    #: Byte offset of the broken part: the lying length field, or the start of
    #: the first malformed header.  The decoder's error offset is at or after it.
    offset: int


#: Byte sequences that are never valid UTF-8 wherever they are put between
#: characters: a lone continuation byte, bytes UTF-8 never uses, an overlong
#: encoding, an encoded surrogate, a code point above U+10FFFF, and a
#: sequence cut short (followed by an ASCII byte).  (RFC 3629, sections 3 and 10.)
INVALID_UTF8: tuple[bytes, ...] = (
    b"\x80",
    b"\xbf",
    b"\xff",
    b"\xfe",
    b"\xc0\xaf",
    b"\xe0\x80\xaf",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xe2\x82x",
    b"\xf0\x9f\x98x",
)


class _Parts(NamedTuple):
    headers: list[bytes]  # each header's wire bytes, in order
    names: list[bytes]
    payload: bytes

    @property
    def block(self) -> bytes:
        return b"".join(self.headers)

    def start_of(self, index: int) -> int:
        """Offset in the frame of header ``index`` (``len`` means the block's end)."""
        return PRELUDE_LENGTH + sum(len(h) for h in self.headers[:index])


def _parts(message: Message) -> _Parts:
    headers = [encode_headers({name: value}) for name, value in message.headers.items()]
    names = [name.encode("utf-8") for name in message.headers]
    return _Parts(headers, names, message.payload)


def _fresh_name(rng: random.Random, taken: Sequence[bytes]) -> bytes:
    # Non-empty, ASCII, and not among the message's names.
    while True:
        name = (
            "x-" + "".join(rng.choice("abcdefghij") for _ in range(rng.randint(1, 8)))
        ).encode()
        if name not in taken:
            return name


def _any_value(rng: random.Random) -> tuple[int, bytes]:
    """A valid (type code, value bytes) pair of a random wire type."""
    code = rng.randrange(10)
    if code in (6, 7):
        raw = bytes(rng.randrange(0x20, 0x7F) for _ in range(rng.randint(0, 8)))
        return code, len(raw).to_bytes(2, "big") + raw
    return code, rng.randbytes(FIXED_VALUE_SIZES.get(code, 0))


def _with_a_header(parts: _Parts, rng: random.Random) -> _Parts:
    """``parts`` with at least one header (a fresh one appended if there is none)."""
    if parts.headers:
        return parts
    name = _fresh_name(rng, parts.names)
    code, value = _any_value(rng)
    return _Parts([raw_header(name, code, value)], [name], parts.payload)


def _insert(parts: _Parts, index: int, header: bytes) -> tuple[bytes, int]:
    """The frame with ``header`` inserted before header ``index``, and its offset."""
    block = b"".join([*parts.headers[:index], header, *parts.headers[index:]])
    return raw_frame(block, parts.payload), parts.start_of(index)


def _total_length_below_minimum(parts: _Parts, rng: random.Random) -> Mutation:
    total = rng.randrange(MIN_MESSAGE_LENGTH)
    frame = raw_frame(parts.block, parts.payload, total_length=total)
    return Mutation("total_length_below_minimum", frame, InvalidLengthError, 0)


def _headers_length_past_end(parts: _Parts, rng: random.Random) -> Mutation:
    block = parts.block
    total = MIN_MESSAGE_LENGTH + len(block) + len(parts.payload)
    low = total - MIN_MESSAGE_LENGTH + 1
    claim = rng.choice([low, rng.randint(low, low + 64), rng.randint(low, MAX_UINT32)])
    frame = raw_frame(block, parts.payload, headers_length=claim)
    return Mutation("headers_length_past_end", frame, InvalidLengthError, 4)


def _cut_inside_a_header(parts: _Parts, rng: random.Random) -> tuple[int, int]:
    """(header index, cut offset in the block) strictly inside that header."""
    index = rng.randrange(len(parts.headers))
    start = parts.start_of(index) - PRELUDE_LENGTH
    return index, rng.randint(start + 1, start + len(parts.headers[index]) - 1)


def _headers_length_splits_header(parts: _Parts, rng: random.Random) -> Mutation:
    # The header block claims to end inside a header; the rest of it becomes
    # payload.  Lengths are consistent, so only the header parse can see it.
    parts = _with_a_header(parts, rng)
    index, cut = _cut_inside_a_header(parts, rng)
    block = parts.block
    frame = raw_frame(block[:cut], block[cut:] + parts.payload)
    return Mutation(
        "headers_length_splits_header", frame, InvalidHeaderError, parts.start_of(index)
    )


def _truncated_header(parts: _Parts, rng: random.Random) -> Mutation:
    # The header block itself ends inside a header (the rest dropped).
    parts = _with_a_header(parts, rng)
    index, cut = _cut_inside_a_header(parts, rng)
    frame = raw_frame(parts.block[:cut], parts.payload)
    return Mutation("truncated_header", frame, InvalidHeaderError, parts.start_of(index))


def _unknown_type(parts: _Parts, rng: random.Random) -> Mutation:
    code = rng.choice([10, 11, rng.randint(10, 255), 255])
    junk = rng.randbytes(rng.randint(0, 16))
    header = raw_header(_fresh_name(rng, parts.names), code, junk)
    # Parsing stops at the type byte, so the junk after it is never read as headers.
    frame, offset = _insert(parts, rng.randint(0, len(parts.headers)), header)
    return Mutation("unknown_type", frame, InvalidHeaderError, offset)


def _overrunning_value(parts: _Parts, rng: random.Random) -> Mutation:
    # The last header's value claims more bytes than the header block has left.
    name = _fresh_name(rng, parts.names)
    code = rng.choice([2, 3, 4, 5, 6, 7, 8, 9])
    if code in (6, 7):
        present = bytes(rng.randrange(0x20, 0x7F) for _ in range(rng.randint(0, 8)))
        claimed = rng.choice([len(present) + 1, rng.randint(len(present) + 1, 0xFFFF), 0xFFFF])
        field = claimed.to_bytes(2, "big")
        value = rng.choice([field + present, field[:1]])  # or the length field itself cut
    else:
        value = rng.randbytes(rng.randrange(FIXED_VALUE_SIZES[code]))
    frame, offset = _insert(parts, len(parts.headers), raw_header(name, code, value))
    return Mutation("overrunning_value", frame, InvalidHeaderError, offset)


def _overrunning_name(parts: _Parts, rng: random.Random) -> Mutation:
    # The last header's name length claims more bytes than are left.
    present = _fresh_name(rng, parts.names)[: rng.randint(0, 10)]
    claimed = rng.randint(len(present) + 1, 255)
    header = bytes((claimed,)) + present
    frame, offset = _insert(parts, len(parts.headers), header)
    return Mutation("overrunning_name", frame, InvalidHeaderError, offset)


def _spliced_invalid_utf8(rng: random.Random, text: str) -> bytes:
    # Cut at a character boundary, so the bad sequence cannot complete a character.
    cut = rng.randint(0, len(text))
    return text[:cut].encode() + rng.choice(INVALID_UTF8) + text[cut:].encode()


def _bad_utf8_name(parts: _Parts, rng: random.Random) -> Mutation:
    base = _fresh_name(rng, parts.names).decode()
    name = _spliced_invalid_utf8(rng, base)
    code, value = _any_value(rng)
    frame, offset = _insert(
        parts, rng.randint(0, len(parts.headers)), raw_header(name, code, value)
    )
    return Mutation("bad_utf8_name", frame, InvalidHeaderError, offset)


def _bad_utf8_value(parts: _Parts, rng: random.Random) -> Mutation:
    text = rng.choice(["", "value", "caf\u00e9", "\u65e5\u672c", "\U0001f600!"])
    raw = _spliced_invalid_utf8(rng, text)
    header = raw_header(_fresh_name(rng, parts.names), 7, len(raw).to_bytes(2, "big") + raw)
    frame, offset = _insert(parts, rng.randint(0, len(parts.headers)), header)
    return Mutation("bad_utf8_value", frame, InvalidHeaderError, offset)


def _duplicate_name(parts: _Parts, rng: random.Random) -> Mutation:
    # A later header repeats an earlier one's name (any type and value).
    parts = _with_a_header(parts, rng)
    original = rng.randrange(len(parts.headers))
    code, value = _any_value(rng)
    index = rng.randint(original + 1, len(parts.headers))
    frame, offset = _insert(parts, index, raw_header(parts.names[original], code, value))
    return Mutation("duplicate_name", frame, DuplicateHeaderError, offset)


def _empty_name(parts: _Parts, rng: random.Random) -> Mutation:
    code, value = _any_value(rng)
    frame, offset = _insert(
        parts, rng.randint(0, len(parts.headers)), raw_header(b"", code, value)
    )
    return Mutation("empty_name", frame, InvalidHeaderError, offset)


_MUTATORS: dict[str, Callable[[_Parts, random.Random], Mutation]] = {
    "total_length_below_minimum": _total_length_below_minimum,
    "headers_length_past_end": _headers_length_past_end,
    "headers_length_splits_header": _headers_length_splits_header,
    "truncated_header": _truncated_header,
    "unknown_type": _unknown_type,
    "overrunning_value": _overrunning_value,
    "overrunning_name": _overrunning_name,
    "bad_utf8_name": _bad_utf8_name,
    "bad_utf8_value": _bad_utf8_value,
    "duplicate_name": _duplicate_name,
    "empty_name": _empty_name,
}

#: Every kind of structural mutation :func:`mutate` makes.
MUTATION_KINDS: tuple[str, ...] = tuple(_MUTATORS)


def mutate(message: Message, rng: random.Random, kind: str | None = None) -> Mutation:
    """A malformed frame made from ``message``, with both CRCs correct.

    ``kind`` picks the rule to break (one of :data:`MUTATION_KINDS`); by
    default ``rng`` picks one.  The message's headers and payload are kept
    around the break, so the frame looks like real traffic up to it.
    ``message`` must be encodable (values up to 32,767 bytes).
    """
    _, mutator = pick_kind(_MUTATORS, kind, rng, "mutation")
    return mutator(_parts(message), rng)
