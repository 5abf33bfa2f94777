"""The message: a header block and a payload."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Callable, Union, cast, overload

from ._errors import EncodeError
from ._headers import Headers, HeadersIn, shared_headers
from ._values import HeaderValueIn

BytesLike = Union[bytes, bytearray, memoryview]


class Message:
    """One event-stream message.

    Immutable.  ``headers`` is a :class:`Headers` (ordered, typed);
    ``payload`` is ``bytes`` (a ``bytearray`` or ``memoryview`` given here is
    copied, so later changes to it cannot change the message).
    """

    __slots__ = ("headers", "payload")
    headers: Headers
    payload: bytes

    # Two overloads rather than one union parameter: with a union as context,
    # mypy types a dict literal of mixed values as dict[str, object] and
    # refuses it; with a Mapping alone it checks each value.
    @overload
    def __init__(
        self, headers: Mapping[str, HeaderValueIn] = ..., payload: BytesLike = ...
    ) -> None: ...
    @overload
    def __init__(
        self, headers: Iterable[tuple[str, HeaderValueIn]], payload: BytesLike = ...
    ) -> None: ...
    def __init__(self, headers: Headers | HeadersIn = (), payload: BytesLike = b"") -> None:
        if type(headers) is not Headers:  # isinstance() on an ABC subclass is slow
            if type(headers) is dict:
                headers = shared_headers(headers)
            elif not isinstance(headers, Headers):
                headers = Headers(headers)
        if type(payload) is not bytes:
            if not isinstance(payload, (bytes, bytearray, memoryview)):
                raise EncodeError(f"payload must be bytes-like, not {type(payload).__name__}")
            payload = bytes(payload)
        _set_headers(self, headers)
        _set_payload(self, payload)

    @property
    def event_type(self) -> str | None:
        """The ``:event-type`` header (``None`` if absent); see :meth:`Headers.get_str`."""
        return self.headers.get_str(":event-type")

    @property
    def message_type(self) -> str | None:
        """The ``:message-type`` header (``"event"``, ``"exception"`` or ``"error"``)."""
        return self.headers.get_str(":message-type")

    @property
    def content_type(self) -> str | None:
        """The ``:content-type`` header (``None`` if absent)."""
        return self.headers.get_str(":content-type")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Message is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Message is immutable")

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Message):
            return self.payload == other.payload and self.headers == other.headers
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.headers, self.payload))

    def __repr__(self) -> str:
        return f"Message(headers={dict(self.headers)!r}, payload={self.payload!r})"

    def __reduce__(self) -> tuple[type[Message], tuple[Headers, bytes]]:
        return (Message, (self.headers, self.payload))


# For the decoder, once per message (both parts already checked): the slots'
# own setters skip __init__'s checks and the lookups of object.__setattr__.
_new_object: Callable[[type[Message]], Message] = object.__new__
_set_headers: Callable[[Message, Headers], None] = cast(Any, Message.__dict__["headers"]).__set__
_set_payload: Callable[[Message, bytes], None] = cast(Any, Message.__dict__["payload"]).__set__
