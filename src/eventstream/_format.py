"""The wire format, stateless: constants, prelude check, parse loop, ``decode``, ``encode``.

A message (big-endian, Smithy "Amazon Event Stream" spec)::

    uint32 total_length | uint32 headers_length | uint32 prelude_crc |
    headers | payload | uint32 message_crc

The prelude CRC covers the first 8 bytes; the message CRC covers every byte
before it, prelude CRC included.  The header block's own layout is
:mod:`eventstream._headers`.

Everything that reads or writes the format (the incremental
:class:`~eventstream.Decoder`, the CLI's frame reader and ``inspect``
layout, the test helpers of :mod:`eventstream.testing`) takes its facts from
here.  Goals of the reading side, in order: never hand out a header or
payload byte before both CRCs hold; never let anything but
:class:`EventStreamError` escape on any input; cost O(bytes parsed); and
never allocate for a length the peer merely claims.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from ._crc import crc32
from ._errors import (
    EncodeError,
    EventStreamError,
    InvalidLengthError,
    MessageChecksumError,
    MessageTooLargeError,
    PreludeChecksumError,
    TruncatedStreamError,
)
from ._headers import FIXED_VALUE_SIZES, Headers, decode_header_block, encode_headers
from ._message import BytesLike, Message, _new_object, _set_headers, _set_payload

__all__ = [
    "DEFAULT_MAX_MESSAGE_SIZE",
    "FIXED_VALUE_SIZES",
    "FLAT_FORMATS",
    "LENGTHS",
    "MAX_UINT32",
    "MIN_MESSAGE_LENGTH",
    "PRELUDE",
    "PRELUDE_LENGTH",
    "UINT32",
    "Frame",
    "HeaderCache",
    "as_flat",
    "at_message",
    "check_prelude",
    "decode",
    "encode",
    "parse_messages",
    "prelude_error",
    "prelude_total",
]

#: The prelude: total length, headers length, prelude CRC.
PRELUDE_LENGTH = 12
#: Prelude plus message CRC: the size of a message with no headers and no payload.
MIN_MESSAGE_LENGTH = 16
#: The largest value of a uint32 length field.
MAX_UINT32 = 0xFFFF_FFFF

#: Default cap on one message's total length: 32 MiB.  The largest message a
#: service may send today is a 24 MiB payload plus 128 KiB of headers (Smithy
#: event stream spec, "Limits"), which this clears with room to spare; the
#: spec also says clients must not enforce those service limits, so the cap
#: exists only to bound the memory one forged length claim can make us hold,
#: and can be raised up to 2**32 - 1 (what the uint32 length field can say).
DEFAULT_MAX_MESSAGE_SIZE = 32 * 1024 * 1024

#: The whole prelude: total length, headers length, prelude CRC.
PRELUDE = struct.Struct(">III")
#: The two lengths the prelude CRC covers.
LENGTHS = struct.Struct(">II")
#: One uint32 (a length or a CRC).
UINT32 = struct.Struct(">I")

#: Decoded header blocks by their bytes (see :func:`parse_messages`).
HeaderCache = dict[bytes, Headers]

_NO_HEADERS = Headers._trusted({})  # a placeholder, never handed out

# Header blocks are usually byte-identical from message to message (the same
# ":event-type"/":content-type"/":message-type" on every chunk), and Headers
# are immutable, so decoded blocks are shared by their bytes.  Bounded in
# entries and entry size so a stream of distinct blocks costs at most
# _CACHE_ENTRIES * _CACHE_BLOCK_BYTES of memory.
_CACHE_ENTRIES = 64
_CACHE_BLOCK_BYTES = 1024
# Up to this payload size the message CRC is one call over the joined bytes.
_ONE_CRC_MAX = 2048


#: memoryview formats whose items are single bytes: such a view is used as it is.
FLAT_FORMATS = ("B", "b", "c")


def as_flat(data: BytesLike) -> bytes | bytearray | memoryview:
    """A flat, byte-indexed view of any bytes-like object."""
    if type(data) is bytes or type(data) is bytearray:
        return data
    view = memoryview(data)
    if not view.c_contiguous:
        return view.tobytes()
    if view.ndim == 1 and view.format in FLAT_FORMATS:
        return view
    return view.cast("B")


def prelude_error(src: BytesLike, pos: int, base: int, max_size: int) -> EventStreamError | None:
    """What is wrong with the 12-byte prelude at ``pos``, if anything.

    The CRC is checked first: on a corrupt stream a length is noise, and a
    checksum error says so more truly than "length too large".
    """
    total, headers_length, stated = PRELUDE.unpack_from(src, pos)
    with memoryview(src) as view:
        computed = crc32(view[pos : pos + 8])
    if computed != stated:
        return at_message(PreludeChecksumError(computed, stated, base + pos + 8), base + pos)
    if total < MIN_MESSAGE_LENGTH:
        return at_message(
            InvalidLengthError(
                f"total length {total} is below the 16-byte minimum (prelude and message CRC)",
                base + pos,
            ),
            base + pos,
        )
    if headers_length > total - MIN_MESSAGE_LENGTH:
        return at_message(
            InvalidLengthError(
                f"headers length {headers_length} runs past the end of a {total}-byte message "
                f"(at most {total - MIN_MESSAGE_LENGTH})",
                base + pos + 4,
            ),
            base + pos,
        )
    if total > max_size:
        return at_message(MessageTooLargeError(total, max_size, base + pos), base + pos)
    return None


def check_prelude(src: BytesLike, pos: int, base: int, max_size: int) -> int:
    """Validate the 12-byte prelude at ``pos``; return the message's total length."""
    error = prelude_error(src, pos, base, max_size)
    if error is not None:
        raise error
    total: int = UINT32.unpack_from(src, pos)[0]
    return total


