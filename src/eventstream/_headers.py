"""The header block: an ordered, immutable mapping, and its wire form.

A header on the wire is ``uint8 name_length | UTF-8 name | uint8 type |
value`` (Smithy "Amazon Event Stream" spec).  Decoding is bounded by the
header block's own length, never by the rest of the message, so a value that
runs past the block is an error and not a read into the payload.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Iterable, Iterator, Mapping
from typing import Union, cast, overload

from ._errors import DuplicateHeaderError, EncodeError, InvalidHeaderError
from ._values import (
    Byte,
    HeaderType,
    HeaderValue,
    HeaderValueIn,
    Integer,
    Long,
    Short,
    Timestamp,
    normalize_value,
    wire_type_of,
)

#: The longest name the uint8 length field can express.
MAX_NAME_BYTES = 255
#: The longest string / byte_array value this library writes.  The spec
#: bounds them at 2**15 - 1 bytes; the uint16 field could say 65,535 and the
#: decoder accepts up to that ("strict on write, exact on read").
MAX_VALUE_BYTES = 32_767

HeadersIn = Union[Mapping[str, HeaderValueIn], Iterable[tuple[str, HeaderValueIn]]]

_BYTE = struct.Struct(">b")
_SHORT = struct.Struct(">h")
_INTEGER = struct.Struct(">i")
_LONG = struct.Struct(">q")
_UINT16 = struct.Struct(">H")


# Headers built from a dict, by the dict's items and value types.  A sender
# builds the same few headers for every message (":event-type",
# ":content-type", ":message-type"), and checking and encoding them costs
# several times one lookup.  The types are part of the key because True, 1
# and Byte(1) are equal and hash alike but are different headers; only exact
# immutable types whose equality means "same wire bytes" are cached (not
# subclasses, which may redefine equality or encoding).  An entry is the
# Headers built the first time, block already encoded; Headers are
# immutable, so it is shared.  Bounded in entries and block size: at most
# about _SHARED_ENTRIES * 3 * _SHARED_BLOCK_BYTES of memory.
_SharedKey = tuple[object, ...]  # (name, value) pairs, then the values' types
_SHARED: dict[_SharedKey, Headers] = {}
_SHARED_ENTRIES = 64
_SHARED_BLOCK_BYTES = 1024
_CACHEABLE = frozenset({str, bytes, bool, int, Byte, Short, Integer, Long, Timestamp, uuid.UUID})


def shared_headers(headers: dict[str, HeaderValueIn]) -> Headers:
    """``Headers(headers)``, or an equal one built before from an identical dict.

    Raises what ``Headers(headers)`` raises.
    """
    try:
        key = (*headers.items(), *map(type, headers.values()))
        hit = _SHARED.get(key)
    except TypeError:  # an unhashable value (bytearray): built every time
        built = Headers.__new__(Headers)
        built._init(headers)
        return built
    if hit is not None:
        return hit
    built = Headers.__new__(Headers)
    built._init(headers)
    if all(type(value) in _CACHEABLE for value in headers.values()):
        try:
            encoded = encode_headers(built)
        except EncodeError:  # raised again when the block is asked for, as always
            return built
        if len(encoded) <= _SHARED_BLOCK_BYTES:
            if len(_SHARED) >= _SHARED_ENTRIES:
                _SHARED.clear()
            _SHARED[key] = built
    return built


def _check_name(name: object) -> bytes:
    if not isinstance(name, str):
        raise EncodeError(f"header name must be str, not {type(name).__name__}")
    try:
        raw = name.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise EncodeError(
            f"header name {name!r} is not encodable as UTF-8: {exc.reason}"
        ) from None
    if not 1 <= len(raw) <= MAX_NAME_BYTES:
        raise EncodeError(
            f"header name must be 1..{MAX_NAME_BYTES} bytes of UTF-8, got {len(raw)} bytes"
        )
    return raw


class Headers(Mapping[str, HeaderValue]):
    """An immutable mapping of header name to typed value, in wire order.

    Each value's Python type fixes its wire type (see :class:`HeaderType`), so
    equality between two ``Headers`` compares order, names, types and values:
    ``Byte(1)`` and ``Long(1)`` headers differ, as their bytes do.  Compared
    with a plain mapping, it is ordinary dict equality.
    """

    __slots__ = ("_encoded", "_items")
    _items: dict[str, HeaderValue]
    _encoded: bytes | None

    # Overloads, not the HeadersIn union: see Message.__init__.
    @overload
    def __init__(self, headers: Mapping[str, HeaderValueIn] = ...) -> None: ...
    @overload
    def __init__(self, headers: Iterable[tuple[str, HeaderValueIn]]) -> None: ...
    def __init__(self, headers: HeadersIn = ()) -> None:
        if type(headers) is dict:
            shared = shared_headers(headers)
            self._items = shared._items
            self._encoded = shared._encoded
        else:
            self._init(headers)

    def _init(self, headers: HeadersIn) -> None:
        """Check and normalize every header (the constructor's work)."""
        items: dict[str, HeaderValue] = {}
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        for pair in pairs:
            try:
                name, value = pair
            except (TypeError, ValueError):
                raise EncodeError(f"headers must be (name, value) pairs, got {pair!r}") from None
            _check_name(name)
            if name in items:
                raise DuplicateHeaderError(name)
            items[name] = normalize_value(value)
        self._items = items
        self._encoded = None

    @classmethod
    def _trusted(cls, items: dict[str, HeaderValue]) -> Headers:
        # For the decoder: names and values are already checked and typed.
        self = object.__new__(cls)
        self._items = items
        self._encoded = None
        return self

    def __getitem__(self, name: str) -> HeaderValue:
        return self._items[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def get_str(self, name: str) -> str | None:
        """The ``string`` header ``name``, or ``None`` if there is none.

        For the headers whose value is text by protocol (``:event-type``,
        ``:message-type``, ``:content-type``, ``:exception-type``...).  Raises
        :class:`InvalidHeaderError` if the header has another wire type: a
        peer that sends ``:event-type`` as bytes is not one to guess about.
        """
        value = self._items.get(name)
        if value is None or type(value) is str:
            return value
        raise InvalidHeaderError(
            f"header {name!r} is a {wire_type_of(value).name.lower()} value; expected a string"
        )

    def wire_type(self, name: str) -> HeaderType:
        """The wire type of the header ``name``."""
        return wire_type_of(self._items[name])

    def typed_items(self) -> list[tuple[str, HeaderType, HeaderValue]]:
        """``(name, wire type, value)`` for each header, in wire order."""
        return [(n, wire_type_of(v), v) for n, v in self._items.items()]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self.typed_items() == other.typed_items()
        if isinstance(other, Mapping):
            return self._items == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self.typed_items()))

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"

    def __reduce__(self) -> tuple[type[Headers], tuple[list[tuple[str, HeaderValue]]]]:
        return (Headers, (list(self._items.items()),))


