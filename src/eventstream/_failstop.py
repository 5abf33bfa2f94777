"""The error state of a decoder layered on the codec's ``Decoder``.

Goal: the codec's contract for every layer above it, with the codec's own
mechanism (:class:`~eventstream._latch.Latch`). The first error stops the
stream; when a call completed some items before the error, it returns them and
the error comes with the next call, so nothing good is lost; after the error
has been raised once, every call raises :class:`DecoderFailedError`. The
stored error keeps no traceback, so it keeps no piece of input alive.
"""

from __future__ import annotations

from typing import NoReturn, TypeVar

from ._errors import EventStreamError
from ._latch import Latch

_Item = TypeVar("_Item")


class FailStop:
    """Mixin: ``_latch`` holds the first error; ``_defer``, ``_fail`` and
    ``_raise_failure`` implement the contract above."""

    _latch: Latch | None = None

    @property
    def failed(self) -> bool:
        """True once an error was found; every later call raises."""
        return self._latch is not None

    @property
    def _error(self) -> EventStreamError | None:
        latch = self._latch
        return None if latch is None else latch.error

    def _defer(
        self, items: list[_Item], error: EventStreamError, message_offset: int | None = None
    ) -> list[_Item]:
        # Hand out the good items first; the error comes with the next call.
        # ``message_offset``: the message being converted, unless the error names one.
        if error.message_offset is None:
            error.message_offset = message_offset
        latch = self._latch = Latch(error)
        if not items:
            latch.raise_error()
        return items

    def _fail(self, error: EventStreamError) -> NoReturn:
        latch = self._latch = Latch(error)
        latch.raise_error()

    def _raise_failure(self) -> NoReturn:
        assert self._latch is not None
        self._latch.raise_error()
