"""``--resync``'s scan for the next valid message, in time linear in the bytes scanned.

The next message after a bad one is the first offset ``p`` where a prelude's
CRC holds, its lengths are possible, and the message CRC at the end of the
length it announces holds too.  Random bytes pass both CRCs with
probability 2**-64 per offset.

Worst case: checking each candidate's message CRC from its start costs its
claimed length, so input crafted with a valid prelude every few bytes, each
claiming a large message, would cost (bytes scanned) x (claimed length).  So
no byte is checksummed twice: one running CRC of the scanned bytes is kept,
its value is noted at each candidate's start and at each candidate's CRC
field, and the CRC of the span between is got from the two by CRC-32's
linearity, ``crc(A+B) = shift(crc(A), len(B)) ^ crc(B)`` (zlib's
``crc32_combine``), where ``shift`` (the CRC register run over ``len(B)``
zero bytes) takes at most 32 table steps, tables built once, on first use.
"""

from __future__ import annotations

import heapq
import re
from collections import deque

from .._crc import crc32
from .._format import PRELUDE_LENGTH, UINT32, prelude_total

_MASK = 0xFFFF_FFFF

# _SHIFT_TABLES[k]: the register run over 2**k zero bytes, as four 256-entry
# tables, one per byte of the register (the run is linear over GF(2)).
_SHIFT_TABLES: list[list[int]] = []


def _one_zero_byte(value: int) -> int:
    # The raw register (no pre/post inversion) run over one zero byte.
    return ~crc32(b"\x00", ~value & _MASK) & _MASK


def _apply(table: list[int], value: int) -> int:
    return (
        table[value & 0xFF]
        ^ table[256 + ((value >> 8) & 0xFF)]
        ^ table[512 + ((value >> 16) & 0xFF)]
        ^ table[768 + (value >> 24)]
    )


def _tables(level: int) -> list[int]:
    while len(_SHIFT_TABLES) <= level:
        if not _SHIFT_TABLES:
            table = [_one_zero_byte(b << (8 * j)) for j in range(4) for b in range(256)]
        else:
            half = _SHIFT_TABLES[-1]
            table = [_apply(half, entry) for entry in half]
        _SHIFT_TABLES.append(table)
    return _SHIFT_TABLES[level]


def crc32_shift(value: int, count: int) -> int:
    """The CRC-32 register ``value`` run over ``count`` zero bytes."""
    if count.bit_length() > len(_SHIFT_TABLES):
        _tables(count.bit_length() - 1)
    level = 0
    while count:
        if count & 1:
            t = _SHIFT_TABLES[level]
            value = (
                t[value & 0xFF]
                ^ t[256 + ((value >> 8) & 0xFF)]
                ^ t[512 + ((value >> 16) & 0xFF)]
                ^ t[768 + (value >> 24)]
            )
        count >>= 1
        level += 1
    return value


def span_crc32(crc_before: int, crc_after: int, length: int) -> int:
    """The CRC-32 of a span of ``length`` bytes, from the running CRC before and after it."""
    return crc_after ^ crc32_shift(crc_before, length)