def _encode_value(name: str, value: HeaderValue) -> bytes:
    wire = wire_type_of(value)
    if wire <= HeaderType.BOOL_FALSE:
        return bytes((wire,))
    if wire == HeaderType.BYTE:
        return b"\x02" + _BYTE.pack(value)
    if wire == HeaderType.SHORT:
        return b"\x03" + _SHORT.pack(value)
    if wire == HeaderType.INTEGER:
        return b"\x04" + _INTEGER.pack(value)
    if wire == HeaderType.LONG:
        return b"\x05" + _LONG.pack(value)
    if wire == HeaderType.TIMESTAMP:
        assert isinstance(value, Timestamp)
        return b"\x08" + _LONG.pack(value.millis)
    if wire == HeaderType.UUID:
        assert isinstance(value, uuid.UUID)
        return b"\x09" + value.bytes
    if wire == HeaderType.STRING:
        assert isinstance(value, str)
        try:
            raw = value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise EncodeError(
                f"header {name!r}: string is not encodable as UTF-8: {exc.reason}"
            ) from None
    else:
        assert isinstance(value, bytes)
        raw = value
    if len(raw) > MAX_VALUE_BYTES:
        raise EncodeError(
            f"header {name!r}: {wire.name.lower()} value of {len(raw)} bytes is over the "
            f"{MAX_VALUE_BYTES}-byte limit of the spec"
        )
    return bytes((wire,)) + _UINT16.pack(len(raw)) + raw