def prelude_total(src: BytesLike, pos: int, max_size: int) -> int:
    """The total length the 12-byte prelude at ``pos`` announces if it holds, else 0.

    The checks of :func:`prelude_error` (lengths possible, under ``max_size``,
    CRC), without building an error: for scanning for the next message.
    """
    total, headers_length, stated = PRELUDE.unpack_from(src, pos)
    # headers_length > total - 16 also catches total < 16.
    if headers_length > total - MIN_MESSAGE_LENGTH or total > max_size:
        return 0
    with memoryview(src) as view:
        if crc32(view[pos : pos + 8]) != stated:
            return 0
    return int(total)


def at_message(error: EventStreamError, message_offset: int) -> EventStreamError:
    """``error``, marked as about the message at stream offset ``message_offset``."""
    error.message_offset = message_offset
    return error


def parse_messages(
    src: bytes | bytearray | memoryview,
    pos: int,
    end: int,
    base: int,
    max_size: int,
    cache: HeaderCache,
    messages: list[Message],
    frames: list[Frame] | None,
) -> tuple[int, int, EventStreamError | None]:
    """Parse the whole messages in ``src[pos:end]`` into ``messages`` (and ``frames``).

    Returns ``(stop, need, error)``: where parsing stopped (the start of an
    incomplete or bad message, or ``end``), the bytes the message there needs
    (12 until its prelude is read, then its total length), and the error that
    stopped it, if any.  ``base`` is the stream offset of ``src[0]``.

    This loop is the decoder's cost per message, so it is written flat: one
    view for the whole piece, ``unpack_from`` on the source instead of
    slices, the prelude's CRC continued into the message CRC (both are of the
    message's leading bytes), decoded header blocks reused by their bytes,
    and only the payload and header block copied out.  The checks and their
    order are those of :func:`prelude_error`, which a failing prelude is
    handed to for its exact error, then the message CRC, then the headers.
    """
    # Slices of bytes are bytes; others are copied out through the view.
    flat = src if type(src) is bytes else None
    unpack_prelude = PRELUDE.unpack_from
    unpack_crc = UINT32.unpack_from
    append = messages.append
    # The last header block seen in ``flat``: a stream repeats one block from
    # message to message, and comparing in place costs less than slicing it
    # out and hashing it for the cache.
    last_block = b""
    last_length = -1
    last_headers = _NO_HEADERS
    need = 12
    with memoryview(src) as view:
        try:
            # pos only moves past a message once it is handed out, so on an
            # error it is that message's start.
            while end - pos >= 12:  # a whole prelude
                total, headers_length, stated = unpack_prelude(src, pos)
                crc = crc32(view[pos : pos + 8])
                # headers_length > total - 16 also catches total < 16.
                if crc != stated or headers_length > total - 16 or total > max_size:
                    error = prelude_error(src, pos, base, max_size)
                    assert error is not None  # the test above is exactly its checks
                    raise error
                if end - pos < total:
                    need = total
                    break
                crc_pos = pos + total - 4
                crc = crc32(view[pos + 8 : crc_pos], crc)
                (stated,) = unpack_crc(src, crc_pos)
                if crc != stated:
                    raise at_message(MessageChecksumError(crc, stated, base + crc_pos), base + pos)
                headers_start = pos + 12
                payload_start = headers_start + headers_length
                if flat is None:
                    block = bytes(view[headers_start:payload_start])
                    payload = bytes(view[payload_start:crc_pos])
                    headers = cache.get(block)
                    if headers is None:
                        headers = _decode_headers(block, base + headers_start, base + pos, cache)
                else:
                    payload = flat[payload_start:crc_pos]
                    if headers_length == last_length and flat.startswith(
                        last_block, headers_start
                    ):
                        headers = last_headers
                    else:
                        block = flat[headers_start:payload_start]
                        headers = cache.get(block)
                        if headers is None:
                            headers = _decode_headers(
                                block, base + headers_start, base + pos, cache
                            )
                        last_block = block
                        last_length = headers_length
                        last_headers = headers
                # A Message without __init__'s checks, both parts being checked.
                message = _new_object(Message)
                _set_headers(message, headers)
                _set_payload(message, payload)
                append(message)
                if frames is not None:
                    frames.append(Frame(base + pos, total, headers_length, message))
                pos += total
        except EventStreamError as error:
            return pos, need, error
    return pos, need, None


