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
from ._feedgate import FeedGate, PyFeedGate
from ._headers import Headers, decode_header_block
from ._message import BytesLike, Message, _new_object, _set_headers, _set_payload

#: Default cap on one message's total length: 32 MiB.  The largest message a
#: service may send today is a 24 MiB payload plus 128 KiB of headers (Smithy
#: event stream spec, "Limits"), which this clears with room to spare; the
#: spec also says clients must not enforce those service limits, so the cap
#: exists only to bound the memory one forged length claim can make us hold,
#: and can be raised up to 2**32 - 1 (what the uint32 length field can say).
DEFAULT_MAX_MESSAGE_SIZE = 32 * 1024 * 1024

_PRELUDE = struct.Struct(">III")
_UINT32 = struct.Struct(">I")
_NO_HEADERS = Headers._trusted({})  # a placeholder, never handed out

# Up to this many bytes (buffered plus new), a piece that completes a
# buffered message is joined to it and parsed as one bytes object: copying a
# few KiB costs less than completing the buffered message on its own first.
_JOIN_MAX = 16 * 1024

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


def _prelude_error(src: BytesLike, pos: int, base: int, max_size: int) -> EventStreamError | None:
    """What is wrong with the 12-byte prelude at ``pos``, if anything.

    The CRC is checked first: on a corrupt stream a length is noise, and a
    checksum error says so more truly than "length too large".
    """
    total, headers_length, stated = _PRELUDE.unpack_from(src, pos)
    with memoryview(src) as view:
        computed = crc32(view[pos : pos + 8])
    if computed != stated:
        return _at(PreludeChecksumError(computed, stated, base + pos + 8), base + pos)
    if total < MIN_MESSAGE_LENGTH:
        return _at(
            InvalidLengthError(
                f"total length {total} is below the 16-byte minimum (prelude and message CRC)",
                base + pos,
            ),
            base + pos,
        )
    if headers_length > total - MIN_MESSAGE_LENGTH:
        return _at(
            InvalidLengthError(
                f"headers length {headers_length} runs past the end of a {total}-byte message "
                f"(at most {total - MIN_MESSAGE_LENGTH})",
                base + pos + 4,
            ),
            base + pos,
        )
    if total > max_size:
        return _at(MessageTooLargeError(total, max_size, base + pos), base + pos)
    return None


def _check_prelude(src: BytesLike, pos: int, base: int, max_size: int) -> int:
    """Validate the 12-byte prelude at ``pos``; return the message's total length."""
    error = _prelude_error(src, pos, base, max_size)
    if error is not None:
        raise error
    total: int = _UINT32.unpack_from(src, pos)[0]
    return total


def _nbytes(data: BytesLike) -> int:
    """The size in bytes of a bytes-like object."""
    if type(data) is bytes:
        return len(data)
    with memoryview(data) as view:
        return view.nbytes


def _at(error: EventStreamError, message_offset: int) -> EventStreamError:
    error.message_offset = message_offset
    return error