@overload
def encode_headers(headers: Mapping[str, HeaderValueIn]) -> bytes: ...
@overload
def encode_headers(headers: Iterable[tuple[str, HeaderValueIn]]) -> bytes: ...
def encode_headers(headers: Headers | HeadersIn) -> bytes:
    """The wire bytes of a header block (what event-stream signing hashes).

    Refuses (:class:`EncodeError`) names outside 1..255 UTF-8 bytes, string
    and byte_array values over 32,767 bytes, and unsupported value types.
    """
    if not isinstance(headers, Headers):
        headers = Headers(headers)
    encoded = headers._encoded
    if encoded is None:
        parts = []
        for name, value in headers._items.items():
            raw_name = name.encode("utf-8")
            parts.append(bytes((len(raw_name),)) + raw_name + _encode_value(name, value))
        encoded = headers._encoded = b"".join(parts)
    return encoded


def decode_header_block(block: bytes, offset: int) -> Headers:
    """Parse a whole header block; ``offset`` is its position in the stream.

    O(len(block)).  Every read is checked against the block's end, so no
    ``IndexError``/``struct.error`` can escape, and strings are decoded
    strictly, so no ``UnicodeDecodeError`` either: all become
    :class:`InvalidHeaderError` with the offset of the bad field.
    """
    items: dict[str, HeaderValue] = {}
    end = len(block)
    pos = 0
    while pos < end:
        start = pos
        name_len = block[pos]
        pos += 1
        if name_len == 0:
            raise InvalidHeaderError(
                "header name length is 0; names must be 1..255 bytes", offset + start
            )
        if pos + name_len > end:
            raise InvalidHeaderError(
                f"header name of {name_len} bytes runs past the end of the header block "
                f"({end - pos} bytes left)",
                offset + start,
            )
        try:
            name = block[pos : pos + name_len].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidHeaderError(
                f"header name is not valid UTF-8: {exc.reason}", offset + pos + exc.start
            ) from None
        pos += name_len
        if pos >= end:
            raise InvalidHeaderError(
                f"header {name!r} has no value type byte: the header block ends after its name",
                offset + pos,
            )
        type_pos = pos
        wire = block[pos]
        pos += 1
        value: HeaderValue
        if wire == 7 or wire == 6:
            if pos + 2 > end:
                raise InvalidHeaderError(
                    f"header {name!r}: value length field runs past the end of the header block",
                    offset + pos,
                )
            (size,) = _UINT16.unpack_from(block, pos)
            pos += 2
            if pos + size > end:
                raise InvalidHeaderError(
                    f"header {name!r}: value of {size} bytes runs past the end of the header "
                    f"block ({end - pos} bytes left)",
                    offset + pos - 2,
                )
            raw = block[pos : pos + size]
            if wire == 7:
                try:
                    value = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InvalidHeaderError(
                        f"header {name!r}: string value is not valid UTF-8: {exc.reason}",
                        offset + pos + exc.start,
                    ) from None
            else:
                value = raw
            pos += size
        elif wire == 0:
            value = True
        elif wire == 1:
            value = False
        else:
            size = FIXED_VALUE_SIZES.get(wire, -1)
            if size < 0:
                raise InvalidHeaderError(
                    f"header {name!r}: unknown value type {wire}; expected 0..9", offset + type_pos
                )
            if pos + size > end:
                raise InvalidHeaderError(
                    f"header {name!r}: {HeaderType(wire).name.lower()} value needs {size} bytes, "
                    f"the header block has {end - pos} left",
                    offset + pos,
                )
            if wire == 9:
                value = uuid.UUID(bytes=block[pos : pos + 16])
            elif wire == 8:
                ts = object.__new__(Timestamp)
                object.__setattr__(ts, "millis", _LONG.unpack_from(block, pos)[0])
                value = ts
            else:
                cls, fmt = _INT_TYPES[wire]
                value = cast(HeaderValue, int.__new__(cls, fmt.unpack_from(block, pos)[0]))
            pos += size
        if name in items:
            raise DuplicateHeaderError(name, offset + start)
        items[name] = value
    return Headers._trusted(items)


#: The value size of each fixed-size header type, by wire type code (byte,
#: short, integer, long, timestamp, uuid); bool values have none, string and
#: byte_array a uint16 length first.
FIXED_VALUE_SIZES = {2: 1, 3: 2, 4: 4, 5: 8, 8: 8, 9: 16}
_INT_TYPES: dict[int, tuple[type[int], struct.Struct]] = {
    2: (Byte, _BYTE),
    3: (Short, _SHORT),
    4: (Integer, _INTEGER),
    5: (Long, _LONG),
}
