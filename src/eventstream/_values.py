"""Typed header values.

The format has ten header value types (Smithy "Amazon Event Stream" spec,
"Header value types"); Python has fewer scalar types, so the integer widths
get ``int`` subclasses and the timestamp a class of its own.  Decoding gives
back exactly these types, so a decoded message re-encodes to the same bytes.

==========  ====  ==================================================
wire type   code  Python value
==========  ====  ==================================================
bool_true     0   ``True``
bool_false    1   ``False``
byte          2   :class:`Byte` (int8)
short         3   :class:`Short` (int16)
integer       4   :class:`Integer` (int32)
long          5   :class:`Long` (int64); a plain ``int`` is written as this
byte_array    6   ``bytes`` (``bytearray``/``memoryview`` are copied to it)
string        7   ``str``
timestamp     8   :class:`Timestamp` (int64 milliseconds since the epoch)
uuid          9   ``uuid.UUID``
==========  ====  ==================================================

A plain ``int`` is written as ``long``: the widest type, so a value never
changes wire type with its magnitude.  Use the subclasses to pick a width.
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from typing import ClassVar, Union

from ._errors import EncodeError


class HeaderType(enum.IntEnum):
    """The wire code of a header value type."""

    BOOL_TRUE = 0
    BOOL_FALSE = 1
    BYTE = 2
    SHORT = 3
    INTEGER = 4
    LONG = 5
    BYTE_ARRAY = 6
    STRING = 7
    TIMESTAMP = 8
    UUID = 9


def _int_text(value: int) -> str:
    """An out-of-range int for an error message: its digits, or its size when printing
    them would be slow or, past ``sys.get_int_max_str_digits()``, raise ``ValueError``."""
    if value.bit_length() <= 256:
        return str(value)
    return f"{'a negative' if value < 0 else 'an'} integer of {value.bit_length()} bits"


class _SizedInt(int):
    """An ``int`` that remembers its wire width and refuses values outside it."""

    bits: ClassVar[int]
    wire_type: ClassVar[HeaderType]

    def __new__(cls, value: int = 0) -> _SizedInt:
        if isinstance(value, bool) or not isinstance(value, int):
            # int(3.7) would silently truncate; int("7") is a parse: refuse both.
            raise EncodeError(f"{cls.__name__} takes an int, not {type(value).__name__}")
        low, high = -(1 << (cls.bits - 1)), (1 << (cls.bits - 1)) - 1
        if not low <= value <= high:
            raise EncodeError(
                f"{cls.__name__} value {_int_text(value)} out of range [{low}, {high}] "
                f"(int{cls.bits})"
            )
        return super().__new__(cls, value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int(self)})"

    def __str__(self) -> str:
        return str(int(self))


class Byte(_SizedInt):
    """A ``byte`` header value: signed 8-bit integer."""

    bits = 8
    wire_type = HeaderType.BYTE


class Short(_SizedInt):
    """A ``short`` header value: signed 16-bit integer."""

    bits = 16
    wire_type = HeaderType.SHORT


class Integer(_SizedInt):
    """An ``integer`` header value: signed 32-bit integer."""

    bits = 32
    wire_type = HeaderType.INTEGER


class Long(_SizedInt):
    """A ``long`` header value: signed 64-bit integer."""

    bits = 64
    wire_type = HeaderType.LONG


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


class Timestamp:
    """A ``timestamp`` header value: signed 64-bit milliseconds since the Unix epoch.

    The wire value is kept exactly in :attr:`millis`, including values far
    outside what :class:`datetime.datetime` can hold (years before 1 or
    after 9999); only :meth:`to_datetime` needs the value to fit.
    """

    __slots__ = ("millis",)
    millis: int

    def __init__(self, millis: int) -> None:
        if isinstance(millis, bool) or not isinstance(millis, int):
            raise EncodeError(f"Timestamp takes int milliseconds, not {type(millis).__name__}")
        if not _INT64_MIN <= millis <= _INT64_MAX:
            raise EncodeError(f"Timestamp {_int_text(millis)} ms out of int64 range")
        object.__setattr__(self, "millis", int(millis))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Timestamp is immutable")

    @classmethod
    def from_datetime(cls, value: _dt.datetime) -> Timestamp:
        """The timestamp of an aware datetime.

        Sub-millisecond precision cannot be written, so it is floored (towards
        the past), the same rule for dates before and after the epoch.  A naive
        datetime is refused: its instant is unknown.
        """
        if value.tzinfo is None or value.utcoffset() is None:
            raise EncodeError("Timestamp.from_datetime needs an aware datetime (tzinfo set)")
        delta = value - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return cls(micros // 1000)

    def to_datetime(self) -> _dt.datetime:
        """The instant as an aware UTC datetime.

        Raises :class:`OverflowError` when the value is outside the years
        1..9999 that datetime supports; :attr:`millis` still holds it.
        """
        try:
            return _EPOCH + _dt.timedelta(milliseconds=self.millis)
        except OverflowError:
            raise OverflowError(
                f"Timestamp({self.millis}) is outside datetime's range; use .millis"
            ) from None

    def __int__(self) -> int:
        return self.millis

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Timestamp):
            return self.millis == other.millis
        return NotImplemented

    def __lt__(self, other: Timestamp) -> bool:
        if isinstance(other, Timestamp):
            return self.millis < other.millis
        return NotImplemented

    def __hash__(self) -> int:
        return hash((Timestamp, self.millis))

    def __repr__(self) -> str:
        return f"Timestamp({self.millis})"

    def __reduce__(self) -> tuple[type[Timestamp], tuple[int]]:
        return (Timestamp, (self.millis,))


#: Every value a decoded header can have.
HeaderValue = Union[bool, Byte, Short, Integer, Long, bytes, str, Timestamp, uuid.UUID]

#: What the encoder accepts: the decoded types plus conveniences it converts.
HeaderValueIn = Union[HeaderValue, int, bytearray, memoryview, _dt.datetime]


def wire_type_of(value: HeaderValue) -> HeaderType:
    """The wire type a (normalized) header value is written as."""
    if value is True:
        return HeaderType.BOOL_TRUE
    if value is False:
        return HeaderType.BOOL_FALSE
    if isinstance(value, _SizedInt):
        return value.wire_type
    if isinstance(value, bytes):
        return HeaderType.BYTE_ARRAY
    if isinstance(value, str):
        return HeaderType.STRING
    if isinstance(value, Timestamp):
        return HeaderType.TIMESTAMP
    if isinstance(value, uuid.UUID):
        return HeaderType.UUID
    raise EncodeError(f"unsupported header value type {type(value).__name__}")


def normalize_value(value: object) -> HeaderValue:
    """Turn an accepted input value into the exact type decoding would give."""
    if isinstance(value, (bool, Byte, Short, Integer, Long, str, Timestamp, uuid.UUID)):
        return value
    if isinstance(value, bytes):
        # A bytes subclass could carry state; the wire cannot.
        return value if type(value) is bytes else bytes(value)
    if isinstance(value, int):
        return Long(value)
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, _dt.datetime):
        return Timestamp.from_datetime(value)
    raise EncodeError(
        f"unsupported header value type {type(value).__name__}; expected bool, Byte, Short, "
        "Integer, Long, int, bytes, str, Timestamp, datetime or uuid.UUID"
    )
