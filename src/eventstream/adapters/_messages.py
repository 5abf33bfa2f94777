"""The adapters over the core :class:`~eventstream.Decoder`: messages out."""

from __future__ import annotations

from collections.abc import AsyncIterable, Iterable

from .._decoder import Decoder
from .._message import BytesLike, Message
from ._async import AsyncClosingIterator, AsyncReader, adecode_chunks, adecode_reader
from ._source import TruncationErrors, check_read_size
from ._sync import DEFAULT_READ_SIZE, ClosingIterator, ReadableInto, decode_chunks, decode_file


def iter_messages(
    chunks: Iterable[BytesLike],
    *,
    decoder: Decoder | None = None,
    truncation_errors: TruncationErrors = (),
) -> ClosingIterator[Message]:
    """Messages from an iterable of byte chunks (``response.iter_raw()``, say).

    When the chunks end, the decoder's ``close()`` runs: a stream cut inside a
    message raises :class:`~eventstream.TruncatedStreamError`.  An exception of a
    type in ``truncation_errors`` raised by the source (a client's "incomplete
    chunked read") is reported as ``TruncatedStreamError`` too, caused by it.

    Ownership: the iterator drawn from, ``iter(chunks)``, is the adapter's; it is
    closed (if it has ``close()``) when iteration ends for any reason, including an
    early ``close()`` of the result.  The response or connection behind it stays
    the caller's to close.  Pass ``decoder`` to choose its ``max_message_size`` or
    to inspect it afterwards.
    """
    decoder = Decoder() if decoder is None else decoder
    return ClosingIterator(decode_chunks(chunks, decoder, truncation_errors))


def iter_messages_from_file(
    file: ReadableInto,
    *,
    read_size: int = DEFAULT_READ_SIZE,
    decoder: Decoder | None = None,
    truncation_errors: TruncationErrors = (),
) -> ClosingIterator[Message]:
    """Messages from a blocking binary file (``http.client.HTTPResponse``, a socket
    file, ``open(path, "rb")``), read into one reused ``read_size`` buffer.

    ``readinto1`` is used when the file has it (it returns what is available, so
    messages come out as they arrive), else ``readinto``.  End of file runs the
    decoder's ``close()``; ``truncation_errors`` as for :func:`iter_messages`.  The
    file is the caller's: it is never closed here.
    """
    decoder = Decoder() if decoder is None else decoder
    return ClosingIterator(
        decode_file(file, decoder, check_read_size(read_size), truncation_errors)
    )


def aiter_messages(
    chunks: AsyncIterable[BytesLike],
    *,
    decoder: Decoder | None = None,
    truncation_errors: TruncationErrors = (),
) -> AsyncClosingIterator[Message]:
    """Messages from an async iterable of byte chunks (``response.aiter_raw()``).

    Use it as ``async with aiter_messages(...) as messages: async for ...`` so an
    early exit closes it.  End of stream, ``truncation_errors`` and ownership as for
    :func:`iter_messages` (the async iterator drawn from is closed with ``aclose()``).
    """
    decoder = Decoder() if decoder is None else decoder
    return AsyncClosingIterator(adecode_chunks(chunks, decoder, truncation_errors))


def aiter_messages_from_reader(
    reader: AsyncReader,
    *,
    read_size: int = DEFAULT_READ_SIZE,
    decoder: Decoder | None = None,
    truncation_errors: TruncationErrors = (),
) -> AsyncClosingIterator[Message]:
    """Messages from an ``asyncio.StreamReader`` (or aiohttp's ``response.content``),
    read ``read_size`` bytes at most at a time.

    ``b""`` (end of stream) runs the decoder's ``close()``.  On a bare TCP stream a
    cut between messages looks like a clean end: only a cut inside a message is
    caught, unless the protocol above says where the stream ends (Lambda's
    ``InvokeComplete``: see :func:`aiter_events_from_reader`).  The reader is the
    caller's: it is never closed here.
    """
    decoder = Decoder() if decoder is None else decoder
    return AsyncClosingIterator(
        adecode_reader(reader, decoder, check_read_size(read_size), truncation_errors)
    )
