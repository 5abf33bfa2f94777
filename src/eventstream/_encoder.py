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
_HEAD = struct.Struct(">III")
# Up to this payload size the message CRC is one call over the joined bytes.
_ONE_CRC_MAX = 2048


def encode(message: Message) -> bytes:
    """The wire bytes of one message.

    Raises :class:`EncodeError` for what the format cannot carry (see
    :func:`encode_headers`) and for a message over 4 GiB - 1 bytes.
    """
    if not isinstance(message, Message):
        raise EncodeError(f"encode() takes a Message, not {type(message).__name__}")
    headers = message.headers
    header_block = headers._encoded
    if header_block is None:
        header_block = encode_headers(headers)
    payload = message.payload
    headers_length = len(header_block)
    total = MIN_MESSAGE_LENGTH + headers_length + len(payload)
    if total > MAX_UINT32:
        raise EncodeError(f"message of {total} bytes does not fit the uint32 length field")
    head = _HEAD.pack(total, headers_length, crc32(_PRELUDE.pack(total, headers_length)))
    if len(payload) <= _ONE_CRC_MAX:
        # Small: one CRC call over the joined bytes costs less than three
        # calls over the parts; large: the parts, so the payload is copied once.
        body = head + header_block + payload
        return body + _UINT32.pack(crc32(body))
    message_crc = crc32(payload, crc32(header_block, crc32(head)))
    return b"".join((head, header_block, payload, _UINT32.pack(message_crc)))
