"""Messages out of a stream of blocks, with the bytes of bad stretches, and ``--resync``.

Goal: one reader for every command, that can say exactly where a bad message
is, keep its bytes for ``inspect``, and with ``resync`` skip to the next real
message instead of stopping.  Each message is checked by the codec's own
:func:`eventstream.decode` (prelude CRC, lengths, message CRC, headers, in
that order), so the verdicts are the library's.

Memory is bounded: the window holds at most one message (at most
``max_message_size`` bytes) plus one read block, also while scanning, so a
multi-gigabyte capture, or a forged length, cannot make it hold more.

Resync: after a bad message at offset ``s``, the next message is the first
offset ``p > s`` where a prelude's CRC holds, its lengths are possible, and
the message CRC at the end of the length it announces holds too.  Random
bytes pass both CRCs with probability 2**-64 per offset.  A message whose
CRCs hold but whose headers are malformed is skipped as a whole: its extent
is certain.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple, Union

from .. import (
    EventStreamError,
    Frame,
    InvalidHeaderError,
    TruncatedStreamError,
    decode,
)
from .._crc import crc32
from .._format import PRELUDE, PRELUDE_LENGTH, UINT32, prelude_error, prelude_total
from ._errors import StreamProblem


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
    """A valid message, and its bytes (for ``inspect``)."""

    frame: Frame
    data: bytes


Item = Union[GoodMessage, BadStretch]


class FrameReader:
    """Iterate a stream's messages (:class:`GoodMessage`) and bad stretches (:class:`BadStretch`).

    Without ``resync`` the first bad stretch is the last item.  ``messages``
    counts the frames handed out; ``peak_window`` is the most bytes ever held.
    """

    def __init__(self, blocks: Iterable[bytes], max_message_size: int, resync: bool) -> None:
        self._blocks = iter(blocks)
        self._max = max_message_size
        self._resync = resync
        self._buf = bytearray()
        self._base = 0  # stream offset of _buf[0]
        self._eof = False
        # The first byte of a big-endian total length is at most the cap's.
        self._lead = re.compile(b"[\\x00-" + re.escape(bytes([max_message_size >> 24])) + b"]")
        self.messages = 0
        self.peak_window = 0

    def _fill(self, need: int) -> bool:
        """Hold at least ``need`` bytes; False when the stream ends first."""
        while len(self._buf) < need:
            if self._eof:
                return False
            block = next(self._blocks, None)
            if block is None:
                self._eof = True
                return False
            self._buf += block
            self.peak_window = max(self.peak_window, len(self._buf))
        return True

    def _drop(self, count: int) -> None:
        del self._buf[:count]
        self._base += count

    def __iter__(self) -> Iterator[Item]:
        while self._fill(1):
            start = self._base
            result = self._read_message()
            if isinstance(result, GoodMessage):
                self.messages += 1
                yield result
                self._drop(result.frame.total_length)
                continue
            problem, data = result
            if not self._resync:
                yield BadStretch(start, start + len(data), problem, data)
                return
            if isinstance(problem.error, InvalidHeaderError):
                # Both CRCs hold: the message's extent is certain, skip exactly it.
                self._drop(len(data))
            else:
                self._scan()
            yield BadStretch(start, self._base, problem, data)

    def _read_message(self) -> GoodMessage | tuple[StreamProblem, bytes]:
        """Decode the message at the window's start, or say what is wrong with it."""
        base = self._base
        if not self._fill(PRELUDE_LENGTH):
            held = len(self._buf)
            text = f"stream ended after {held} bytes of a message; expected a 12-byte prelude"
            return self._truncated(text), bytes(self._buf)
        prelude = bytes(self._buf[:PRELUDE_LENGTH])
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
            ), bytes(self._buf)
        data = bytes(self._buf[:total])
        try:
            message = decode(data)
        except EventStreamError as exc:
            return StreamProblem(exc, base), data
        return GoodMessage(Frame(base, total, headers_length, message), data)

    def _truncated(self, text: str) -> StreamProblem:
        return StreamProblem(TruncatedStreamError(text, 0), self._base)

    def _candidate_at(self, pos: int) -> int:
        """The total length announced at ``pos`` if its prelude holds there, else 0."""
        return prelude_total(self._buf, pos, self._max)

    def _scan(self) -> None:
        """Drop bytes up to the next offset where a valid message starts, or to the end."""
        pos = 1
        while True:
            # Jump to the next byte that can begin a total length under the cap
            # (a regex search runs at C speed over garbage).
            found = self._lead.search(self._buf, pos)
            pos = found.start() if found is not None else len(self._buf)
            if len(self._buf) - pos < PRELUDE_LENGTH:
                # Keep the window bounded: what is behind ``pos`` is skipped for good.
                self._drop(pos)
                pos = 0
                if not self._fill(PRELUDE_LENGTH):
                    self._drop(len(self._buf))
                    return
                continue
            total = self._candidate_at(pos)
            if total:
                if len(self._buf) - pos < total:
                    self._drop(pos)
                    pos = 0
                    self._fill(total)
                if len(self._buf) - pos >= total:
                    crc_at = pos + total - 4
                    (stated,) = UINT32.unpack_from(self._buf, crc_at)
                    with memoryview(self._buf) as view:
                        computed = crc32(view[pos:crc_at])
                    if computed == stated:
                        self._drop(pos)
                        return
            pos += 1


def skip_note(stretch: BadStretch) -> str:
    """The stderr line that reports a stretch ``--resync`` skipped."""
    size = stretch.end - stretch.start
    return f"eventstream: skipped {size} bytes [{stretch.start}, {stretch.end}): {stretch.problem}"