def _parse(
    src: bytes | bytearray | memoryview,
    pos: int,
    end: int,
    base: int,
    max_size: int,
    cache: dict[bytes, Headers],
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
    order are those of :func:`_prelude_error`, which a failing prelude is
    handed to for its exact error, then the message CRC, then the headers.
    """
    # Slices of bytes are bytes; others are copied out through the view.
    flat = src if type(src) is bytes else None
    unpack_prelude = _PRELUDE.unpack_from
    unpack_crc = _UINT32.unpack_from
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
                    error = _prelude_error(src, pos, base, max_size)
                    assert error is not None  # the test above is exactly its checks
                    raise error
                if end - pos < total:
                    need = total
                    break
                crc_pos = pos + total - 4
                crc = crc32(view[pos + 8 : crc_pos], crc)
                (stated,) = unpack_crc(src, crc_pos)
                if crc != stated:
                    raise _at(MessageChecksumError(crc, stated, base + crc_pos), base + pos)
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


def _decode_headers(
    block: bytes, offset: int, message_offset: int, cache: dict[bytes, Headers]
) -> Headers:
    """Decode a header block not in ``cache``, and remember it if it is small."""
    try:
        headers = decode_header_block(block, offset)
    except EventStreamError as exc:
        raise _at(exc, message_offset) from None
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
    src = _as_bytes_view(data)
    size = len(src)
    if size < PRELUDE_LENGTH:
        raise TruncatedStreamError(f"expected at least a 12-byte prelude, got {size} bytes", size)
    total = _check_prelude(src, 0, 0, MAX_UINT32)
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
    _, _, error = _parse(src, 0, total, 0, MAX_UINT32, {}, messages, None)
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


class Decoder(FeedGate):
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

    # _buf and _need are the base's slots: FeedGate is compiled where it can
    # be (_cfeed.c) and its feed() reads them (_feedgate.py says more).
    __slots__ = ("_base", "_cache", "_error", "_error_raised", "_max")

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        if not MIN_MESSAGE_LENGTH <= max_message_size <= MAX_UINT32:
            raise ValueError(
                f"max_message_size must be in {MIN_MESSAGE_LENGTH}..{MAX_UINT32}, "
                f"got {max_message_size}"
            )
        self._max = max_message_size
        # Bytes of an incomplete message.  Complete messages are parsed out of
        # the fed piece directly, and only an incomplete tail is kept, so a
        # big piece holding many messages is never kept as a whole (feed()
        # appends a piece to a buffered message first, and takes back at once
        # what it need not keep).
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

    def _feed_py(self, data: BytesLike) -> list[Message]:
        """Take the next piece of the stream; return the messages it completed.

        O(len(data)) amortized, whatever the piece sizes.
        """
        # This is feed() where FeedGate is the Python one; the compiled
        # FeedGate.feed does the first branch below in C and calls this for
        # everything else, so this stays the whole behaviour either way.
        buf = self._buf
        if buf:
            # Fast path while a message is buffered: append first, as a piece
            # that leaves the message incomplete (a 1-byte feed into a large
            # message) needs nothing more.  A failed decoder has _need 0, so
            # it never returns here; its append is taken back below.
            try:
                buf += data
            except (TypeError, BufferError):  # not a flat buffer: _feed copes or says why
                return self._feed(data, None)
            if len(buf) < self._need:
                return []
            size = len(buf)
            if size <= _JOIN_MAX and self._error is None:
                return self._feed_joined(None)
            del buf[size - _nbytes(data) :]  # large, or failed: taken back, see _feed
        return self._feed(data, None)

    if FeedGate is PyFeedGate:
        feed = _feed_py

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
        if not buf:
            return self._feed_piece(src, 0, [], frames)
        size = len(buf) + len(src)
        if size < self._need:  # the buffered message is still incomplete
            buf += src
            return []
        if size <= _JOIN_MAX:
            buf += src
            return self._feed_joined(frames)
        # Large: complete the buffered message with just the bytes of src it
        # lacks, then parse the rest straight out of src, so a large piece
        # is copied only as far as a message spans pieces.
        messages: list[Message] = []
        pos, error = self._complete_buffered(src, messages, frames)
        if error is not None:
            return self._fail(error, messages, buf, src, pos, 0)
        if buf:  # src ended before the buffered message did
            return messages
        return self._feed_piece(src, pos, messages, frames)

    def _feed_joined(self, frames: list[Frame] | None) -> list[Message]:
        """Parse the buffer, now the buffered bytes and the new piece, as one piece.

        Only for a few KiB in all: one copy to bytes then costs less than
        completing the buffered message separately, and bytes slice faster.
        """
        buf = self._buf
        src = bytes(buf)
        del buf[:]
        return self._feed_piece(src, 0, [], frames)

    def _feed_piece(
        self,
        src: bytes | bytearray | memoryview,
        pos: int,
        messages: list[Message],
        frames: list[Frame] | None,
    ) -> list[Message]:
        """Parse ``src[pos:]`` (at stream offset ``self._base``); keep its incomplete tail."""
        end = len(src)
        stop, need, error = _parse(
            src, pos, end, self._base - pos, self._max, self._cache, messages, frames
        )
        if error is not None:
            return self._fail(error, messages, None, src, stop, pos)
        if stop < end:
            with memoryview(src) as view:
                self._buf = bytearray(view[stop:])
        self._base += stop - pos
        self._need = need
        return messages

    def _complete_buffered(
        self,
        src: bytes | bytearray | memoryview,
        messages: list[Message],
        frames: list[Frame] | None,
    ) -> tuple[int, EventStreamError | None]:
        """Move bytes from the front of ``src`` into the buffer until it holds a whole message.

        Returns how many bytes of ``src`` were taken, and the error if the
        message is bad.  If ``src`` ends first, all of it is buffered.  Once
        whole, the message is parsed into ``messages`` and the buffer emptied.
        """
        buf = self._buf
        need = self._need
        pos = 0
        end = len(src)
        with memoryview(src) as view:
            while True:
                take = need - len(buf)
                if take > end - pos:
                    buf += view[pos:]
                    self._need = need
                    return end, None
                buf += view[pos : pos + take]
                pos += take
                if need > PRELUDE_LENGTH:
                    break
                error = _prelude_error(buf, 0, self._base, self._max)
                if error is not None:
                    return pos, error
                need = _UINT32.unpack_from(buf, 0)[0]
        _, _, error = _parse(buf, 0, need, self._base, self._max, self._cache, messages, frames)
        if error is not None:
            return pos, error
        self._base += need
        self._need = PRELUDE_LENGTH
        del buf[:]
        return pos, None

    def _fail(
        self,
        error: EventStreamError,
        messages: list[Message],
        held: bytearray | None,
        src: bytes | bytearray | memoryview,
        stop: int,
        start: int,
    ) -> list[Message]:
        """Fail the decoder; raise now, or return ``messages`` and raise on the next call.

        What is kept is what an unparsed piece would leave: the bytes from the
        bad message's start (``held``, then ``src[stop:]``), so ``offset`` and
        ``buffered`` say where it is and how much came after it.
        """
        self._error = error
        self._need = 0  # keeps feed()'s fast path out
        with memoryview(src) as view:
            if held is None:
                self._base += stop - start
                self._buf = bytearray(view[stop:])
            else:
                held += view[stop:]
        if not messages:
            self._error_raised = True
            raise error
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
            self._need = 0  # keeps feed()'s fast path out
            self._error_raised = True
            raise error