def _decode_headers(block: bytes, offset: int, message_offset: int, cache: HeaderCache) -> Headers:
    """Decode a header block not in ``cache``, and remember it if it is small."""
    try:
        headers = decode_header_block(block, offset)
    except EventStreamError as exc:
        raise at_message(exc, message_offset) from None
    if len(block) <= _CACHE_BLOCK_BYTES:
        if len(cache) >= _CACHE_ENTRIES:
            cache.clear()
        cache[block] = headers
    return headers


def decode(data: BytesLike) -> Message:
    """Decode exactly one whole message.

    Fewer bytes than the prelude announces raise :class:`TruncatedStreamError`;
    more raise :class:`InvalidLengthError`.  Use :class:`Decoder` for streams.
    """
    src = as_flat(data)
    size = len(src)
    if size < PRELUDE_LENGTH:
        raise TruncatedStreamError(f"expected at least a 12-byte prelude, got {size} bytes", size)
    total = check_prelude(src, 0, 0, MAX_UINT32)
    if size < total:
        raise TruncatedStreamError(
            f"the prelude announces a {total}-byte message, got {size} bytes", size
        )
    if size > total:
        raise InvalidLengthError(
            f"expected exactly one message of {total} bytes, got {size - total} bytes more",
            total,
        )
    messages: list[Message] = []
    _, _, error = parse_messages(src, 0, total, 0, MAX_UINT32, {}, messages, None)
    if error is not None:
        raise error
    return messages[0]


class Frame(NamedTuple):
    """A decoded message with where it was in the stream (see :meth:`Decoder.feed_frames`)."""

    #: Stream offset of the message's first byte.
    offset: int
    #: The prelude's total length (the whole message, both CRCs included).
    total_length: int
    #: The prelude's header block length.
    headers_length: int
    message: Message


def encode(message: Message) -> bytes:
    """The wire bytes of one message.

    Raises :class:`EncodeError` for what the format cannot carry (see
    :func:`encode_headers`) and for a message over 4 GiB - 1 bytes.
    """
    if not isinstance(message, Message):
        raise EncodeError(f"encode() takes a Message, not {type(message).__name__}")
    headers = message.headers
    header_block = headers._encoded
    if header_block is None:
        header_block = encode_headers(headers)
    payload = message.payload
    headers_length = len(header_block)
    total = MIN_MESSAGE_LENGTH + headers_length + len(payload)
    if total > MAX_UINT32:
        raise EncodeError(f"message of {total} bytes does not fit the uint32 length field")
    head = PRELUDE.pack(total, headers_length, crc32(LENGTHS.pack(total, headers_length)))
    if len(payload) <= _ONE_CRC_MAX:
        # Small: one CRC call over the joined bytes costs less than three
        # calls over the parts; large: the parts, so the payload is copied once.
        body = head + header_block + payload
        return body + UINT32.pack(crc32(body))
    message_crc = crc32(payload, crc32(header_block, crc32(head)))
    return b"".join((head, header_block, payload, UINT32.pack(message_crc)))
