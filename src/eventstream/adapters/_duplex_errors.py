"""The errors of a duplex (bidirectional) event-stream session.

Every one is an :class:`~eventstream.EventStreamError`, so ``except EventStreamError``
still catches "this stream is bad"; each says which direction or which peer action
ended the session.  Once a session fails, both directions report the same error.
"""

from __future__ import annotations

from .._errors import EventStreamError

__all__ = [
    "ConnectionLostError",
    "DuplexError",
    "EventTimeoutError",
    "GoAwayError",
    "HTTP2ProtocolError",
    "ResponseStatusError",
    "SendTimeoutError",
    "SessionClosedError",
    "StreamResetError",
]


class DuplexError(EventStreamError):
    """Base of the errors that end a duplex session."""


class ConnectionLostError(DuplexError):
    """The connection closed (or failed) before the response stream ended.

    ``received`` is the number of response body bytes that had arrived.
    """

    def __init__(self, message: str, received: int | None = None) -> None:
        super().__init__(message)
        self.received = received


class GoAwayError(ConnectionLostError):
    """The server sent GOAWAY that ends this session's stream."""

    def __init__(self, error_code: int, last_stream_id: int, detail: str) -> None:
        super().__init__(
            f"the server sent GOAWAY (error code {error_code}, last stream "
            f"{last_stream_id}){detail}"
        )
        self.error_code = error_code
        self.last_stream_id = last_stream_id


class StreamResetError(DuplexError):
    """The server reset the request's stream (HTTP/2 RST_STREAM)."""

    def __init__(self, error_code: int, response_complete: bool = False) -> None:
        if response_complete:
            message = (
                "the server sent its whole response and takes no more input "
                f"(RST_STREAM, error code {error_code})"
            )
        else:
            message = f"the server reset the stream (RST_STREAM, error code {error_code})"
        super().__init__(message)
        self.error_code = error_code


class EventTimeoutError(DuplexError):
    """No event arrived within the session's deadline (first event or between events)."""

    def __init__(self, message: str, timeout: float) -> None:
        super().__init__(message)
        self.timeout = timeout


class SendTimeoutError(DuplexError):
    """Sending one event waited longer than ``send_timeout`` for the peer to take it
    (a closed HTTP/2 flow-control window, or a socket the peer does not read)."""

    def __init__(self, message: str, timeout: float) -> None:
        super().__init__(message)
        self.timeout = timeout


class ResponseStatusError(DuplexError):
    """The server answered with an HTTP status other than 200; ``body`` holds the start
    of what it sent (at most the session's ``max_error_body`` bytes)."""

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        shown = body[:500].decode("utf-8", "replace")
        super().__init__(f"the server answered HTTP {status}: {shown!r}")
        self.status = status
        self.headers = headers
        self.body = body


class SessionClosedError(DuplexError):
    """The session can no longer do what was asked: an event sent after the end frame,
    or a session that was closed or cancelled."""


class HTTP2ProtocolError(DuplexError):
    """The peer broke the HTTP/2 protocol (what ``h2`` reported is the ``__cause__``),
    or did not agree to speak HTTP/2 (TLS without ALPN ``h2``)."""
