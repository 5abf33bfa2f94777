"""The error state of a decoder layered on the codec's ``Decoder``.

Goal: the codec's contract for every layer above it. The first error stops the
stream; when a call completed some items before the error, it returns them and the
error comes with the next call, so nothing good is lost; after the error has been
raised once, every call raises :class:`DecoderFailedError`.
"""

from __future__ import annotations

from typing import NoReturn, TypeVar

from ._errors import DecoderFailedError, EventStreamError

_Item = TypeVar("_Item")


class FailStop:
    """Mixin: ``_error`` holds the first error; ``_defer``, ``_fail`` and
    ``_raise_failure`` implement the contract above."""

    _error: EventStreamError | None = None
    _error_raised: bool = False

    @property
    def failed(self) -> bool:
        """True once an error was found; every later call raises."""
        return self._error is not None

    def _defer(self, items: list[_Item], error: EventStreamError) -> list[_Item]:
        # Hand out the good items first; the error comes with the next call.
        if not items:
            self._fail(error)
        self._error = error
        return items

    def _fail(self, error: EventStreamError) -> NoReturn:
        self._error = error
        self._error_raised = True
        raise error

    def _raise_failure(self) -> NoReturn:
        assert self._error is not None
        if not self._error_raised:
            self._error_raised = True
            raise self._error
        raise DecoderFailedError(self._error) from self._error
