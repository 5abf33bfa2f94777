"""Service-agnostic meaning of event-stream messages: :func:`classify` by ``:message-type``.

::

    from eventstream import Decoder
    from eventstream.events import classify, EventMessage, ExceptionMessage, ErrorMessage

    for frame in Decoder().feed_frames(piece):
        kind = classify(frame.message, frame.offset)
        if isinstance(kind, (ExceptionMessage, ErrorMessage)):
            raise kind.to_error(frame.offset)
        ...

Service layers (such as :mod:`eventstream.aws_lambda`) build on this.
"""

from ._classify import (
    CONTENT_TYPE,
    ERROR_CODE,
    ERROR_MESSAGE,
    EVENT_TYPE,
    EXCEPTION_TYPE,
    INITIAL_RESPONSE,
    MESSAGE_TYPE,
    ClassifiedMessage,
    ErrorMessage,
    EventMessage,
    ExceptionMessage,
    InitialResponse,
    InvalidEventMessageError,
    ModeledStreamException,
    ServiceStreamError,
    UnmodeledStreamError,
    classify,
)

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
