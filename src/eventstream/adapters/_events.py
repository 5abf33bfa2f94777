"""The same adapters over :class:`~eventstream.aws_lambda.ResponseStreamDecoder`:
Lambda ``InvokeWithResponseStream`` events out.

End of stream means ``InvokeComplete`` must have arrived: the decoder's ``close()``
raises :class:`~eventstream.aws_lambda.IncompleteStreamError` (a
``TruncatedStreamError``) otherwise, so a cut even between two messages is caught.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable

from .._message import BytesLike
from ..aws_lambda import ResponseStreamDecoder, ResponseStreamEvent
from ._async import AsyncClosingIterator, AsyncReader, adecode_chunks, adecode_reader
from ._source import TruncationErrors, check_read_size
from ._sync import DEFAULT_READ_SIZE, ClosingIterator, ReadableInto, decode_chunks, decode_file


def iter_events(
    chunks: Iterable[BytesLike],
    *,
    decoder: ResponseStreamDecoder | None = None,
    truncation_errors: TruncationErrors = (),
) -> ClosingIterator[ResponseStreamEvent]:
    """Lambda events from an iterable of byte chunks; see :func:`iter_messages`."""
    decoder = ResponseStreamDecoder() if decoder is None else decoder
    return ClosingIterator(decode_chunks(chunks, decoder, truncation_errors))


def iter_events_from_file(
    file: ReadableInto,
    *,
    read_size: int = DEFAULT_READ_SIZE,
    decoder: ResponseStreamDecoder | None = None,
    truncation_errors: TruncationErrors = (),
) -> ClosingIterator[ResponseStreamEvent]:
    """Lambda events from a blocking binary file; see :func:`iter_messages_from_file`."""
    decoder = ResponseStreamDecoder() if decoder is None else decoder
    return ClosingIterator(
        decode_file(file, decoder, check_read_size(read_size), truncation_errors)
    )


def aiter_events(
    chunks: AsyncIterable[BytesLike],
    *,
    decoder: ResponseStreamDecoder | None = None,
    truncation_errors: TruncationErrors = (),
) -> AsyncClosingIterator[ResponseStreamEvent]:
    """Lambda events from an async iterable of byte chunks; see :func:`aiter_messages`."""
    decoder = ResponseStreamDecoder() if decoder is None else decoder
    return AsyncClosingIterator(adecode_chunks(chunks, decoder, truncation_errors))


def aiter_events_from_reader(
    reader: AsyncReader,
    *,
    read_size: int = DEFAULT_READ_SIZE,
    decoder: ResponseStreamDecoder | None = None,
    truncation_errors: TruncationErrors = (),
) -> AsyncClosingIterator[ResponseStreamEvent]:
    """Lambda events from an ``asyncio.StreamReader``; see
    :func:`aiter_messages_from_reader`."""
    decoder = ResponseStreamDecoder() if decoder is None else decoder
    return AsyncClosingIterator(
        adecode_reader(reader, decoder, check_read_size(read_size), truncation_errors)
    )
