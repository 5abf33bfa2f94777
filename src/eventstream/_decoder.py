"""Reading messages: whole (:func:`decode`) or incrementally (:class:`Decoder`).

Goals, in order: never hand out a header or payload byte before both CRCs
hold; never let anything but :class:`EventStreamError` escape on any input;
cost O(bytes fed) whatever the piece sizes (one byte at a time or a megabyte
at a time), so a slow or hostile peer cannot make us quadratic; and never
allocate for a length the peer merely claims.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from ._crc import crc32
from ._encoder import MAX_UINT32, MIN_MESSAGE_LENGTH, PRELUDE_LENGTH
from ._errors import (
    DecoderFailedError,
    EventStreamError,
    InvalidLengthError,
    MessageChecksumError,
    MessageTooLargeError,
    PreludeChecksumError,
    TruncatedStreamError,
)
from ._headers import Headers, decode_header_block
from ._message import BytesLike, Message

#: Default cap on one message's total length: 32 MiB.  The largest message a
#: service may send today is a 24 MiB payload plus 128 KiB of headers (Smithy
#: event stream spec, "Limits"), which this clears with room to spare; the
#: spec also says clients must not enforce those service limits, so the cap
#: exists only to bound the memory one forged length claim can make us hold,
#: and can be raised up to 2**32 - 1 (what the uint32 length field can say).
DEFAULT_MAX_MESSAGE_SIZE = 32 * 1024 * 1024

_PRELUDE = struct.Struct(">III")
_UINT32 = struct.Struct(">I")

# Header blocks are usually byte-identical from message to message (the same
# ":event-type"/":content-type"/":message-type" on every chunk), and Headers
# are immutable, so decoded blocks are shared by their bytes.  Bounded in
# entries and entry size so a stream of distinct blocks costs at most
# _CACHE_ENTRIES * _CACHE_BLOCK_BYTES of memory.
_CACHE_ENTRIES = 64
_CACHE_BLOCK_BYTES = 1024


def _as_bytes_view(data: BytesLike) -> bytes | bytearray | memoryview:
    """A flat, byte-indexed view of any bytes-like object."""
    if type(data) is bytes or type(data) is bytearray:
        return data
    view = memoryview(data)
    if not view.c_contiguous:
        return view.tobytes()
    if view.ndim == 1 and view.format in ("B", "b", "c"):
        return view
    return view.cast("B")


def _check_prelude(src: BytesLike, pos: int, base: int, max_size: int) -> tuple[int, int]:
    """Validate the 12-byte prelude at ``pos``; return (total, headers) lengths.

    The CRC is checked first: on a corrupt stream a length is noise, and a
    checksum error says so more truly than "length too large".
    """
    total, headers_length, stated = _PRELUDE.unpack_from(src, pos)
    with memoryview(src) as view:
        computed = crc32(view[pos : pos + 8])
    if computed != stated:
        raise _at(PreludeChecksumError(computed, stated, base + pos + 8), base + pos)
    if total < MIN_MESSAGE_LENGTH:
        raise _at(
            InvalidLengthError(
                f"total length {total} is below the 16-byte minimum (prelude and message CRC)",
                base + pos,
            ),
            base + pos,
        )
    if headers_length > total - MIN_MESSAGE_LENGTH:
        raise _at(
            InvalidLengthError(
                f"headers length {headers_length} runs past the end of a {total}-byte message "
                f"(at most {total - MIN_MESSAGE_LENGTH})",
                base + pos + 4,
            ),
            base + pos,
        )
    if total > max_size:
        raise _at(MessageTooLargeError(total, max_size, base + pos), base + pos)
    return total, headers_length


def _at(error: EventStreamError, message_offset: int) -> EventStreamError:
    error.message_offset = message_offset
    return error


def _finish_message(
    src: BytesLike,
    pos: int,
    total: int,
    headers_length: int,
    base: int,
    cache: dict[bytes, Headers] | None,
) -> Message:
    """Check the message CRC of the whole message at ``pos``, then parse it."""
    crc_pos = pos + total - 4
    headers_start = pos + PRELUDE_LENGTH
    payload_start = headers_start + headers_length
    # Views are released on the way out, even on error: a live view of the
    # decoder's bytearray would forbid resizing it.
    with memoryview(src) as view:
        computed = crc32(view[pos:crc_pos])
        block = bytes(view[headers_start:payload_start])
        payload = bytes(view[payload_start:crc_pos])
    (stated,) = _UINT32.unpack_from(src, crc_pos)
    if computed != stated:
        raise _at(MessageChecksumError(computed, stated, base + crc_pos), base + pos)
    headers = cache.get(block) if cache is not None else None
    if headers is None:
        try:
            headers = decode_header_block(block, base + headers_start)
        except EventStreamError as exc:
            raise _at(exc, base + pos) from None
        if cache is not None and len(block) <= _CACHE_BLOCK_BYTES:
            if len(cache) >= _CACHE_ENTRIES:
                cache.clear()
            cache[block] = headers
    return Message._trusted(headers, payload)


def decode(data: BytesLike) -> Message:
    """Decode exactly one whole message.

    Fewer bytes than the prelude announces raise :class:`TruncatedStreamError`;
    more raise :class:`InvalidLengthError`.  Use :class:`Decoder` for streams.
    """
    src = _as_bytes_view(data)
    size = len(src)
    if size < PRELUDE_LENGTH:
        raise TruncatedStreamError(f"expected at least a 12-byte prelude, got {size} bytes", size)
    total, headers_length = _check_prelude(src, 0, 0, MAX_UINT32)
    if size < total:
        raise TruncatedStreamError(
            f"the prelude announces a {total}-byte message, got {size} bytes", size
        )
    if size > total:
        raise InvalidLengthError(
            f"expected exactly one message of {total} bytes, got {size - total} bytes more",
            total,
        )
    return _finish_message(src, 0, total, headers_length, 0, None)


class Frame(NamedTuple):
    """A decoded message with where it was in the stream (see :meth:`Decoder.feed_frames`)."""

    #: Stream offset of the message's first byte.
    offset: int
    #: The prelude's total length (the whole message, both CRCs included).
    total_length: int
    #: The prelude's header block length.
    headers_length: int
    message: Message


class Decoder:
    """Incremental decoder: feed it bytes in pieces of any size, get messages.

    Like msgpack's ``Unpacker.feed()``, but each call returns what it
    completed::

        decoder = Decoder()
        for piece in pieces:
            for message in decoder.feed(piece):
                ...
        decoder.close()  # raises TruncatedStreamError if a message was cut

    ``max_message_size`` caps a message's total length (default
    :data:`DEFAULT_MAX_MESSAGE_SIZE`, 32 MiB); it is checked as soon as a
    prelude's CRC holds, before any byte of the body is kept, so a forged
    length costs nothing.

    Errors: when ``feed`` finds a bad message after completing others in the
    same call, it returns those first and raises the error on the next
    ``feed()`` or ``close()``, so no good message is lost.  A decoder does not
    resume after an error: every later call raises :class:`DecoderFailedError`
    (``failed`` and ``error`` tell the state).
    """

    __slots__ = ("_base", "_buf", "_cache", "_error", "_error_raised", "_max", "_need")

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        if not MIN_MESSAGE_LENGTH <= max_message_size <= MAX_UINT32:
            raise ValueError(
                f"max_message_size must be in {MIN_MESSAGE_LENGTH}..{MAX_UINT32}, "
                f"got {max_message_size}"
            )
        self._max = max_message_size
        # Bytes of an incomplete message.  Complete messages are parsed out of
        # the fed piece directly when nothing is buffered, so a big piece
        # holding many messages is never copied as a whole.
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]
        # Bytes _buf must hold before parsing can make progress: 12 until a
        # prelude is checked, then that message's total length.  It makes a
        # one-byte feed O(1) while a large message fills up.
        self._need = PRELUDE_LENGTH
        self._cache: dict[bytes, Headers] = {}
        self._error: EventStreamError | None = None
        self._error_raised = False

    @property
    def max_message_size(self) -> int:
        """The cap on one message's total length, in bytes."""
        return self._max

    @property
    def offset(self) -> int:
        """Stream offset of the first byte not yet part of a returned message."""
        return self._base

    @property
    def buffered(self) -> int:
        """Bytes held for an incomplete message."""
        return len(self._buf)

    @property
    def failed(self) -> bool:
        """True once an error was found; the decoder then refuses more input."""
        return self._error is not None

    @property
    def error(self) -> EventStreamError | None:
        """The error that failed the decoder, if any."""
        return self._error

    def _raise_failure(self) -> None:
        assert self._error is not None
        if not self._error_raised:
            self._error_raised = True
            raise self._error
        raise DecoderFailedError(self._error) from self._error

    def feed(self, data: BytesLike) -> list[Message]:
        """Take the next piece of the stream; return the messages it completed.

        O(len(data)) amortized, whatever the piece sizes.
        """
        return self._feed(data, None)

    def feed_frames(self, data: BytesLike) -> list[Frame]:
        """Like :meth:`feed`, but each message comes with its offset and lengths."""
        frames: list[Frame] = []
        self._feed(data, frames)
        return frames

    def _feed(self, data: BytesLike, frames: list[Frame] | None) -> list[Message]:
        if self._error is not None:
            self._raise_failure()
        src = _as_bytes_view(data)
        buf = self._buf
        if buf:
            buf += src
            if len(buf) < self._need:
                return []
            src = buf
        elif len(src) < PRELUDE_LENGTH:
            buf += src
            return []
        messages: list[Message] = []
        pos = 0
        end = len(src)
        need = PRELUDE_LENGTH
        try:
            while end - pos >= PRELUDE_LENGTH:
                total, headers_length = _check_prelude(src, pos, self._base, self._max)
                if end - pos < total:
                    need = total
                    break
                message = _finish_message(src, pos, total, headers_length, self._base, self._cache)
                messages.append(message)
                if frames is not None:
                    frames.append(Frame(self._base + pos, total, headers_length, message))
                pos += total
        except EventStreamError as exc:
            self._error = exc
            if not messages:
                self._error_raised = True
                raise
        # Keep only the unparsed tail.  Deleting from a bytearray's front is
        # O(1) amortized in CPython (it moves a start index), and copying the
        # tail of a caller's piece is O(tail).
        if src is buf:
            del buf[:pos]
        else:
            self._buf = bytearray(memoryview(src)[pos:])
        self._base += pos
        self._need = need
        return messages

    def close(self) -> None:
        """Declare the end of the stream.

        Raises :class:`TruncatedStreamError` if bytes of an incomplete message
        are left (the error's ``offset`` is that message's start), or the
        pending error if ``feed`` deferred one.
        """
        if self._error is not None:
            self._raise_failure()
        held = len(self._buf)
        if held:
            if self._need > PRELUDE_LENGTH:
                expected = f"the {self._need}-byte message its prelude announces"
            else:
                expected = "a 12-byte prelude"
            error = TruncatedStreamError(
                f"stream ended after {held} bytes of a message; expected {expected}",
                self._base,
            )
            error.message_offset = self._base
            self._error = error
            self._error_raised = True
            raise error
