"""Plain corruptions: what a bad network, disk or proxy does to a stream.

Unlike the structural mutations these do not keep the CRCs valid: they test
that damage is caught at all (mostly by the checksums) and that nothing but
an :class:`~eventstream.EventStreamError` comes out.  A corruption is not
always detectable (a cut between two messages leaves a shorter valid stream),
so none promises an error.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import NamedTuple

from ._kinds import pick_kind

__all__ = ["CORRUPTION_KINDS", "Corruption", "corrupt"]


class Corruption(NamedTuple):
    """A damaged copy of a stream."""

    #: One of :data:`CORRUPTION_KINDS`.
    kind: str
    data: bytes


def _bit_flips(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    bits = len(out) * 8
    for bit in rng.sample(range(bits), min(bits, rng.randint(1, 3))):  # distinct bits
        out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(len(data))]


def _insert_garbage(data: bytes, rng: random.Random) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + rng.randbytes(rng.randint(1, 64)) + data[at:]


def _overwrite_garbage(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    size = rng.randint(1, min(64, len(data) - at))
    return data[:at] + rng.randbytes(size) + data[at + size :]


def _drop_bytes(data: bytes, rng: random.Random) -> bytes:
    at = rng.randrange(len(data))
    return data[:at] + data[at + rng.randint(1, min(64, len(data) - at)) :]


_CORRUPTERS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "bit_flips": _bit_flips,
    "truncate": _truncate,
    "insert_garbage": _insert_garbage,
    "overwrite_garbage": _overwrite_garbage,
    "drop_bytes": _drop_bytes,
}

#: Every kind of corruption :func:`corrupt` makes.
CORRUPTION_KINDS: tuple[str, ...] = tuple(_CORRUPTERS)


def corrupt(data: bytes, rng: random.Random, kind: str | None = None) -> Corruption:
    """A damaged copy of ``data`` (not empty): 1 to 3 flipped bits, a strict
    prefix, up to 64 random bytes inserted, overwritten or dropped.

    ``kind`` picks one of :data:`CORRUPTION_KINDS`; by default ``rng`` does.
    The result always differs from ``data`` except when random bytes happen
    to overwrite equal ones.
    """
    if not data:
        raise ValueError("corrupt() needs at least one byte to damage")
    kind, corrupter = pick_kind(_CORRUPTERS, kind, rng, "corruption")
    return Corruption(kind, corrupter(bytes(data), rng))
