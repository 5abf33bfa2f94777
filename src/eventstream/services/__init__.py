"""Every AWS service's event stream, typed from its service model, sans-IO.

::

    from eventstream.services import load_stream

    stream = load_stream("bedrock-runtime", "ConverseStream")
    decoder = stream.decoder()
    for piece in body_pieces:                 # bytes from any HTTP client
        for event in decoder.feed(piece):
            print(event.as_boto3())           # what boto3 would yield
    decoder.close()                           # IncompleteStreamError if cut short

    body = stream.encode({"messageStop": {"stopReason": "end_turn"}})  # wire bytes

The models are botocore's (read from the installed package's data, without
importing botocore) or a ``service-2.json`` you pass as ``model=``. Payload codecs:
JSON (``json``, ``rest-json``), XML (``rest-xml``), CBOR (``smithy-rpc-v2-cbor``),
blobs and strings; ``eventheader`` members from headers; the ``initial-response`` of
RPC protocols (Kinesis) parsed into ``decoder.initial_response``.

Events the model does not name come out as :class:`UnknownEvent`; ``exception``
messages raise the class generated for them (``stream.exceptions[name]``, subclasses
of :class:`StreamException`); ``error`` messages raise
:class:`~eventstream.events.UnmodeledStreamError`. :data:`TERMINAL_EVENTS` lists the
events that complete a stream, with their sources.
"""

from .._classify import UnmodeledStreamError
from ._errors import (
    EventEncodeError,
    IncompleteStreamError,
    InvalidEventPayloadError,
    InvalidModelError,
    NoEventStreamError,
    ServiceModelError,
    UnknownOperationError,
    UnknownServiceError,
)
from ._events import Event, UnknownEvent
from ._exceptions import StreamException
from ._model import available_services
from ._stream import StreamDecoder, StreamModel, load_stream
from ._terminal import TERMINAL_EVENTS, TerminalFact

__all__ = [
    "TERMINAL_EVENTS",
    "Event",
    "EventEncodeError",
    "IncompleteStreamError",
    "InvalidEventPayloadError",
    "InvalidModelError",
    "NoEventStreamError",
    "ServiceModelError",
    "StreamDecoder",
    "StreamException",
    "StreamModel",
    "TerminalFact",
    "UnknownEvent",
    "UnknownOperationError",
    "UnknownServiceError",
    "UnmodeledStreamError",
    "available_services",
    "load_stream",
]
