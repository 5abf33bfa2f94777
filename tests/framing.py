"""Raw frame building for tests: CRC-valid frames around arbitrary bytes."""

from __future__ import annotations

import struct
import zlib


def raw_frame(
    header_block: bytes,
    payload: bytes = b"",
    *,
    total: int | None = None,
    headers_length: int | None = None,
) -> bytes:
    """A frame with correct CRCs around any header block, lengths overridable."""
    if total is None:
        total = 16 + len(header_block) + len(payload)
    if headers_length is None:
        headers_length = len(header_block)
    prelude = struct.pack(">II", total, headers_length)
    head = prelude + struct.pack(">I", zlib.crc32(prelude))
    body = head + header_block + payload
    return body + struct.pack(">I", zlib.crc32(body))


def raw_header(name: bytes, wire: int, value: bytes = b"") -> bytes:
    return bytes([len(name)]) + name + bytes([wire]) + value
