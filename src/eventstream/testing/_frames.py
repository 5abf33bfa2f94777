"""Raw frames: correct CRCs around any bytes, so a test reaches the structure.

A fuzzer or a hand-written test that changes a byte of a message also breaks
its CRCs, and the decoder then stops at the checksum: nothing past it is
exercised.  These helpers build (or repair) frames whose CRCs hold whatever
their lengths and headers say.
"""

from __future__ import annotations

from .._crc import crc32
from .._format import LENGTHS, MIN_MESSAGE_LENGTH, PRELUDE_LENGTH, UINT32

__all__ = ["fix_checksums", "raw_frame", "raw_header"]


def raw_frame(
    header_block: bytes,
    payload: bytes = b"",
    *,
    total_length: int | None = None,
    headers_length: int | None = None,
) -> bytes:
    """One frame with both CRCs correct around any header block and payload.

    ``total_length`` and ``headers_length`` (uint32) default to the true
    values; give others to make the prelude lie.  The message CRC is always
    the last 4 bytes and covers every byte before it, whatever the prelude
    claims.
    """
    if total_length is None:
        total_length = MIN_MESSAGE_LENGTH + len(header_block) + len(payload)
    if headers_length is None:
        headers_length = len(header_block)
    prelude = LENGTHS.pack(total_length, headers_length)
    head = prelude + UINT32.pack(crc32(prelude))
    body = head + header_block + payload
    return body + UINT32.pack(crc32(body))


def raw_header(name: bytes, type_code: int, value: bytes = b"") -> bytes:
    """One header's wire bytes, unchecked: ``uint8 len(name) | name | uint8 type | value``.

    ``value`` is written as given, so a string or byte_array value must
    include its own uint16 length field; that is what lets it lie.
    """
    return bytes((len(name),)) + name + bytes((type_code,)) + value


def fix_checksums(stream: bytes) -> bytes:
    """``stream`` with the CRCs of its frames recomputed, walking frames by their preludes.

    Each prelude CRC is recomputed from the 8 bytes before it; the message
    CRC of a frame is recomputed when the frame's claimed total length is at
    least 16 and it fits in what is left.  The walk stops at the first frame
    that does not (its prelude CRC is still fixed, so a decoder gets past it
    and reports the length).  Only CRC bytes change; O(len(stream)).
    """
    out = bytearray(stream)
    pos = 0
    while len(out) - pos >= PRELUDE_LENGTH:
        total, _ = LENGTHS.unpack_from(out, pos)
        UINT32.pack_into(out, pos + 8, crc32(memoryview(out)[pos : pos + 8]))
        if total < MIN_MESSAGE_LENGTH or total > len(out) - pos:
            break
        end = pos + total - 4
        UINT32.pack_into(out, end, crc32(memoryview(out)[pos:end]))
        pos += total
    return bytes(out)
