"""CRC-32 as the format uses it (the zlib/gzip polynomial, CRC-32/ISO-HDLC).

The prelude CRC covers bytes 0..7 of a message; the message CRC covers every
byte before it, prelude CRC included (Smithy "Amazon Event Stream" spec).
``zlib.crc32`` is the stdlib's C implementation; it accepts any contiguous
buffer, so memoryview slices are checksummed without copying.
"""

from __future__ import annotations

from zlib import crc32

__all__ = ["crc32"]
