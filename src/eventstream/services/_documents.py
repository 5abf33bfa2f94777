"""Shape-driven conversion between boto3 values and JSON-like documents.

JSON (``json``/``rest-json`` protocols) and CBOR (``smithy-rpc-v2-cbor``) both parse
to dicts, lists and scalars; the shape says what each one means. Parsing does what
botocore's JSON parser does to the same document (members by serialized name,
``None`` members left out, blobs base64, timestamps to datetimes, an unknown union
member as ``{"SDK_UNKNOWN_MEMBER": {"name": tag}}``) and in addition checks every
type, so a member of the wrong type is an error naming its path, never a value of a
type the caller did not expect. Depth is bounded (:data:`MAX_DEPTH`) on both sides,
free-form ``document`` members included.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
import json
import math
from typing import Any

from .._peer_json import PeerJSONError, parse_peer_json
from . import _timestamps
from ._model import ServiceModel, Shape

#: Deepest nesting of a payload (shapes and free-form documents alike).
MAX_DEPTH = 100

_INTEGER_RANGES = {
    "byte": 8,
    "short": 16,
    "integer": 32,
    "long": 64,
}
_FLOAT_WORDS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


_Plan = tuple[tuple[tuple[str, str, str], ...], frozenset[str]]


class ShapeError(Exception):
    """Internal: a value that does not fit its shape; the caller adds the context."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def check_depth(value: Any, limit: int, path: str) -> None:
    """Raise if a free-form value nests deeper than ``limit`` (iterative)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise ShapeError(path, f"nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)


def is_plain_scalar(kind: str, value: Any, path: str) -> bool:
    """True if ``value`` is a string, boolean, integer or float fitting ``kind``
    (an integer out of its width raises)."""
    if kind in ("string", "character", "bigInteger", "bigDecimal"):
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if kind in _INTEGER_RANGES and isinstance(value, int):
        bits = _INTEGER_RANGES[kind]
        if not -(1 << (bits - 1)) <= value < (1 << (bits - 1)):
            raise ShapeError(path, f"{value} is out of range for {kind}")
        return True
    return kind in ("float", "double") and isinstance(value, (int, float))


def is_union(shape: Shape) -> bool:
    return bool(shape.get("union"))


def is_document(shape: Shape) -> bool:
    return bool(shape.get("document"))


class DocumentReader:
    """Document -> boto3 value. ``binary``: blobs are bytes already (CBOR)."""

    def __init__(self, model: ServiceModel, binary: bool, plain: bool = False) -> None:
        self._model = model
        self._binary = binary
        # plain: the JSON form of a whole event (every member by its own name, header
        # and payload members included; a blob may be {"$json": value}).
        self._plain = plain
        self._plans: dict[int, tuple[Shape, _Plan]] = {}

    def read_structure(self, shape: Shape, value: Any) -> dict[str, Any]:
        """An event structure's members from its parsed payload."""
        if not isinstance(value, dict):
            raise ShapeError("", f"expected an object, got {_type_name(value)}")
        result: dict[str, Any] = self._structure(shape, value, "", 0)
        return result

    def read(self, shape_name: str, value: Any, path: str = "", depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ShapeError(path, f"nested deeper than {MAX_DEPTH} levels")
        if value is None:
            return None
        shape = self._model.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            return self._structure(shape, value, path, depth)
        if kind == "list":
            if not isinstance(value, list):
                raise ShapeError(path, f"expected a list, got {_type_name(value)}")
            member = shape["member"]["shape"]
            return [
                None if item is None else self.read(member, item, f"{path}[{i}]", depth + 1)
                for i, item in enumerate(value)
            ]
        if kind == "map":
            if not isinstance(value, dict):
                raise ShapeError(path, f"expected a map, got {_type_name(value)}")
            key_shape, value_shape = shape["key"]["shape"], shape["value"]["shape"]
            return {
                self.read(key_shape, key, path, depth + 1): self.read(
                    value_shape, item, f"{path}[{key!r}]", depth + 1
                )
                for key, item in value.items()
            }
        return self.read_scalar(kind, value, path)

    def _structure(self, shape: Shape, value: Any, path: str, depth: int) -> Any:
        if is_document(shape):
            check_depth(value, MAX_DEPTH - depth, path)
            return value
        if not isinstance(value, dict):
            raise ShapeError(path, f"expected an object, got {_type_name(value)}")
        entries, keys = self._plan(shape)
        if is_union(shape):
            present = [key for key, item in value.items() if key != "__type" and item is not None]
            if len(present) != 1:
                raise ShapeError(path, f"a union must set exactly one member, got {present!r}")
            if present[0] not in keys:
                return {"SDK_UNKNOWN_MEMBER": {"name": present[0]}}
        parsed: dict[str, Any] = {}
        for name, key, target in entries:
            raw = value.get(key)
            if raw is not None:
                parsed[name] = self.read(target, raw, _join(path, name), depth + 1)
        return parsed

    def _plan(self, shape: Shape) -> _Plan:
        # A structure's (member, key, shape) triples to read, and all its keys, worked
        # out once per shape. Keyed by identity with the shape kept alive beside its
        # plan, so an id is never reused while cached; shapes are the model's own.
        cached = self._plans.get(id(shape))
        if cached is not None and cached[0] is shape:
            return cached[1]
        members: dict[str, Any] = shape.get("members", {})
        entries = tuple(
            (name, self._key(name, ref), ref["shape"])
            for name, ref in members.items()
            if self._plain or not (ref.get("eventheader") or ref.get("location"))
        )
        plan = (entries, frozenset(self._key(name, ref) for name, ref in members.items()))
        self._plans[id(shape)] = (shape, plan)
        return plan

    def _key(self, name: str, ref: dict[str, Any]) -> str:
        key: str = name if self._plain else ref.get("locationName", name)
        return key

    def read_scalar(self, kind: str, value: Any, path: str) -> Any:
        """A scalar of type ``kind``, checked."""
        if is_plain_scalar(kind, value, path):
            return value
        if kind in ("float", "double"):
            if isinstance(value, str) and value in _FLOAT_WORDS:
                return _FLOAT_WORDS[value]
        elif kind == "blob":
            if self._binary and isinstance(value, bytes):
                return value
            if self._plain and isinstance(value, dict) and list(value) == ["$json"]:
                return write_json(value["$json"], _join(path, "$json"))
            if isinstance(value, str):
                try:
                    # botocore decodes without validate, so line-wrapped base64 is
                    # read; ASCII whitespace (what wrapping adds) is dropped here.
                    # Other stray bytes, which botocore would drop silently, and
                    # everything botocore refuses (non-ASCII, bad padding) are refused.
                    ascii_text = value.encode("ascii")
                    return base64.b64decode(b"".join(ascii_text.split()), validate=True)
                except (UnicodeEncodeError, binascii.Error) as exc:
                    raise ShapeError(path, f"blob is not base64: {exc}") from exc
        elif kind == "timestamp":
            return self._timestamp(value, path)
        raise ShapeError(path, f"expected {kind}, got {_type_name(value)}")

    def _timestamp(self, value: Any, path: str) -> _dt.datetime:
        if isinstance(value, _dt.datetime):  # CBOR's tag 1, already read
            return value
        try:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return _timestamps.from_epoch(value)
            if isinstance(value, str):
                return _timestamps.parse_text(value)
        except (ValueError, TypeError, OverflowError, OSError) as exc:
            raise ShapeError(path, f"not a timestamp: {value!r}") from exc
        raise ShapeError(path, f"expected timestamp, got {_type_name(value)}")


class DocumentWriter:
    """boto3 value -> document. ``binary``: blobs stay bytes (CBOR), else base64.

    ``timestamp_format`` is the protocol's default (``unixTimestamp`` for JSON);
    a shape's ``timestampFormat`` overrides it.
    """

    def __init__(
        self,
        model: ServiceModel,
        binary: bool,
        timestamp_format: str,
        plain: bool = False,
        json_blobs: bool = False,
    ) -> None:
        self._model = model
        self._binary = binary
        # plain: see DocumentReader; json_blobs: a blob holding a JSON object or
        # array is written as {"$json": value}, for people to read.
        self._plain = plain
        self._json_blobs = json_blobs
        self._timestamp_format = timestamp_format

    def write_structure(self, shape: Shape, value: dict[str, Any], path: str) -> Any:
        """An event structure's document."""
        return self._structure(shape, value, path, 0)

    def write(self, shape_name: str, value: Any, path: str = "", depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ShapeError(path, f"nested deeper than {MAX_DEPTH} levels")
        shape = self._model.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            if is_document(shape):
                check_depth(value, MAX_DEPTH - depth, path)
                return value
            if not isinstance(value, dict):
                raise ShapeError(path, f"expected a dict, got {_type_name(value)}")
            return self._structure(shape, value, path, depth)
        if kind == "list":
            if not isinstance(value, (list, tuple)):
                raise ShapeError(path, f"expected a list, got {_type_name(value)}")
            member = shape["member"]["shape"]
            return [
                self.write(member, item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)
            ]
        if kind == "map":
            if not isinstance(value, dict):
                raise ShapeError(path, f"expected a dict, got {_type_name(value)}")
            key_shape, value_shape = shape["key"]["shape"], shape["value"]["shape"]
            return {
                self.write(key_shape, key, path, depth + 1): self.write(
                    value_shape, item, f"{path}[{key!r}]", depth + 1
                )
                for key, item in value.items()
            }
        return self._scalar(shape, kind, value, path)

    def _structure(self, shape: Shape, value: dict[str, Any], path: str, depth: int) -> Any:
        members = shape.get("members", {})
        unknown = [key for key in value if key not in members]
        if unknown:
            raise ShapeError(path, f"unknown member(s) {unknown!r}; expected {sorted(members)!r}")
        if is_union(shape):
            present = [key for key, item in value.items() if item is not None]
            if len(present) != 1:
                raise ShapeError(path, f"a union takes exactly one member, got {present!r}")
        out: dict[str, Any] = {}
        for name, item in value.items():
            ref = members[name]
            if item is None:
                continue
            if not self._plain and (ref.get("eventheader") or ref.get("location")):
                continue
            out[name if self._plain else ref.get("locationName", name)] = self.write(
                ref["shape"], item, _join(path, name), depth + 1
            )
        return out

    def _scalar(self, shape: Shape, kind: str, value: Any, path: str) -> Any:
        if is_plain_scalar(kind, value, path):
            if isinstance(value, float) and not math.isfinite(value) and not self._binary:
                # JSON has no literal for these; Smithy writes them as strings.
                return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
            return value
        if kind == "blob":
            if isinstance(value, str):
                value = value.encode("utf-8")
            if isinstance(value, (bytes, bytearray, memoryview)):
                raw = bytes(value)
                if self._json_blobs and raw[:1] in (b"{", b"["):
                    shown = _compact_json(raw)
                    if shown is not None:
                        return {"$json": shown}
                return raw if self._binary else base64.b64encode(raw).decode("ascii")
        elif kind == "timestamp":
            if isinstance(value, _dt.datetime) and self._binary:
                return _timestamps.as_utc(value)  # CBOR writes it as tag 1
            if isinstance(value, _dt.datetime):
                return write_timestamp(
                    value, shape.get("timestampFormat") or self._timestamp_format
                )
        raise ShapeError(path, f"expected {kind}, got {_type_name(value)}")


def _dump_compact(value: Any) -> bytes:
    """Compact JSON; NaN and infinities are refused (ValueError), as JSON has none."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def write_json(document: Any, path: str) -> bytes:
    """``document`` as compact JSON; a value JSON cannot hold (a set, bytes, NaN, a
    tuple key...) is a :class:`ShapeError` naming the member that holds it."""
    try:
        return _dump_compact(document)
    except (TypeError, ValueError) as exc:
        raise ShapeError(_unwritable_member(document, path), f"not JSON: {exc}") from None


def _unwritable_member(value: Any, path: str) -> str:
    # Error path only: descend into the first child that fails on its own. The
    # depth is bounded (documents are depth-checked), so this costs at most
    # MAX_DEPTH times one dump.
    while isinstance(value, (dict, list, tuple)):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            try:
                _dump_compact(item)
            except (TypeError, ValueError):
                if isinstance(value, dict) and isinstance(key, str):
                    path = _join(path, key)
                else:
                    path = f"{path}[{key!r}]"
                value = item
                break
        else:
            break  # the container itself (a key JSON cannot hold)
    return path


def _compact_json(raw: bytes) -> Any:
    """The JSON value ``raw`` holds if writing it back compactly gives ``raw`` again
    (Bedrock's nested ``bytes`` are such), else ``None``: showing a blob decoded must
    never change the bytes it encodes back to."""
    try:
        value = parse_peer_json(raw, MAX_DEPTH)
        written = _dump_compact(value)
    except (PeerJSONError, ValueError):  # ValueError: NaN or an infinity
        return None
    return value if written == raw else None


def write_timestamp(value: _dt.datetime, timestamp_format: str) -> Any:
    """A datetime in a botocore ``timestampFormat``."""
    if timestamp_format == "iso8601":
        return _timestamps.to_iso8601(value)
    if timestamp_format == "rfc822":
        return _timestamps.to_http_date(value)
    return _timestamps.to_epoch(value)
