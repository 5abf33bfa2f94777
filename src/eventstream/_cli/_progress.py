"""The progress bar on stderr, and notes printed under it.

Goal: on a terminal, a long run shows how far it is (input bytes of the
total when the input is a regular file, and messages done) without
slowing the run down or garbling other output.  The bar appears only when
stderr is a terminal (``--progress auto``, the default) and the input is
long: a regular file of at least :data:`LONG_INPUT` bytes, or a run that
has taken :data:`LONG_RUN` seconds; not when stdout is a terminal as well.
It is redrawn at most every :data:`REDRAW` seconds, fitted to the
terminal's width (rate and time left are dropped before the bar gets too
short), erased before any other line goes to stderr, and replaced at the end
by a one-line summary (messages, bytes, time, rates).
"""

from __future__ import annotations

import io
import os
import sys
import time
from typing import TextIO

from ._terminal import lines as terminal_lines

PROGRESS_MODES = ("auto", "always", "never")

LONG_INPUT = 8 * 1024 * 1024
LONG_RUN = 1.0
REDRAW = 0.1
#: The bar's width in characters, within the terminal's width.
MIN_BAR = 10
MAX_BAR = 30
#: Rate and time left are shown once the run has lasted this long (seconds).
MIN_RATE_TIME = 0.5


def _size(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


def _duration(seconds: float, exact: bool = False) -> str:
    """``0.4 s`` (exact, under a minute), ``1:05``, ``2:03:09``."""
    if exact and seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds + 0.5)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _isatty(stream: object) -> bool:
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError):  # no such method, or a closed stream
        return False


class Progress:
    """Tracks input bytes and messages; draws the bar when it should."""

    def __init__(self, mode: str, total: int | None, stream: TextIO | None = None) -> None:
        self._stream = sys.stderr if stream is None else stream
        self._total = total
        if mode == "always":
            self._enabled = True
        elif mode == "never":
            self._enabled = False
        else:
            # On a terminal, and not when the output goes to that terminal too
            # (the bar would garble it, and the output shows progress itself).
            self._enabled = _isatty(self._stream) and not _isatty(sys.stdout)
        self._start = time.monotonic()
        self._long = mode == "always" or (total is not None and total >= LONG_INPUT)
        self._next_draw = self._start
        self._shown = False
        self._line = ""

    def update(self, done: int, messages: int) -> None:
        """Record progress; redraw when enabled, long enough, and due."""
        if not self._enabled:
            return
        now = time.monotonic()
        if now < self._next_draw:
            return
        self._next_draw = now + REDRAW
        if not self._long:
            if now - self._start < LONG_RUN:
                return
            self._long = True
        self._draw(self._render(done, messages, now))

    def _width(self) -> int:
        """The terminal's columns, less one (a line that fills the last column wraps)."""
        try:
            columns = int(os.environ.get("COLUMNS", ""))
        except ValueError:
            try:
                columns = os.get_terminal_size(self._stream.fileno()).columns
            except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
                columns = 80
        return max(columns - 1, 20)

    def _render(self, done: int, messages: int, now: float) -> str:
        """The bar's line, fitted to the terminal: the least useful parts go first."""
        count = f"{messages:,} message{'s' if messages != 1 else ''}"
        elapsed = now - self._start
        rate = done / elapsed if elapsed >= MIN_RATE_TIME else None
        extras = []  # the most useful first: the last one goes first when room is short
        if self._total:
            fraction = min(done / self._total, 1.0)
            if rate and done < self._total:
                extras.append(f"{_duration((self._total - done) / rate)} left")
            if rate is not None:
                extras.append(f"{_size(rate)}/s")
            text = f"{fraction:4.0%}  {_size(done)} / {_size(self._total)}  {count}"
        else:
            fraction = None
            text = f"{_size(done)} read  {count}"
            if rate is not None:
                extras.append(f"{_size(rate)}/s")
        width = self._width()
        while extras and len(text) + sum(len(e) + 2 for e in extras) > width - MIN_BAR - 3:
            extras.pop()
        line = "  ".join([text, *extras])
        if fraction is not None:
            bar_width = min(MAX_BAR, width - len(line) - 3)
            if bar_width >= MIN_BAR:
                filled = int(fraction * bar_width)
                line = "[" + "#" * filled + "-" * (bar_width - filled) + "] " + line
        return line[:width]

    def _draw(self, line: str) -> None:
        pad = " " * max(0, len(self._line) - len(line))
        self._stream.write("\r" + line + pad)
        self._stream.flush()
        self._line = line
        self._shown = True

    def finish(self, done: int, messages: int) -> None:
        """Erase the bar, if it was up, and leave a one-line summary in its place."""
        if not (self._shown or (self._enabled and self._long)):
            return
        self.clear()
        elapsed = max(time.monotonic() - self._start, 1e-6)
        count = f"{messages:,} message{'s' if messages != 1 else ''}"
        self._stream.write(
            f"eventstream: {count}, {_size(done)} in {_duration(elapsed, exact=True)} "
            f"({_size(done / elapsed)}/s, {messages / elapsed:,.0f} messages/s)\n"
        )
        self._stream.flush()

    def clear(self) -> None:
        """Erase the bar (before other output on stderr, and at the end)."""
        if self._shown:
            self._stream.write("\r" + " " * len(self._line) + "\r")
            self._stream.flush()
            self._shown = False
            self._line = ""
            self._next_draw = 0.0  # redraw at the next update

    def note(self, text: str) -> None:
        """Print a line on stderr, under the bar."""
        self.clear()
        self._stream.write(terminal_lines(text) + "\n")
        self._stream.flush()
