"""What a decoded message means to an AWS event-stream client, by ``:message-type``.

Goal: one service-agnostic step between the codec and a service layer. Every AWS
event stream (Lambda, Bedrock, S3 Select, Transcribe, Kinesis...) tags each message
with ``:message-type``:

* ``event``: ``:event-type`` names the event (``initial-response`` is the special event
  RPC protocols send first), ``:content-type`` describes the payload;
* ``exception``: a modeled error; ``:exception-type`` names it, the payload (usually
  JSON with ``message`` or ``Message``) describes it;
* ``error``: an unmodeled error; ``:error-code`` and ``:error-message`` say it all.

(Facts: the Smithy event-stream specification's message types; botocore's
``EventStreamMessage.to_response_dict`` and ``BaseEventStreamParser._do_error_parse``
read the same headers and look for ``Message`` then ``message`` in exception payloads.)

Headers are looked up by name, so their order never matters. A message whose
``:message-type`` is missing, not a string, or none of the three, or that lacks the
header its type requires, is an :class:`InvalidEventMessageError`.

Usage::

    from eventstream import Decoder
    from eventstream.events import classify, EventMessage, ExceptionMessage, ErrorMessage

    for frame in Decoder().feed_frames(piece):
        kind = classify(frame.message, frame.offset)
        if isinstance(kind, (ExceptionMessage, ErrorMessage)):
            raise kind.to_error(frame.offset)
        ...

Service layers (such as :mod:`eventstream.aws_lambda`) build on this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from ._errors import InvalidHeaderError, MessageError
from ._headers import Headers
from ._message import Message
from ._peer_json import parse_peer_json

__all__ = [
    "CONTENT_TYPE",
    "ERROR_CODE",
    "ERROR_MESSAGE",
    "EVENT_TYPE",
    "EXCEPTION_TYPE",
    "INITIAL_RESPONSE",
    "MESSAGE_TYPE",
    "ClassifiedMessage",
    "ErrorMessage",
    "EventMessage",
    "ExceptionMessage",
    "InitialResponse",
    "InvalidEventMessageError",
    "ModeledStreamException",
    "ServiceStreamError",
    "UnmodeledStreamError",
    "classify",
]

MESSAGE_TYPE = ":message-type"
EVENT_TYPE = ":event-type"
CONTENT_TYPE = ":content-type"
EXCEPTION_TYPE = ":exception-type"
ERROR_CODE = ":error-code"
ERROR_MESSAGE = ":error-message"
INITIAL_RESPONSE = "initial-response"

# An exception payload is read for its message only up to this size: the message is
# for people, and a huge payload stays available in full on the error.
_MAX_MESSAGE_SCAN = 64 * 1024


class InvalidEventMessageError(MessageError):
    """A well-framed message that breaks the event-stream message conventions:
    ``:message-type`` missing, not a string or unknown, or the header its type
    requires (``:event-type``, ``:exception-type``, ``:error-code``) missing or not a
    string. ``offset`` is the message's stream offset when known."""


class ServiceStreamError(MessageError):
    """The service reported a failure inside the stream.

    ``code`` is the ``:exception-type`` or ``:error-code``, ``message`` the text the
    service gave (``""`` if none), ``headers`` and ``payload`` the whole message.
    """

    def __init__(
        self,
        code: str,
        message: str,
        headers: Headers,
        payload: bytes,
        offset: int | None = None,
    ) -> None:
        text = f"{code}: {message}" if message else code
        super().__init__(f"the service sent {self.kind} {text}", offset)
        self.code = code
        self.message = message
        self.headers = headers
        self.payload = payload

    kind = "a stream error"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.code, self.message, self.headers, self.payload, self.offset))


class ModeledStreamException(ServiceStreamError):
    """A ``:message-type: exception`` message: a modeled error named ``code``."""

    kind = "exception"


class UnmodeledStreamError(ServiceStreamError):
    """A ``:message-type: error`` message (``:error-code``, ``:error-message``)."""

    kind = "error"


