"""A small, bounded CBOR (RFC 8949) reader and writer for ``smithy-rpc-v2-cbor`` payloads.

Only what the protocol uses: integers, byte and text strings (definite or
indefinite length), arrays, maps, ``false``/``true``/``null``/undefined, half,
single and double floats, and tag 1 (epoch-seconds timestamps, as a float or an
int). Anything else is an error. Goals: never trust a length before the bytes are
there (a claimed length is checked against what is left, so no allocation follows a
lie), bound the nesting depth, and raise :class:`ShapeError` for every bad input.
"""

from __future__ import annotations

import datetime as _dt
import math
import struct
from typing import Any

from . import _timestamps
from ._documents import MAX_DEPTH, ShapeError

_BREAK = object()


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int) -> bytes:
        end = self.pos + size
        if size < 0 or end > len(self.data):
            raise ShapeError("", f"CBOR item runs past the end of the payload at byte {self.pos}")
        chunk = self.data[self.pos : end]
        self.pos = end
        return chunk

    def argument(self, info: int) -> int:
        if info < 24:
            return info
        if info == 24:
            return self.take(1)[0]
        if info == 25:
            value: int = struct.unpack(">H", self.take(2))[0]
            return value
        if info == 26:
            value = struct.unpack(">I", self.take(4))[0]
            return value
        if info == 27:
            value = struct.unpack(">Q", self.take(8))[0]
            return value
        raise ShapeError("", f"CBOR reserved additional information {info} at byte {self.pos - 1}")

    def item(self, depth: int) -> Any:
        """The next data item; a break code here is out of place."""
        start = self.pos
        value = self.item_or_break(depth)
        if value is _BREAK:
            raise ShapeError("", f"CBOR break outside an indefinite item at byte {start}")
        return value

    def item_or_break(self, depth: int) -> Any:
        """The next data item, or ``_BREAK``: only where an indefinite item may end."""
        if depth > MAX_DEPTH:
            raise ShapeError("", f"CBOR nested deeper than {MAX_DEPTH} levels")
        start = self.pos
        initial = self.take(1)[0]
        major, info = initial >> 5, initial & 0x1F
        if major == 7:
            return self._simple(info, start)
        if info == 31:
            return self._indefinite(major, depth, start)
        value = self.argument(info)
        if major == 0:
            return value
        if major == 1:
            return -1 - value
        if major == 2:
            return self.take(value)
        if major == 3:
            try:
                return self.take(value).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ShapeError("", f"CBOR text at byte {start} is not UTF-8") from exc
        if major == 4:
            if value > len(self.data) - self.pos:
                raise ShapeError("", f"CBOR array at byte {start} claims {value} items")
            return [self.item(depth + 1) for _ in range(value)]
        if major == 5:
            if value > len(self.data) - self.pos:
                raise ShapeError("", f"CBOR map at byte {start} claims {value} entries")
            result: dict[Any, Any] = {}
            for _ in range(value):
                key = self.item(depth + 1)
                if not isinstance(key, str):
                    raise ShapeError("", f"CBOR map key at byte {start} is not text")
                result[key] = self.item(depth + 1)
            return result
        # major 6: a tag
        tagged = self.item(depth + 1)
        if value == 1 and isinstance(tagged, (int, float)) and not isinstance(tagged, bool):
            try:
                return _timestamps.from_epoch(tagged)
            except (ValueError, OverflowError, OSError) as exc:
                raise ShapeError("", f"CBOR timestamp at byte {start} out of range") from exc
        raise ShapeError("", f"CBOR tag {value} at byte {start} is not supported")

    def _simple(self, info: int, start: int) -> Any:
        if info == 20:
            return False
        if info == 21:
            return True
        if info in (22, 23):
            return None
        if info == 25:
            return _half(self.take(2))
        if info == 26:
            value: float = struct.unpack(">f", self.take(4))[0]
            return value
        if info == 27:
            value = struct.unpack(">d", self.take(8))[0]
            return value
        if info == 31:
            return _BREAK
        raise ShapeError("", f"CBOR simple value {info} at byte {start} is not supported")

    def _indefinite(self, major: int, depth: int, start: int) -> Any:
        if major in (2, 3):
            parts: list[Any] = []
            while True:
                part = self.item_or_break(depth + 1)
                if part is _BREAK:
                    break
                if type(part) is not (bytes if major == 2 else str):
                    raise ShapeError("", f"CBOR string chunk of the wrong type at byte {start}")
                parts.append(part)
            return b"".join(parts) if major == 2 else "".join(parts)
        if major == 4:
            items: list[Any] = []
            while True:
                item = self.item_or_break(depth + 1)
                if item is _BREAK:
                    return items
                items.append(item)
        if major == 5:
            result: dict[Any, Any] = {}
            while True:
                key = self.item_or_break(depth + 1)
                if key is _BREAK:
                    return result
                if not isinstance(key, str):
                    raise ShapeError("", f"CBOR map key at byte {start} is not text")
                result[key] = self.item(depth + 1)
        raise ShapeError("", f"CBOR major type {major} cannot be indefinite (byte {start})")


def _half(raw: bytes) -> float:
    bits = struct.unpack(">H", raw)[0]
    exponent, mantissa = (bits >> 10) & 0x1F, bits & 0x3FF
    if exponent == 0:
        value = math.ldexp(mantissa, -24)
    elif exponent == 31:
        value = math.inf if mantissa == 0 else math.nan
    else:
        value = math.ldexp(mantissa + 1024, exponent - 25)
    return -value if bits & 0x8000 else value


def loads(data: bytes) -> Any:
    """The one CBOR item that ``data`` holds."""
    reader = _Reader(data)
    value = reader.item(0)
    if reader.pos != len(data):
        raise ShapeError("", f"{len(data) - reader.pos} bytes after the CBOR item")
    return value


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, fmt, limit in ((24, ">B", 0xFF), (25, ">H", 0xFFFF), (26, ">I", 0xFFFFFFFF)):
        if value <= limit:
            return bytes([major << 5 | info]) + struct.pack(fmt, value)
    return bytes([major << 5 | 27]) + struct.pack(">Q", value)


def dumps(value: Any) -> bytes:
    """The CBOR bytes of a document (datetimes as tag 1 epoch seconds)."""
    out: list[bytes] = []
    _write(value, out, 0)
    return b"".join(out)


def _write(value: Any, out: list[bytes], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ShapeError("", f"nested deeper than {MAX_DEPTH} levels")
    if value is None:
        out.append(b"\xf6")
    elif value is True:
        out.append(b"\xf5")
    elif value is False:
        out.append(b"\xf4")
    elif isinstance(value, int):
        if not -(1 << 64) <= value < (1 << 64):
            raise ShapeError("", f"integer {value} does not fit CBOR")
        out.append(_head(0, value) if value >= 0 else _head(1, -1 - value))
    elif isinstance(value, float):
        out.append(b"\xfb" + struct.pack(">d", value))
    elif isinstance(value, bytes):
        out.append(_head(2, len(value)) + value)
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        out.append(_head(3, len(raw)) + raw)
    elif isinstance(value, list):
        out.append(_head(4, len(value)))
        for item in value:
            _write(item, out, depth + 1)
    elif isinstance(value, dict):
        out.append(_head(5, len(value)))
        for key, item in value.items():
            _write(key, out, depth + 1)
            _write(item, out, depth + 1)
    elif isinstance(value, _dt.datetime):
        out.append(b"\xc1")
        _write(float(_timestamps.to_epoch(value)), out, depth + 1)
    else:
        raise ShapeError("", f"{type(value).__name__} cannot be written as CBOR")
