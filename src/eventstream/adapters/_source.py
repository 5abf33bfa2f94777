"""What the adapters share: the decoder interface and the end-of-source rules.

Goal: a source that ends (cleanly or by a client error that means "cut short")
always ends with the decoder's ``close()``, so a stream cut inside a message is a
:class:`TruncatedStreamError` and never a silently short result.  A client error
meaning the connection dropped *between* messages is one too: framing alone cannot
see that cut, the client's error can.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NoReturn, Protocol, TypeVar

from .._errors import EventStreamError, TruncatedStreamError
from .._message import BytesLike

T_co = TypeVar("T_co", covariant=True)

#: Exception types a source raises when its stream was cut short.
TruncationErrors = tuple[type[BaseException], ...]


class StreamDecoder(Protocol[T_co]):
    """What the adapters drive: ``Decoder`` (messages) or ``ResponseStreamDecoder``
    (Lambda events)."""

    def feed(self, data: BytesLike) -> Iterable[T_co]: ...

    def close(self) -> None: ...


def check_read_size(read_size: int) -> int:
    """``read_size`` if it is a positive int, else a ``ValueError`` (raised at the call,
    not at the first read)."""
    if read_size < 1:
        raise ValueError(f"read_size must be at least 1, got {read_size}")
    return read_size


def chunk_size(chunk: BytesLike) -> int:
    """Bytes in a chunk; a ``TypeError`` naming the type for anything not bytes-like."""
    if isinstance(chunk, (bytes, bytearray)):
        return len(chunk)
    try:
        with memoryview(chunk) as view:
            return view.nbytes
    except TypeError:
        raise TypeError(
            f"the source gave a {type(chunk).__name__}, expected bytes-like chunks "
            "(read the body as bytes, not text)"
        ) from None


def raise_truncated(
    decoder: StreamDecoder[object], received: int, cause: BaseException
) -> NoReturn:
    """Report a source that failed with one of its truncation errors.

    ``close()`` first: inside a message (or, for Lambda, before ``InvokeComplete``)
    the decoder's own error says the most.  Between messages the decoder has nothing
    to object to, so the cut is reported here.  Either way the client's exception is
    the ``__cause__``.
    """
    try:
        decoder.close()
    except EventStreamError as found:
        raise found from cause
    error = TruncatedStreamError(
        f"the source was cut short after {received} bytes, between messages "
        f"({type(cause).__name__}: {cause})",
        received,
    )
    raise error from cause