@dataclass(frozen=True)
class EventMessage:
    """A ``:message-type: event`` message (other than ``initial-response``)."""

    event_type: str
    content_type: str | None
    message: Message

    @property
    def payload(self) -> bytes:
        """The event's payload bytes."""
        return self.message.payload

    @property
    def headers(self) -> Headers:
        """All headers of the message."""
        return self.message.headers


@dataclass(frozen=True)
class InitialResponse:
    """The ``initial-response`` event RPC-style protocols send first (its payload is the
    operation's non-stream output members)."""

    content_type: str | None
    message: Message

    @property
    def payload(self) -> bytes:
        """The initial response's payload bytes."""
        return self.message.payload


@dataclass(frozen=True)
class ExceptionMessage:
    """A ``:message-type: exception`` message: a modeled error."""

    exception_type: str
    content_type: str | None
    message: Message

    @property
    def error_message(self) -> str:
        """``Message`` or ``message`` from a JSON object payload, else the payload's text."""
        return _message_from_payload(self.message.payload)

    def to_error(self, offset: int | None = None) -> ModeledStreamException:
        """The exception to raise for this message."""
        return ModeledStreamException(
            self.exception_type,
            self.error_message,
            self.message.headers,
            self.message.payload,
            offset,
        )


@dataclass(frozen=True)
class ErrorMessage:
    """A ``:message-type: error`` message: an unmodeled error."""

    error_code: str
    error_message: str
    message: Message

    def to_error(self, offset: int | None = None) -> UnmodeledStreamError:
        """The exception to raise for this message."""
        return UnmodeledStreamError(
            self.error_code,
            self.error_message,
            self.message.headers,
            self.message.payload,
            offset,
        )


#: What :func:`classify` returns.
ClassifiedMessage = Union[EventMessage, InitialResponse, ExceptionMessage, ErrorMessage]


def _message_from_payload(payload: bytes) -> str:
    text = payload[:_MAX_MESSAGE_SCAN].decode("utf-8", errors="replace")
    if len(payload) <= _MAX_MESSAGE_SCAN:
        try:
            document = parse_peer_json(text)
        except ValueError:
            return text
        if isinstance(document, dict):
            for key in ("Message", "message"):
                value = document.get(key)
                if isinstance(value, str):
                    return value
            return ""
    return text


def _string_header(message: Message, name: str, offset: int | None, required: bool) -> str | None:
    try:
        value = message.headers.get_str(name)
    except InvalidHeaderError as exc:
        raise InvalidEventMessageError(str(exc), offset) from None
    if value is None and required:
        raise InvalidEventMessageError(f"message has no {name} header", offset)
    return value


def classify(message: Message, offset: int | None = None) -> ClassifiedMessage:
    """Sort a decoded message by ``:message-type`` (``offset``: its stream offset, for
    errors). Never raises for a service error: :class:`ExceptionMessage` and
    :class:`ErrorMessage` are returned, and their ``to_error()`` gives the exception."""
    message_type = _string_header(message, MESSAGE_TYPE, offset, True)
    if message_type == "event":
        event_type = _string_header(message, EVENT_TYPE, offset, True)
        content_type = _string_header(message, CONTENT_TYPE, offset, False)
        assert event_type is not None
        if event_type == INITIAL_RESPONSE:
            return InitialResponse(content_type, message)
        return EventMessage(event_type, content_type, message)
    if message_type == "exception":
        exception_type = _string_header(message, EXCEPTION_TYPE, offset, True)
        content_type = _string_header(message, CONTENT_TYPE, offset, False)
        assert exception_type is not None
        return ExceptionMessage(exception_type, content_type, message)
    if message_type == "error":
        code = _string_header(message, ERROR_CODE, offset, True)
        text = _string_header(message, ERROR_MESSAGE, offset, False)
        assert code is not None
        return ErrorMessage(code, text or "", message)
    raise InvalidEventMessageError(
        f"{MESSAGE_TYPE} is {message_type!r}; expected 'event', 'exception' or 'error'",
        offset,
    )
