"""The errors of the service layer.

Two families: a model that cannot be used (:class:`ServiceModelError`: unknown
service or operation, no event stream in that direction, a file that does not
parse or breaks the shape rules), and a stream that breaks its model
(:class:`InvalidEventPayloadError`, :class:`IncompleteStreamError`, and the
exception classes generated from the model, see :mod:`._exceptions`). All are
:class:`~eventstream.EventStreamError`; stream errors carry the offset of the
message they are about.
"""

from __future__ import annotations

from .._errors import EncodeError, EventStreamError, MessageError, TruncatedStreamError


class ServiceModelError(EventStreamError):
    """A service model cannot be found or used."""


class UnknownServiceError(ServiceModelError):
    """No model for this service name (``available`` lists the names that exist)."""

    def __init__(self, message: str, available: list[str]) -> None:
        super().__init__(message)
        self.available = available


class UnknownOperationError(ServiceModelError):
    """The service model has no operation of this name."""


class NoEventStreamError(ServiceModelError):
    """The operation has no event stream in the requested direction."""


class InvalidModelError(ServiceModelError):
    """A model file that is not JSON, or shapes that break the model's rules
    (``path`` says where)."""

    def __init__(self, message: str, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


class InvalidEventPayloadError(MessageError):
    """An event's payload or headers do not fit its shape: not UTF-8, not JSON/XML,
    a member of the wrong type, nesting too deep, a content type that does not match.

    ``event`` is the event name, ``path`` the member path (``"delta.text"``), and
    ``offset`` the stream offset of the message.
    """

    def __init__(self, event: str, path: str, reason: str, offset: int | None = None) -> None:
        where = f"{event}.{path}" if path else event
        super().__init__(f"event {where}: {reason}", offset)
        self.event = event
        self.path = path
        self.reason = reason


class EventEncodeError(EncodeError):
    """A boto3-shaped event that does not fit its shape (``path`` says where)."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}" if path else reason)
        self.path = path
        self.reason = reason


class IncompleteStreamError(TruncatedStreamError):
    """The stream ended before the operation's terminal event(s).

    ``missing`` names the terminal events that never came, ``received`` counts the
    events that did by name, ``partial_bytes`` is how many bytes of a cut message
    were left (0 if the stream ended between messages).
    """

    def __init__(
        self,
        missing: tuple[str, ...],
        received: dict[str, int],
        partial_bytes: int,
        offset: int,
    ) -> None:
        arrived = ", ".join(f"{count} {name}" for name, count in received.items()) or "no events"
        cut = f" and {partial_bytes} bytes of a cut message" if partial_bytes else ""
        super().__init__(
            f"stream ended without {' and '.join(missing)}; arrived: {arrived}{cut}", offset
        )
        self.missing = missing
        self.received = dict(received)
        self.partial_bytes = partial_bytes
