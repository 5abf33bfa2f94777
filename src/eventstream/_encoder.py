"""Writing messages.

Layout (big-endian, Smithy "Amazon Event Stream" spec)::

    uint32 total_length | uint32 headers_length | uint32 prelude_crc |
    headers | payload | uint32 message_crc

The prelude CRC covers the first 8 bytes; the message CRC covers every byte
before it, prelude CRC included.
"""

from __future__ import annotations

import struct

from ._crc import crc32
from ._errors import EncodeError
from ._headers import encode_headers
from ._message import Message

PRELUDE_LENGTH = 12
#: Prelude plus message CRC: the size of a message with no headers and no payload.
MIN_MESSAGE_LENGTH = 16
MAX_UINT32 = 0xFFFF_FFFF

_PRELUDE = struct.Struct(">II")
_UINT32 = struct.Struct(">I")


def encode(message: Message) -> bytes:
    """The wire bytes of one message.

    Raises :class:`EncodeError` for what the format cannot carry (see
    :func:`encode_headers`) and for a message over 4 GiB - 1 bytes.
    """
    if not isinstance(message, Message):
        raise EncodeError(f"encode() takes a Message, not {type(message).__name__}")
    header_block = encode_headers(message.headers)
    payload = message.payload
    total = MIN_MESSAGE_LENGTH + len(header_block) + len(payload)
    if total > MAX_UINT32:
        raise EncodeError(f"message of {total} bytes does not fit the uint32 length field")
    prelude = _PRELUDE.pack(total, len(header_block))
    head = prelude + _UINT32.pack(crc32(prelude))
    message_crc = crc32(payload, crc32(header_block, crc32(head)))
    return b"".join((head, header_block, payload, _UINT32.pack(message_crc)))
