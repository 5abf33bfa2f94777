"""The incremental decoder: feed it bytes in pieces of any size, get messages.

:class:`Decoder` owns the buffering, the stream offsets and the failure
state; the format itself (the prelude check, the parse loop) is
:mod:`eventstream._format`.  Goal: cost O(bytes fed) whatever the piece sizes
(one byte at a time or a megabyte at a time), so a slow or hostile peer
cannot make it quadratic, and never keep more than one incomplete message.
"""

from __future__ import annotations

from ._errors import DecoderFailedError, EventStreamError, TruncatedStreamError
from ._feedgate import FeedGate, PyFeedGate
from ._format import (
    DEFAULT_MAX_MESSAGE_SIZE,
    MAX_UINT32,
    MIN_MESSAGE_LENGTH,
    PRELUDE_LENGTH,
    UINT32,
    Frame,
    HeaderCache,
    as_flat,
    parse_messages,
    prelude_error,
)
from ._message import BytesLike, Message

__all__ = ["Decoder"]

# Up to this many bytes (buffered plus new), a piece that completes a
# buffered message is joined to it and parsed as one bytes object: copying a
# few KiB costs less than completing the buffered message on its own first.
_JOIN_MAX = 16 * 1024


def _nbytes(data: BytesLike) -> int:
    """The size in bytes of a bytes-like object."""
    if type(data) is bytes:
        return len(data)
    with memoryview(data) as view:
        return view.nbytes


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
        self._cache: HeaderCache = {}
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
        src = as_flat(data)
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
