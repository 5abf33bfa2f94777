"""The head of an ``InvokeWithResponseStream`` reply: status and headers.

Facts (botocore 1.44.8, ``lambda/2015-03-31/service-2.json``,
``InvokeWithResponseStreamResponse``): ``StatusCode`` is the HTTP status (200 for
``RequestResponse``, 204 for ``DryRun``), ``ExecutedVersion`` the
``X-Amz-Executed-Version`` header, ``ResponseStreamContentType`` the ``Content-Type``
header, and the payload is the event stream. The function's own content type (what it
set on its response stream) comes in ``x-amzn-Remapped-Content-Type``.

Goal: tell, before a single body byte is decoded, whether the body is an event stream
at all, so that a JSON error page or a proxy's HTML never shows up as a checksum error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .._errors import EventStreamError
from ._headers import HeadersLike, lower_headers, media_type
from ._http_integration import HTTP_INTEGRATION_CONTENT_TYPE

__all__ = ["EVENT_STREAM_CONTENT_TYPE", "NotAnEventStreamError", "ResponseHead", "response_head"]

EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"


class NotAnEventStreamError(EventStreamError):
    """A successful reply whose body is not ``application/vnd.amazon.eventstream``
    (``offset`` is ``None``: no byte of the body was looked at)."""

    def __init__(self, status: int, content_type: str | None) -> None:
        self.status = status
        self.content_type = content_type
        shown = repr(content_type) if content_type is not None else "no Content-Type"
        super().__init__(
            f"HTTP {status} reply carries {shown}, not {EVENT_STREAM_CONTENT_TYPE}; "
            "refusing to decode it as an event stream"
        )

    def __reduce__(self) -> Any:
        return (type(self), (self.status, self.content_type))


@dataclass(frozen=True)
class ResponseHead:
    """What the status line and headers of the reply say.

    ``status_code`` (the model's ``StatusCode``), ``executed_version``
    (``X-Amz-Executed-Version``), ``content_type`` (the stream's ``Content-Type``, the
    model's ``ResponseStreamContentType``), ``function_content_type``
    (``x-amzn-Remapped-Content-Type``: what the function declared), ``request_id``
    (``x-amzn-RequestId``). ``is_error`` means the body is a restJson1 error: pass it to
    :func:`error_from_response`. ``has_event_stream`` means a body to feed to
    :class:`ResponseStreamDecoder` follows.
    """

    status_code: int
    executed_version: str | None = None
    content_type: str | None = None
    function_content_type: str | None = None
    request_id: str | None = None

    @property
    def is_error(self) -> bool:
        """True for a status outside 2xx: the body is an error reply, not a stream."""
        return not 200 <= self.status_code < 300

    @property
    def has_event_stream(self) -> bool:
        """True when a 2xx reply carries an event-stream body (not a 204 ``DryRun``)."""
        return not self.is_error and self.status_code != 204

    @property
    def is_http_integration(self) -> bool:
        """True when the function streams an HTTP-integration prelude before its body."""
        return media_type(self.function_content_type) == HTTP_INTEGRATION_CONTENT_TYPE


def response_head(status: int, headers: HeadersLike) -> ResponseHead:
    """Read the reply's status and headers (any case, mapping or pairs).

    Raises :class:`NotAnEventStreamError` for a 2xx reply other than 204 whose
    ``Content-Type`` is not ``application/vnd.amazon.eventstream`` (parameters such
    as ``; charset=`` ignored). Error statuses are returned, not raised: check
    ``is_error`` and use :func:`error_from_response` on the body.
    """
    lowered = lower_headers(headers)
    head = ResponseHead(
        status_code=status,
        executed_version=lowered.get("x-amz-executed-version"),
        content_type=lowered.get("content-type"),
        function_content_type=lowered.get("x-amzn-remapped-content-type"),
        request_id=lowered.get("x-amzn-requestid"),
    )
    if head.has_event_stream and media_type(head.content_type) != EVENT_STREAM_CONTENT_TYPE:
        raise NotAnEventStreamError(status, head.content_type)
    return head
