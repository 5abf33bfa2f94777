"""The progress bar on stderr, and notes printed under it.

Goal: on a terminal, a long run shows how far it is (input bytes of the
total when the input is a regular file, and messages done) without
slowing the run down or garbling other output.  The bar appears only when
stderr is a terminal (``--progress auto``, the default) and the input is
long: a regular file of at least :data:`LONG_INPUT` bytes, or a run that
has taken :data:`LONG_RUN` seconds; not when stdout is a terminal as well.
It is redrawn at most every :data:`REDRAW` seconds, erased before any other
line goes to stderr, and erased at the end.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ._terminal import lines as terminal_lines

PROGRESS_MODES = ("auto", "always", "never")

LONG_INPUT = 8 * 1024 * 1024
LONG_RUN = 1.0
REDRAW = 0.1
_WIDTH = 24


def _size(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if count < 1024 or unit == "GiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")


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
        self._draw(self._render(done, messages))

    def _render(self, done: int, messages: int) -> str:
        count = f"{messages:,} message{'s' if messages != 1 else ''}"
        if self._total:
            fraction = min(done / self._total, 1.0)
            filled = int(fraction * _WIDTH)
            bar = "#" * filled + "-" * (_WIDTH - filled)
            return f"[{bar}] {fraction:4.0%}  {_size(done)} / {_size(self._total)}  {count}"
        return f"{_size(done)} read  {count}"

    def _draw(self, line: str) -> None:
        pad = " " * max(0, len(self._line) - len(line))
        self._stream.write("\r" + line + pad)
        self._stream.flush()
        self._line = line
        self._shown = True

    def finish(self, done: int, messages: int) -> None:
        """Show the final count once (if the bar is up), then erase the bar."""
        if self._shown or (self._enabled and self._long):
            self._draw(self._render(done, messages))
        self.clear()

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
