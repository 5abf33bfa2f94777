"""asyncio adapters: messages from an async iterable of chunks or a stream reader.

Cancellation: the adapters create no tasks and hold no locks; a ``CancelledError``
raised while they wait for data propagates as is, after the source iterator they own
(if any) is closed.  Memory: the decoder's (one message at most).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable
from typing import Generic, Protocol, TypeVar

from .._message import BytesLike
from ._source import StreamDecoder, TruncationErrors, chunk_size, raise_truncated

T = TypeVar("T")


class AsyncClosingIterator(Generic[T]):
    """An async iterator of decoded items that is also an async context manager.

    ``async for`` alone does not close an async iterator when the loop is left early
    (``break``, an exception); ``async with`` does, on every Python this library
    supports (``contextlib.aclosing`` exists only from 3.10).  ``aclose()`` closes the
    source iterator the adapter owns, and no end-of-stream check is made.
    """

    __slots__ = ("_generator",)

    def __init__(self, generator: AsyncGenerator[T, None]) -> None:
        self._generator = generator

    def __aiter__(self) -> AsyncClosingIterator[T]:
        return self

    async def __anext__(self) -> T:
        return await self._generator.__anext__()

    async def aclose(self) -> None:
        """Stop early; the source iterator it owns is closed too."""
        await self._generator.aclose()

    async def __aenter__(self) -> AsyncClosingIterator[T]:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()


class AsyncReader(Protocol):
    """``asyncio.StreamReader``, or anything whose ``read(n)`` returns up to ``n``
    bytes as soon as some are available and ``b""`` at the end (aiohttp's
    ``response.content`` is one)."""

    async def read(self, n: int = -1, /) -> bytes: ...


async def adecode_chunks(
    chunks: AsyncIterable[BytesLike],
    decoder: StreamDecoder[T],
    truncation_errors: TruncationErrors,
) -> AsyncGenerator[T, None]:
    """Feed each chunk to ``decoder``; ``close()`` it when the chunks end."""
    iterator = chunks.__aiter__()
    received = 0
    try:
        while True:
            try:
                chunk = await iterator.__anext__()
            except StopAsyncIteration:
                break
            except truncation_errors as exc:
                raise_truncated(decoder, received, exc)
            received += chunk_size(chunk)
            for item in decoder.feed(chunk):
                yield item
        decoder.close()
    finally:
        # As in the blocking adapter: the iterator drawn from is the adapter's to close.
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


async def adecode_reader(
    reader: AsyncReader,
    decoder: StreamDecoder[T],
    read_size: int,
    truncation_errors: TruncationErrors,
) -> AsyncGenerator[T, None]:
    """Feed what each ``read(read_size)`` gives; ``close()`` the decoder at ``b""``."""
    received = 0
    while True:
        try:
            data = await reader.read(read_size)
        except truncation_errors as exc:
            raise_truncated(decoder, received, exc)
        if not data:
            break
        received += chunk_size(data)
        for item in decoder.feed(data):
            yield item
    decoder.close()
