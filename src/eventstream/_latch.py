"""Why a decoder takes no more input: the error that failed it, or the end of its stream.

Goal: one behaviour for every decoder of this library (:class:`~eventstream.Decoder`
and the service layers' decoders built on it).  A failed decoder raises its
error once, as itself (at once, or on the next call when good results came
first), then :class:`DecoderFailedError` on every later call; a closed one
refuses input with an error that says so.

The stored error holds no traceback: one would hold the frames of the call
that failed, and with them the caller's piece of input (a 300 MiB bad piece
stayed in memory; an ``mmap`` could not be closed).  Each raise is of a fresh
copy, whose traceback lives only as long as the caller keeps it.
"""

from __future__ import annotations

from typing import NoReturn, TypeVar

from ._errors import DecoderFailedError, EventStreamError

__all__ = ["Latch"]

_Error = TypeVar("_Error", bound=BaseException)


class Latch:
    """A decoder's refusal of further input, set once and never cleared."""

    __slots__ = ("_raised", "error", "failed")

    def __init__(self, error: EventStreamError, *, failed: bool = True) -> None:
        #: The error that failed the decoder, or the one that says it was closed.
        self.error = _detached(error)
        #: False for a decoder closed at a clean end of its stream.
        self.failed = failed
        self._raised = False

    def raise_error(self) -> NoReturn:
        """Raise the error the first time (every time for a closed decoder),
        then :class:`DecoderFailedError`."""
        error = self.error
        if self._raised and self.failed:
            raise DecoderFailedError(error) from error
        self._raised = True
        raise _fresh(error)


def _detached(error: EventStreamError) -> EventStreamError:
    """``error`` and the errors it was raised from, with no traceback or implicit context."""
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen:
        seen.add(id(link))
        link.__traceback__ = None
        link.__context__ = None
        link = link.__cause__
    return error


def _fresh(error: _Error) -> _Error:
    """A copy of ``error`` to raise: same type, message, attributes and cause."""
    copy = BaseException.__new__(type(error), *error.args)
    copy.__dict__.update(error.__dict__)
    copy.__cause__ = error.__cause__
    copy.__suppress_context__ = error.__suppress_context__
    return copy
