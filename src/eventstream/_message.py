"""The message: a header block and a payload."""

from __future__ import annotations

from typing import Union

from ._errors import EncodeError
from ._headers import Headers, HeadersIn

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

    def __init__(self, headers: Headers | HeadersIn = (), payload: BytesLike = b"") -> None:
        if not isinstance(headers, Headers):
            headers = Headers(headers)
        if not isinstance(payload, (bytes, bytearray, memoryview)):
            raise EncodeError(f"payload must be bytes-like, not {type(payload).__name__}")
        object.__setattr__(self, "headers", headers)
        object.__setattr__(
            self, "payload", bytes(payload) if type(payload) is not bytes else payload
        )

    @classmethod
    def _trusted(cls, headers: Headers, payload: bytes) -> Message:
        # For the decoder: both parts are already checked.
        self = object.__new__(cls)
        object.__setattr__(self, "headers", headers)
        object.__setattr__(self, "payload", payload)
        return self

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
