"""The incremental decoder: feed it bytes in pieces of any size, get messages.

:class:`Decoder` owns the buffering, the stream offsets and the failure
state; the format itself (the prelude check, the parse loop) is
:mod:`eventstream._format`, and the base class (compiled where it can be,
with the one decision every piece needs) is :mod:`eventstream._feedgate`.
Goal: cost O(bytes fed) whatever the piece sizes (one byte at a time or a
megabyte at a time), so a slow or hostile peer cannot make it quadratic,
and never keep more than one incomplete message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import EventStreamError, TruncatedStreamError
from ._feedgate import FeedGate, bind
from ._format import (
    DEFAULT_MAX_MESSAGE_SIZE,
    FLAT_FORMATS,
    MAX_UINT32,
    MIN_MESSAGE_LENGTH,
    PRELUDE_LENGTH,
    UINT32,
    Frame,
    HeaderCache,
    parse_messages,
    prelude_error,
)
from ._latch import Latch
from ._message import BytesLike, Message

__all__ = ["Decoder"]

# Up to this many bytes (buffered plus new), a piece that completes a
# buffered message is joined to it and parsed as one bytes object: copying a
# few KiB costs less than completing the buffered message on its own first.
_JOIN_MAX = 16 * 1024


def _not_bytes_like(data: object) -> TypeError:
    return TypeError(
        "feed() takes a bytes-like object (bytes, bytearray, memoryview or another "
        f"object with the buffer protocol), not {type(data).__name__}"
    )


class Decoder(FeedGate):
    """Incremental decoder: feed it bytes in pieces of any size, get messages.

    Like msgpack's ``Unpacker.feed()``, but each call returns what it
    completed::

        decoder = Decoder()
        for piece in pieces:
            for message in decoder.feed(piece):
                ...
        decoder.close()  # raises TruncatedStreamError if a message was cut

    ``max_message_size`` (an ``int``) caps a message's total length (default
    :data:`DEFAULT_MAX_MESSAGE_SIZE`, 32 MiB); it is checked as soon as a
    prelude's CRC holds, before any byte of the body is kept, so a forged
    length costs nothing.

    A piece is any bytes-like object: ``bytes``, ``bytearray``,
    ``memoryview``, or anything else with the buffer protocol (its buffer is
    read once per call).  Anything else raises :class:`TypeError`, as the
    caller's mistake and not the stream's.

    Errors: when ``feed`` finds a bad message after completing others in the
    same call, it returns those first and raises the error on the next
    ``feed()`` or ``close()``, so no good message is lost.  A decoder does not
    resume after an error: every later call raises :class:`DecoderFailedError`
    (``failed`` and ``error`` tell the state).  After a clean ``close()`` a
    ``feed()`` raises :class:`EventStreamError`: the stream was declared ended.
    """

    if TYPE_CHECKING:
        # feed() itself comes from the base chosen in _feedgate (compiled or
        # Python); declared here so the API reference shows it on Decoder.
        def feed(self, data: BytesLike) -> list[Message]:
            """Take the next piece of the stream; return the messages it completed.

            O(len(data)) amortized, whatever the piece sizes.
            """
            ...

    # _buf, _need and _latch are the base's slots (see _feedgate.py).
    __slots__ = ("_base", "_cache", "_max")

    def __init__(self, max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE) -> None:
        if not isinstance(max_message_size, int) or isinstance(max_message_size, bool):
            raise TypeError(
                f"max_message_size must be an int, not {type(max_message_size).__name__}"
            )
        if not MIN_MESSAGE_LENGTH <= max_message_size <= MAX_UINT32:
            raise ValueError(
                f"max_message_size must be in {MIN_MESSAGE_LENGTH}..{MAX_UINT32}, "
                f"got {max_message_size}"
            )
        self._max = int(max_message_size)
        # Bytes of an incomplete message.  Complete messages are parsed out of
        # the fed piece directly, and only an incomplete tail is kept, so a
        # big piece holding many messages is never kept as a whole.
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]
        # Bytes _buf must hold before parsing can make progress: 12 until a
        # prelude is checked, then that message's total length.  It makes a
        # one-byte feed O(1) while a large message fills up.
        self._need = PRELUDE_LENGTH
        self._cache: HeaderCache = {}
        self._latch: Latch | None = None

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
        latch = self._latch
        return latch is not None and latch.failed

    @property
    def error(self) -> EventStreamError | None:
        """The error that failed the decoder, if any (with no traceback)."""
        latch = self._latch
        return latch.error if latch is not None and latch.failed else None

    def feed_frames(self, data: BytesLike) -> list[Frame]:
        """Like :meth:`feed`, but each message comes with its offset and lengths."""
        frames: list[Frame] = []
        self._feed_any(data, frames)
        return frames

    def _feed_any(self, data: BytesLike, frames: list[Frame] | None) -> list[Message]:
        """Take any piece: one view (or one copy) of its buffer, then the decision.

        The buffer is read once, before any state is: a buffer export that
        runs code (even a feed() of its own) then cannot make two reads
        disagree or this call work on state it changed.
        """
        if type(data) is bytes or type(data) is bytearray:
            return self._take(data, frames)
        try:
            view = memoryview(data)
        except TypeError:
            raise _not_bytes_like(data) from None
        with view:
            if not view.c_contiguous:
                return self._take(view.tobytes(), frames)
            if view.ndim == 1 and view.format in FLAT_FORMATS:
                return self._take(view, frames)
            with view.cast("B") as flat:
                return self._take(flat, frames)

    def _take(
        self, src: bytes | bytearray | memoryview, frames: list[Frame] | None
    ) -> list[Message]:
        """The decision: a piece that leaves the buffered message incomplete is appended."""
        buf = self._buf
        if self._latch is None and len(buf) + len(src) < self._need:
            buf += src
            return []
        return self._feed_rest(src, frames)

    def _feed_rest(
        self, src: bytes | bytearray | memoryview, frames: list[Frame] | None
    ) -> list[Message]:
        """A piece that completes the buffered message (or one refused)."""
        latch = self._latch
        if latch is not None:
            latch.raise_error()
        buf = self._buf
        if not buf:
            return self._feed_piece(src, 0, [], frames)
        if len(buf) + len(src) <= _JOIN_MAX:
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
        stop, need, error = parse_messages(
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
                error = prelude_error(buf, 0, self._base, self._max)
                if error is not None:
                    return pos, error
                need = UINT32.unpack_from(buf, 0)[0]
        _, _, error = parse_messages(
            buf, 0, need, self._base, self._max, self._cache, messages, frames
        )
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
        latch = self._latch = Latch(error)
        with memoryview(src) as view:
            if held is None:
                self._base += stop - start
                self._buf = bytearray(view[stop:])
            else:
                held += view[stop:]
        if not messages:
            latch.raise_error()
        return messages

    def close(self) -> None:
        """Declare the end of the stream.

        Raises :class:`TruncatedStreamError` if bytes of an incomplete message
        are left (the error's ``offset`` is that message's start), or the
        pending error if ``feed`` deferred one.  Closing a closed decoder does
        nothing; feeding one raises :class:`EventStreamError`.
        """
        latch = self._latch
        if latch is not None:
            if latch.failed:
                latch.raise_error()
            return
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
            latch = self._latch = Latch(error)
            latch.raise_error()
        self._latch = Latch(
            EventStreamError(
                f"feed() after close(): the stream ended at byte offset {self._base}; "
                "a new stream needs a new Decoder"
            ),
            failed=False,
        )


# The base's feed() hands these the pieces it does not append itself.
bind(Decoder._feed_rest, Decoder._feed_any)
