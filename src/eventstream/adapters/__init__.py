"""Adapters from real byte sources to decoded messages, blocking and asyncio.

A few lines put the sans-IO decoders behind any HTTP client or stream:

* an iterable of byte chunks: :func:`iter_messages`, :func:`iter_events`;
* a blocking binary file (``readinto``): :func:`iter_messages_from_file`,
  :func:`iter_events_from_file`;
* an async iterable of byte chunks: :func:`aiter_messages`, :func:`aiter_events`;
* an ``asyncio.StreamReader``: :func:`aiter_messages_from_reader`,
  :func:`aiter_events_from_reader`.

A bidirectional session over one HTTP/2 request (needs the ``h2`` extra, imported on
first use): :class:`DuplexSession` sends a signed input event stream while it reads the
output stream (Transcribe streaming, Bedrock bidirectional streams); its errors are
:class:`DuplexError` and subclasses.

The ``*_messages*`` adapters drive the core :class:`~eventstream.Decoder` and give
:class:`~eventstream.Message`; the ``*_events*`` ones drive
:class:`~eventstream.aws_lambda.ResponseStreamDecoder` and give Lambda events.

Every adapter runs the decoder's ``close()`` when the source ends, so a cut
stream raises :class:`~eventstream.TruncatedStreamError`; ``truncation_errors``
names the client exceptions that mean "the connection dropped mid-body", which
are reported as that error too.  Each returns a (async) closing iterator: leave
its ``with``/``async with`` block, or call ``close()``/``aclose()``, to stop
early; the iterator the adapter draws from is closed then, while the response,
file or reader you passed stays yours to close.
"""

from . import _duplex_errors
from ._async import AsyncClosingIterator, AsyncReader
from ._duplex import DuplexSession, EventSigning, RequestHeaders, client_ssl_context
from ._duplex_errors import *  # noqa: F403 (its __all__ is re-exported below)
from ._events import aiter_events, aiter_events_from_reader, iter_events, iter_events_from_file
from ._messages import (
    aiter_messages,
    aiter_messages_from_reader,
    iter_messages,
    iter_messages_from_file,
)
from ._source import StreamDecoder, TruncationErrors
from ._sync import DEFAULT_READ_SIZE, ClosingIterator, ReadableInto

__all__ = [
    "DEFAULT_READ_SIZE",
    "AsyncClosingIterator",
    "AsyncReader",
    "ClosingIterator",
    "DuplexSession",
    "EventSigning",
    "ReadableInto",
    "RequestHeaders",
    "StreamDecoder",
    "TruncationErrors",
    "aiter_events",
    "aiter_events_from_reader",
    "aiter_messages",
    "aiter_messages_from_reader",
    "client_ssl_context",
    "iter_events",
    "iter_events_from_file",
    "iter_messages",
    "iter_messages_from_file",
]
__all__ += _duplex_errors.__all__
