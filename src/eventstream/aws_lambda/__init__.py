"""AWS Lambda ``InvokeWithResponseStream`` on top of the event-stream codec, sans-IO.

The whole operation ``POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations``:

* :func:`build_request` builds the unsigned request (what botocore would send);
* :func:`response_head` reads the reply's status and headers, and
  :func:`error_from_response` turns an error reply into one exception class per error
  the service model lists (:data:`MODELED_ERRORS`, all subclasses of :class:`LambdaError`);
* :class:`ResponseStreamDecoder` turns the event-stream body into :class:`PayloadChunk`,
  :class:`InvokeComplete` and :class:`UnknownEvent` items; their ``to_message()`` gives
  what Lambda sends, for servers and tests;
* :class:`HttpIntegrationSplitter` / :func:`encode_http_integration_prelude` handle the
  HTTP-integration prelude of functions behind Function URLs.

The stream errors of the generic layer (:class:`UnmodeledStreamError`,
:class:`ModeledStreamException`, :class:`InvalidEventMessageError`) are re-exported from
:mod:`eventstream.events` for convenience.

No I/O happens here: bring your own HTTP client and SigV4 signer.
"""

from ..events import (
    InvalidEventMessageError,
    ModeledStreamException,
    ServiceStreamError,
    UnmodeledStreamError,
)
from . import _errors
from ._decoder import (
    DataAfterCompleteError,
    IncompleteStreamError,
    InvalidEventPayloadError,
    ResponseStreamDecoder,
)
from ._errors import *  # noqa: F403  (the modeled errors: _errors.__all__)
from ._events import (
    InvokeComplete,
    PayloadChunk,
    ResponseStreamEvent,
    UnknownEvent,
    decode_log_result,
)
from ._http_integration import (
    HTTP_INTEGRATION_CONTENT_TYPE,
    HttpIntegrationError,
    HttpIntegrationPrelude,
    HttpIntegrationSplitter,
    encode_http_integration_prelude,
)
from ._request import InvalidParameterError, InvalidParameterTypeError, Request, build_request
from ._response import (
    EVENT_STREAM_CONTENT_TYPE,
    NotAnEventStreamError,
    ResponseHead,
    response_head,
)

__all__ = [
    "EVENT_STREAM_CONTENT_TYPE",
    "HTTP_INTEGRATION_CONTENT_TYPE",
    "DataAfterCompleteError",
    "HttpIntegrationError",
    "HttpIntegrationPrelude",
    "HttpIntegrationSplitter",
    "IncompleteStreamError",
    "InvalidEventMessageError",
    "InvalidEventPayloadError",
    "InvalidParameterError",
    "InvalidParameterTypeError",
    "InvokeComplete",
    "ModeledStreamException",
    "NotAnEventStreamError",
    "PayloadChunk",
    "Request",
    "ResponseHead",
    "ResponseStreamDecoder",
    "ResponseStreamEvent",
    "ServiceStreamError",
    "UnknownEvent",
    "UnmodeledStreamError",
    "build_request",
    "decode_log_result",
    "encode_http_integration_prelude",
    "response_head",
]
__all__ += _errors.__all__