class ResyncScanner:
    """Finds the first offset, from where it is started, at which a valid message starts.

    Fed the reader's window again and again (``scan``), in stream offsets: it
    returns that offset, or None when it needs more bytes, and then the reader
    may drop everything before ``keep_from``.  The window it needs is at most
    one message (``max_message_size``) plus what the reader adds at a time: a
    candidate is settled as soon as the window holds its claimed length.
    """

    def __init__(self, max_message_size: int) -> None:
        self._max = max_message_size
        # The first byte of a big-endian total length is at most the cap's.
        self._lead = re.compile(b"[\\x00-" + re.escape(bytes([max_message_size >> 24])) + b"]")
        self._pos = -1  # next offset to look at for a prelude (set on the first scan)
        self._crc = 0  # running CRC of the stream from _pos's first value ...
        self._crc_pos = -1  # ... up to here
        self._pending: deque[int] = deque()  # candidates' starts, not yet known bad
        self._crc_before: dict[int, int] = {}  # start -> the running CRC there
        self._by_end: list[tuple[int, int]] = []  # heap of (CRC field offset, start)
        self._verdicts: dict[int, bool] = {}  # start -> its message CRC holds
        # No more candidates are looked for once one holds (those after it
        # cannot come first) or the stream has no more preludes.
        self._looking = True

    @property
    def keep_from(self) -> int:
        """The first stream offset the scan still needs."""
        return self._pending[0] if self._pending else self._pos

    def scan(self, buf: bytes, base: int, eof: bool) -> int | None:
        """Look on through ``buf`` (stream bytes from ``base``); the message's offset, or None."""
        if self._pos < 0:
            self._pos = self._crc_pos = base
        end = base + len(buf)
        with memoryview(buf) as view:
            while True:
                self._check_ends(view, base, self._reach(end))
                found = self._settle()
                if found is not None:
                    return found
                if not self._looking:
                    if not self._pending:
                        return None
                    if not eof:
                        break
                    # The stream ends before these candidates' CRC fields:
                    # they are not messages.
                    for _, start in self._by_end:
                        self._verdicts[start] = False
                    self._by_end.clear()
                    continue
                if not self._discover(buf, view, base):
                    if not eof:
                        # Every offset with a whole prelude in the window is looked
                        # at: check the candidates whose CRC field is in the window's
                        # last bytes too, so that none waits for the next block.
                        self._check_ends(view, base, end - 4)
                        return self._settle()
                    self._looking = False
        return None

    def _advance(self, view: memoryview, base: int, to: int) -> None:
        if to > self._crc_pos:
            self._crc = crc32(view[self._crc_pos - base : to - base], self._crc)
            self._crc_pos = to

    def _reach(self, end: int) -> int:
        # The running CRC may not pass an offset not yet looked at, whose value
        # a candidate found there would need.
        return min(self._pos, end - 4) if self._looking else end - 4

    def _check_ends(self, view: memoryview, base: int, reach: int) -> None:
        """Check the candidates whose CRC field is at or before ``reach``."""
        heap = self._by_end
        ahead_pos = ahead_crc = -1
        while heap and heap[0][0] <= reach:
            crc_at, start = heapq.heappop(heap)
            if self._looking and crc_at > self._pos:
                # Past the offsets looked at for preludes (at most the window's
                # last PRELUDE_LENGTH - 5 bytes): the running CRC may not move
                # there, so a copy of it does; the heap gives the ends in order.
                if ahead_pos < 0:
                    self._advance(view, base, self._pos)
                    ahead_pos, ahead_crc = self._pos, self._crc
                ahead_crc = crc32(view[ahead_pos - base : crc_at - base], ahead_crc)
                ahead_pos = crc_at
                crc_after = ahead_crc
            else:
                self._advance(view, base, crc_at)
                crc_after = self._crc
            (stated,) = UINT32.unpack_from(view, crc_at - base)
            computed = span_crc32(self._crc_before.pop(start), crc_after, crc_at - start)
            self._verdicts[start] = computed == stated
            if computed == stated:
                self._looking = False

    def _settle(self) -> int | None:
        """Drop the first candidates known bad; the first if it is known good."""
        pending = self._pending
        while pending:
            verdict = self._verdicts.pop(pending[0], None)
            if verdict is None:
                return None
            start = pending.popleft()
            if verdict:
                return start
        return None

    def _discover(self, buf: bytes, view: memoryview, base: int) -> bool:
        """Look for the next candidate; False when the window has no more preludes."""
        pos = self._pos - base
        limit = len(buf) - PRELUDE_LENGTH
        while pos <= limit:
            # Jump to the next byte that can begin a total length under the cap
            # (a regex search runs at C speed over garbage).
            match = self._lead.search(buf, pos)
            if match is None or match.start() > limit:
                pos = limit + 1
                break
            pos = match.start()
            total = prelude_total(buf, pos, self._max)
            if total:
                start = base + pos
                self._check_ends(view, base, start)
                self._advance(view, base, start)
                self._pending.append(start)
                self._crc_before[start] = self._crc
                heapq.heappush(self._by_end, (start + total - 4, start))
                self._pos = start + 1
                return True
            pos += 1
        self._pos = base + pos
        return False
