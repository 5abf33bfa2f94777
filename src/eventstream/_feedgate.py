"""The base class of :class:`~eventstream.Decoder`: compiled if it can be.

Goal: a piece that leaves the buffered message incomplete (every piece but
the last of a message fed one byte at a time) should cost as little as the
platform allows.  In Python that is a method call plus an append: about
140 ns a piece on this project's machines (CPython 3.12), where botocore
spends about 1.3 us a byte on a 64 KiB message, so 9 to 10 times less and no
better.  The optional compiled module ``eventstream._cfeed`` (``_cfeed.c``,
built at install when a C compiler is there) does that one case in C, about
57 ns a piece with the caller's loop, and hands every other case to the
Python ``Decoder._feed_py``, so the answers are the same either way.

``FEED_GATE`` says which is in use: ``"compiled"`` or ``"python"``.  Set
``EVENTSTREAM_PURE_PYTHON=1`` before the import to use the Python one even
when the module is built (for comparison, or to rule it out).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

__all__ = ["FEED_GATE", "FeedGate", "PyFeedGate"]


class PyFeedGate:
    """The pure-Python base: the same two slots, and no ``feed`` of its own."""

    __slots__ = ("_buf", "_need")
    _buf: bytearray
    _need: int


if TYPE_CHECKING:
    FeedGate = PyFeedGate
    FEED_GATE: str
else:
    FeedGate = PyFeedGate
    FEED_GATE = "python"
    if os.environ.get("EVENTSTREAM_PURE_PYTHON", "") in ("", "0"):
        try:
            from ._cfeed import FeedGate
        except ImportError:  # not built here: the pure-Python base serves
            pass
        else:
            FEED_GATE = "compiled"
