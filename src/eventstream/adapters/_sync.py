"""Blocking adapters: messages from an iterable of byte chunks or a binary file.

Worst cases: memory is the decoder's (one message at most, its ``max_message_size``)
plus, for files, one reused read buffer; nothing of the stream is kept after it is
handed on.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Generator, Iterable
from typing import Generic, Protocol, TypeVar, cast

from .._message import BytesLike
from ._source import StreamDecoder, TruncationErrors, chunk_size, raise_truncated

T = TypeVar("T")

#: Default read size for files: 64 KiB, a few socket buffers' worth.
DEFAULT_READ_SIZE = 64 * 1024


class ClosingIterator(Generic[T]):
    """An iterator of decoded items that is also a context manager.

    ``close()`` (or leaving the ``with`` block) stops it early: the source iterator
    the adapter owns is closed too, and no end-of-stream check is made.
    """

    __slots__ = ("_generator",)

    def __init__(self, generator: Generator[T, None, None]) -> None:
        self._generator = generator

    def __iter__(self) -> ClosingIterator[T]:
        return self

    def __next__(self) -> T:
        return next(self._generator)

    def close(self) -> None:
        """Stop early; the source iterator it owns is closed too."""
        self._generator.close()

    def __enter__(self) -> ClosingIterator[T]:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class ReadableInto(Protocol):
    """A blocking binary file: ``readinto`` (``readinto1`` is used when present)."""

    def readinto(self, buffer: memoryview, /) -> int | None: ...


def decode_chunks(
    chunks: Iterable[BytesLike], decoder: StreamDecoder[T], truncation_errors: TruncationErrors
) -> Generator[T, None, None]:
    """Feed each chunk to ``decoder``; ``close()`` it when the chunks end."""
    iterator = iter(chunks)
    received = 0
    try:
        while True:
            try:
                chunk = next(iterator)
            except StopIteration:
                break
            except truncation_errors as exc:
                raise_truncated(decoder, received, exc)
            received += chunk_size(chunk)
            yield from decoder.feed(chunk)
        decoder.close()
    finally:
        # The adapter owns the iterator it draws from (it is the caller's object
        # only when the caller passed an iterator, which it handed over).
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def decode_file(
    file: ReadableInto,
    decoder: StreamDecoder[T],
    read_size: int,
    truncation_errors: TruncationErrors,
) -> Generator[T, None, None]:
    """Read ``file`` into one reused buffer and feed what each read gave.

    The decoder copies what it keeps (an incomplete message's bytes) and every
    message's payload, so overwriting the buffer on the next read is safe.
    ``readinto1`` is preferred: it returns what is available (one HTTP chunk, say)
    instead of blocking until the buffer is full, so messages are handed on as soon
    as they arrive.  A file that is not binary is refused here, at the call.
    """
    return _read_file(_readinto_of(file), decoder, read_size, truncation_errors)


def _readinto_of(file: object) -> Callable[[memoryview], int | None]:
    readinto = getattr(file, "readinto1", None) or getattr(file, "readinto", None)
    if isinstance(file, io.TextIOBase) or not callable(readinto):
        kind = "a text-mode file" if isinstance(file, io.TextIOBase) else type(file).__name__
        raise TypeError(
            f"expected a binary file with readinto() (open(path, 'rb'), a socket's "
            f"makefile('rb'), http.client.HTTPResponse), got {kind}"
        )
    return cast("Callable[[memoryview], int | None]", readinto)


def _read_count(count: object, size: int) -> int | None:
    """What a ``readinto`` call returned, checked: the file is the caller's object, and
    a wrong count would feed stale or out-of-range bytes (``io.BufferedReader``
    checks its raw file's the same way)."""
    if count is None:
        return None
    if isinstance(count, bool) or not isinstance(count, int):
        raise TypeError(f"readinto() returned a {type(count).__name__}, expected an int")
    if not 0 <= count <= size:
        raise OSError(f"readinto() returned {count}, outside the buffer's 0..{size} bytes")
    return count


def _read_file(
    readinto: Callable[[memoryview], int | None],
    decoder: StreamDecoder[T],
    read_size: int,
    truncation_errors: TruncationErrors,
) -> Generator[T, None, None]:
    view = memoryview(bytearray(read_size))
    received = 0
    while True:
        try:
            returned = readinto(view)
        except truncation_errors as exc:
            raise_truncated(decoder, received, exc)
        count = _read_count(returned, read_size)
        if count is None:
            raise BlockingIOError(
                "the file returned no data without blocking; these adapters need a "
                "blocking file (use the async adapters for non-blocking sources)"
            )
        if not count:
            break
        received += count
        yield from decoder.feed(view[:count])
    decoder.close()
