"""The base class of :class:`~eventstream.Decoder`, compiled if it can be: chosen here, once.

Goal: a piece that leaves the buffered message incomplete (every piece but
the last of a message fed one byte at a time) should cost as little as the
platform allows: one decision, "buffered + new < need", then one append.
In Python that cannot cost less than a method call plus an append; the
optional compiled module ``eventstream._cfeed`` (``_cfeed.c``, built at
install when a C compiler is there) does that one case in C.  Either base
hands every other piece to the same two Python methods of the decoder, so
the answers, errors and state are the same whichever is in use
(``tests/core/test_feed_gate.py`` checks them call by call):

* ``_feed_rest(src, frames)``: ``src`` is bytes, a bytearray or a flat byte
  view, and the decision was "no" (the piece completes the buffered message,
  or the decoder refuses input);
* ``_feed_any(data, frames)``: anything else; it takes one view (or one
  copy) of ``data``'s buffer and makes the decision itself.

Both bases have the same three slots: ``_buf`` (the bytes of the incomplete
message), ``_need`` (the bytes ``_buf`` must hold before parsing can make
progress) and ``_latch`` (``None``, or the :class:`~eventstream._latch.Latch`
that refuses further input).

``FEED_GATE`` says which base is in use: ``"compiled"`` or ``"python"``.
``EVENTSTREAM_PURE_PYTHON=1``, set before the import, chooses the Python one
even where the module is built (to compare them, or to rule the C out).
"""

from __future__ import annotations

import os
import types
from typing import TYPE_CHECKING, Any, Callable

from ._latch import Latch
from ._message import BytesLike, Message

__all__ = ["FEED_GATE", "FeedGate", "PyFeedGate", "bind", "python_feed"]

FeedRest = Callable[[Any, Any, Any], "list[Message]"]


class PyFeedGate:
    """The pure-Python base: the three slots, and ``feed`` in Python."""

    __slots__ = ("_buf", "_latch", "_need")
    _buf: bytearray
    _need: int
    _latch: Latch | None

    def feed(self, data: BytesLike) -> list[Message]:
        """Take the next piece of the stream; return the messages it completed.

        O(len(data)) amortized, whatever the piece sizes.
        """
        if type(data) is bytes:
            # _feed_any's decision, here for bytes, which need no view.
            buf = self._buf
            if self._latch is None and len(buf) + len(data) < self._need:
                buf += data
                return []
            return self._feed_rest(data, None)
        return self._feed_any(data, None)

    # Provided by the decoder (see the module docstring).
    if TYPE_CHECKING:

        def _feed_rest(self, src: BytesLike, frames: Any) -> list[Message]: ...
        def _feed_any(self, data: BytesLike, frames: Any) -> list[Message]: ...


def python_feed(decoder: PyFeedGate) -> Callable[[BytesLike], list[Message]]:
    """The pure-Python ``feed`` bound to ``decoder``, whichever base it has.

    For comparing the two paths on one decoder (tests, benchmarks).
    """
    return types.MethodType(PyFeedGate.feed, decoder)


def _bind_python(feed_rest: FeedRest, feed_any: FeedRest) -> None:
    """The Python base calls the decoder's methods by name: nothing to bind."""


if TYPE_CHECKING:
    FeedGate = PyFeedGate
    FEED_GATE: str

    def bind(feed_rest: FeedRest, feed_any: FeedRest) -> None:
        """Hand the decoder's ``_feed_rest`` and ``_feed_any`` to the base in use."""

else:
    FeedGate, bind, FEED_GATE = PyFeedGate, _bind_python, "python"
    if os.environ.get("EVENTSTREAM_PURE_PYTHON", "") in ("", "0"):
        try:
            from ._cfeed import FeedGate as _CompiledFeedGate
            from ._cfeed import bind as _bind_compiled
        except ImportError:  # not built here: the pure-Python base serves
            pass
        else:
            FeedGate, bind, FEED_GATE = _CompiledFeedGate, _bind_compiled, "compiled"
