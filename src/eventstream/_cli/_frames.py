"""Messages out of a stream of blocks, with the bytes of bad stretches, and ``--resync``.

Goal: one reader for every command, as fast as the library's own incremental
decoder on good input, that can say exactly where a bad message is, keep its
bytes for ``inspect``, and with ``resync`` skip to the next real message
instead of stopping.

Good input goes through one :class:`eventstream.Decoder` (its header cache,
one parse per message): the reader frames the complete messages in its
window by their total lengths and feeds the decoder exactly those, so the
decoder never holds a copy of an incomplete message and every message's
bytes stay in the window for ``inspect``.  At the first message the decoder
rejects, the reader reads that message on its own with the codec's checks
(:func:`eventstream.decode`, in the same order) to get its bytes and the
exact verdict, and then stops, or resyncs (``_resync``) and starts a new
decoder after the skipped stretch.

Memory is bounded: the window holds at most one message (at most
``max_message_size`` bytes) plus one read block, also while scanning, so a
multi-gigabyte capture, or a forged length, cannot make it hold more.  A big
message is held once in the window and once as its parsed payload.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from typing import NamedTuple, Union

from .. import (
    Decoder,
    EventStreamError,
    Frame,
    InvalidHeaderError,
    TruncatedStreamError,
    decode,
)
from .._format import MIN_MESSAGE_LENGTH, PRELUDE, PRELUDE_LENGTH, prelude_error
from ._errors import StreamProblem
from ._resync import ResyncScanner

_UINT32 = struct.Struct(">I")

# Messages fed to the decoder as one bytes slice when the slice is at most
# this long (a copy, but the decoder reads bytes fastest); a longer run (a big
# message) is fed as a view of the window, so it is not copied again.
_COPY_MAX = 1024 * 1024


class BadStretch(NamedTuple):
    """Bytes ``start..end`` of the stream that are not a valid message.

    ``problem`` is the error found at ``start``; ``data`` holds the bad
    message's bytes as far as they were read (its prelude at least, when the
    stream has 12 bytes there; the whole claimed message when it is there).
    Without resync ``end`` is ``start + len(data)``: the rest was not looked at.
    """

    start: int
    end: int
    problem: StreamProblem
    data: bytes


class GoodMessage(NamedTuple):
    """A valid message, and its bytes (for ``inspect``; empty unless asked for)."""

    frame: Frame
    data: bytes | memoryview


Item = Union[GoodMessage, BadStretch]


class FrameReader:
    """The stream's messages (:class:`GoodMessage`) and bad stretches (:class:`BadStretch`).

    Read them with :meth:`batches` (a list per read block: what a command
    writes before it looks at the input again) or by iterating.  Without
    ``resync`` the first bad stretch is the last item.  ``keep_bytes``: hand
    each good message's bytes over too.  ``messages`` counts the messages
    handed out; ``peak_window`` is the most bytes ever held.
    """

    def __init__(
        self,
        blocks: Iterable[bytes],
        max_message_size: int,
        resync: bool,
        keep_bytes: bool = True,
    ) -> None:
        self._blocks = iter(blocks)
        self._max = max_message_size
        self._resync = resync
        self._keep_bytes = keep_bytes
        self._buf = b""  # the window: stream bytes from _base on
        self._more: list[bytes] = []  # blocks read but not yet joined to the window
        self._more_size = 0
        self._base = 0  # stream offset of _buf[0]
        self._eof = False
        self.messages = 0
        self.peak_window = 0

    # -- the window ----------------------------------------------------------

    def _held(self) -> int:
        return len(self._buf) + self._more_size

    def _fill(self, need: int) -> bool:
        """Hold at least ``need`` bytes in the window; False when the stream ends first.

        Blocks are collected and joined once, so a big message arriving in many
        blocks is copied once, not once per block.
        """
        while self._held() < need:
            if self._eof:
                break
            block = next(self._blocks, None)
            if block is None:
                self._eof = True
                break
            self._more.append(block)
            self._more_size += len(block)
        if self._more:
            self._buf = b"".join([self._buf, *self._more])
            self._more = []
            self._more_size = 0
            self.peak_window = max(self.peak_window, len(self._buf))
        return len(self._buf) >= need

    def _drop(self, count: int) -> None:
        self._buf = self._buf[count:]
        self._base += count

    # -- reading ---------------------------------------------------------------

    def __iter__(self) -> Iterator[Item]:
        for batch in self.batches():
            yield from batch

    def batches(self) -> Iterator[list[Item]]:
        """The items, a list at a time: the messages of each read block."""
        decoder = Decoder(self._max)
        decoder_base = 0  # stream offset of the decoder's first byte
        need = PRELUDE_LENGTH  # bytes the window must hold to make progress
        while True:
            if not self._fill(need) and not self._buf:
                return
            if len(self._buf) >= need:
                good, need, bad = self._parse_window(decoder, decoder_base)
                if good:
                    yield good
                if not bad:
                    continue
            # A bad message (or the stream's cut end) at the window's start.
            item = self._read_message()
            if isinstance(item, GoodMessage):  # only if the decoder and decode() disagree
                self.messages += 1
                yield [item]
                self._drop(item.frame.total_length)
            else:
                yield [item]
                if not self._resync:
                    return
            decoder = Decoder(self._max)
            decoder_base = self._base
            need = PRELUDE_LENGTH

    def _parse_window(self, decoder: Decoder, decoder_base: int) -> tuple[list[Item], int, bool]:
        """Decode the complete messages at the window's start; drop them.

        Returns the good items, the bytes the window must hold for the next
        message, and whether a bad message now starts the window.
        """
        buf = self._buf
        end = len(buf)
        stop = 0
        need = PRELUDE_LENGTH
        bad = False
        unpack = _UINT32.unpack_from
        # Frame by the total lengths; the decoder checks everything else.
        while end - stop >= PRELUDE_LENGTH:
            (total,) = unpack(buf, stop)
            if not MIN_MESSAGE_LENGTH <= total <= self._max:
                bad = True
                break
            if end - stop < total:
                need = total
                break
            stop += total
        items: list[Item] = []
        if stop:
            if stop == end:
                piece: bytes | memoryview = buf
            elif stop <= _COPY_MAX:
                piece = buf[:stop]
            else:
                piece = memoryview(buf)[:stop]
            try:
                frames = decoder.feed_frames(piece)
            except EventStreamError:
                frames = []
            shift = decoder_base
            keep = self._keep_bytes
            window_base = self._base
            view = memoryview(buf) if keep else None
            for frame in frames:
                if shift:
                    frame = frame._replace(offset=frame.offset + shift)
                if view is not None:
                    at = frame.offset - window_base
                    data: bytes | memoryview = view[at : at + frame.total_length]
                else:
                    data = b""
                items.append(GoodMessage(frame, data))
            self.messages += len(items)
            if decoder.failed:
                # The decoder stopped at a bad message: that is where the window starts now.
                self._drop(decoder_base + decoder.offset - self._base)
                return items, PRELUDE_LENGTH, True
            self._drop(stop)
        return items, need, bad

    def _read_message(self) -> Item:
        """Read the message at the window's start by itself; say what is wrong with it."""
        start = self._base
        result = self._check_message()
        if isinstance(result, GoodMessage):
            return result
        problem, data = result
        if not self._resync:
            return BadStretch(start, start + len(data), problem, bytes(data))
        if isinstance(problem.error, InvalidHeaderError):
            # Both CRCs hold: the message's extent is certain, skip exactly it.
            self._drop(len(data))
        else:
            self._scan()
        return BadStretch(start, self._base, problem, bytes(data))

    def _check_message(self) -> GoodMessage | tuple[StreamProblem, bytes]:
        """Decode the message at the window's start, or say what is wrong with it."""
        base = self._base
        if not self._fill(PRELUDE_LENGTH):
            held = len(self._buf)
            text = f"stream ended after {held} bytes of a message; expected a 12-byte prelude"
            return self._truncated(text), self._buf
        prelude = self._buf[:PRELUDE_LENGTH]
        # The codec's own prelude checks, in its order: CRC, lengths, the cap.
        error = prelude_error(prelude, 0, 0, self._max)
        if error is not None:
            return StreamProblem(error, base), prelude
        total, headers_length, _ = PRELUDE.unpack(prelude)
        if not self._fill(total):
            held = len(self._buf)
            return self._truncated(
                f"stream ended after {held} bytes of a message; expected the {total}-byte "
                "message its prelude announces"
            ), self._buf
        data = self._buf[:total]
        try:
            message = decode(data)
        except EventStreamError as exc:
            return StreamProblem(exc, base), data
        return GoodMessage(Frame(base, total, headers_length, message), data)

    def _truncated(self, text: str) -> StreamProblem:
        return StreamProblem(TruncatedStreamError(text, 0), self._base)

    def _scan(self) -> None:
        """Drop bytes up to the next offset where a valid message starts, or to the end."""
        scanner = ResyncScanner(self._max)
        self._drop(1)
        while True:
            found = scanner.scan(self._buf, self._base, self._eof)
            if found is not None:
                self._drop(found - self._base)
                return
            keep = scanner.keep_from - self._base
            self._drop(keep)
            if self._eof:
                self._drop(len(self._buf))
                return
            # Read on: one more block (the window stays bounded by the scanner's keep_from).
            self._fill(len(self._buf) + 1)


def skip_note(stretch: BadStretch) -> str:
    """The stderr line that reports a stretch ``--resync`` skipped."""
    size = stretch.end - stretch.start
    return (
        f"eventstream: skipped {size} bytes [{stretch.start}, {stretch.end}): "
        f"{stretch.problem.detail}"
    )
