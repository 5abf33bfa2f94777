"""Random boto3-shaped events for any operation's stream, from its model.

For differential tests and fakes: every value fits its shape and survives a trip
through the wire and botocore's parser unchanged (timestamps to the millisecond in
UTC, floats finite, text without the characters XML cannot carry or normalizes).
"""

from __future__ import annotations

import datetime as _dt
import random
import string
from typing import Any

from ..services import StreamModel

_TEXT = string.ascii_letters + string.digits + " .,;:-_/<>&'\"\t\n" + "éü中😀"
_INTEGER_BITS = {"byte": 8, "short": 16, "integer": 32, "long": 64}
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


def random_event(
    stream: StreamModel, rng: random.Random, *, name: str | None = None, max_depth: int = 4
) -> dict[str, Any]:
    """One random event ``{name: members}`` of ``stream`` (a random event name unless
    ``name`` is given; exception names are allowed)."""
    if name is None:
        name = rng.choice(stream.event_names)
    shapes = stream.shapes
    return {
        name: _Generator(shapes, rng, max_depth).structure(shapes[stream.member_shape(name)], 0)
    }


class _Generator:
    def __init__(self, shapes: Any, rng: random.Random, max_depth: int) -> None:
        self.shapes = shapes
        self.rng = rng
        self.max_depth = max_depth

    def value(self, shape_name: str, depth: int) -> Any:
        shape = self.shapes[shape_name]
        kind = shape["type"]
        rng = self.rng
        if kind == "structure":
            if shape.get("document"):
                return self.document(depth)
            return self.structure(shape, depth)
        if kind == "list":
            count = 0 if depth >= self.max_depth else rng.randint(0, 3)
            return [self.value(shape["member"]["shape"], depth + 1) for _ in range(count)]
        if kind == "map":
            count = 0 if depth >= self.max_depth else rng.randint(0, 3)
            return {
                self.text(): self.value(shape["value"]["shape"], depth + 1) for _ in range(count)
            }
        if kind in ("string", "character"):
            enum = shape.get("enum")
            return rng.choice(enum) if enum else self.text()
        if kind == "boolean":
            return rng.random() < 0.5
        if kind in _INTEGER_BITS:
            bits = _INTEGER_BITS[kind]
            return rng.randint(-(1 << (bits - 1)), (1 << (bits - 1)) - 1)
        if kind in ("float", "double"):
            return rng.choice([0.0, 1.5, -2.25, rng.uniform(-1e6, 1e6)])
        if kind == "blob":
            return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 24)))
        if kind == "timestamp":
            millis = rng.randint(946_684_800_000, 4_102_444_800_000)
            return _EPOCH + _dt.timedelta(milliseconds=millis)
        raise ValueError(f"no generator for shape type {kind!r}")

    def structure(self, shape: dict[str, Any], depth: int) -> dict[str, Any]:
        members = shape.get("members", {})
        if shape.get("union"):
            choices = list(members)
            if depth >= self.max_depth:
                scalar = [
                    m
                    for m in choices
                    if self.shapes[members[m]["shape"]]["type"] not in ("structure", "list", "map")
                ]
                choices = scalar or choices
            name = self.rng.choice(choices)
            value = None
            while value is None:  # a union member is never null
                value = self.value(members[name]["shape"], depth + 1)
            return {name: value}
        out: dict[str, Any] = {}
        for name, ref in members.items():
            # A payload member is always there on the wire (empty at least).
            required = name in shape.get("required", ()) or ref.get("eventpayload")
            if required or (depth < self.max_depth and self.rng.random() < 0.7):
                value = self.value(ref["shape"], depth + 1)
                if value is not None:  # a None member is absent on the wire
                    out[name] = value
        return out

    def document(self, depth: int) -> Any:
        rng = self.rng
        roll = rng.randint(0, 5 if depth < self.max_depth else 3)
        if roll == 0:
            return rng.randint(-1000, 1000)
        if roll == 1:
            return self.text()
        if roll == 2:
            return rng.random() < 0.5
        if roll == 3:
            return None
        if roll == 4:
            return [self.document(depth + 1) for _ in range(rng.randint(0, 3))]
        return {self.text(): self.document(depth + 1) for _ in range(rng.randint(0, 3))}

    def text(self) -> str:
        return "".join(self.rng.choice(_TEXT) for _ in range(self.rng.randint(0, 12)))
