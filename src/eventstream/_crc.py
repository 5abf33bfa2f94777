"""CRC-32 as the format uses it (the zlib/gzip polynomial, CRC-32/ISO-HDLC).

The prelude CRC covers bytes 0..7 of a message; the message CRC covers every
byte before it, prelude CRC included (Smithy "Amazon Event Stream" spec).

Goal: the same answers as the stdlib's ``zlib.crc32`` at the best speed
installed.  On large payloads CRC-32 is most of a decoder's cost, and
zlib-ng's and ISA-L's vectorized routines are several times faster than the
stdlib's zlib (README, "Performance"); so when the
optional ``fastcrc`` extra (the ``zlib-ng`` package) or ``isal`` is
installed, its ``crc32`` is used instead.  Both take the same
``(data, value=0)`` arguments as ``zlib.crc32`` and accept any contiguous
buffer, so memoryview slices are checksummed without copying.

A candidate is used only if it gives zlib's answers on a known vector
(``b"123456789"`` -> ``0xCBF43926``, the CRC catalogue's check value), with a
running value and on a memoryview; otherwise, or when neither is installed,
the stdlib's is used.  Either way the library has no runtime dependency.
"""

from __future__ import annotations

import importlib
import zlib
from typing import Protocol

__all__ = ["CRC32_BACKEND", "crc32"]


class Crc32(Protocol):
    """``zlib.crc32``'s signature: the CRC of ``data``, continuing from ``value``."""

    def __call__(self, data: bytes | bytearray | memoryview, value: int = 0, /) -> int: ...


# (backend name, module, attribute), fastest first.
_CANDIDATES = (
    ("zlib-ng", "zlib_ng.zlib_ng", "crc32"),
    ("isal", "isal.isal_zlib", "crc32"),
)

_CHECK = b"123456789"
_CHECK_VALUE = 0xCBF43926


def _agrees_with_zlib(candidate: Crc32) -> bool:
    """True if ``candidate`` gives zlib.crc32's answers in the ways we call it."""
    try:
        view = memoryview(b"xx" + _CHECK)[2:]
        return (
            candidate(_CHECK, 0) == _CHECK_VALUE
            and candidate(view, 0) == _CHECK_VALUE
            and candidate(_CHECK[4:], candidate(_CHECK[:4], 0)) == _CHECK_VALUE
            and candidate(bytearray(_CHECK), 0) == _CHECK_VALUE
        )
    except Exception:  # a broken build must not break the import
        return False


def select_crc32(
    candidates: tuple[tuple[str, str, str], ...] = _CANDIDATES,
) -> tuple[str, Crc32]:
    """The first candidate that imports and agrees with zlib, else the stdlib's."""
    for name, module_name, attribute in candidates:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        candidate = getattr(module, attribute, None)
        if callable(candidate) and _agrees_with_zlib(candidate):
            return name, candidate
    return "zlib", zlib.crc32


#: Which implementation ``crc32`` is: ``"zlib-ng"``, ``"isal"`` or ``"zlib"`` (the stdlib).
CRC32_BACKEND: str
crc32: Crc32
CRC32_BACKEND, crc32 = select_crc32()
