"""Sample streams for the adapter and recipe tests: messages, Lambda events, bytes."""

from __future__ import annotations

import eventstream as es
from eventstream.aws_lambda import InvokeComplete, PayloadChunk

#: A few messages of different shapes; the third (3 KiB) spans many pieces.
MESSAGES = [
    es.Message({":event-type": "first", "n": es.Integer(1)}, b"hello"),
    es.Message({":event-type": "empty"}, b""),
    es.Message({":event-type": "big", "raw": b"\x00\xff"}, bytes(range(256)) * 12),
    es.Message({}, b"last"),
]


def encode_all(messages: list[es.Message]) -> bytes:
    return b"".join(es.encode(message) for message in messages)


STREAM = encode_all(MESSAGES)


def boundaries(messages: list[es.Message]) -> list[int]:
    """Stream offsets where each message starts, and the end of the last."""
    offsets = [0]
    for message in messages:
        offsets.append(offsets[-1] + len(es.encode(message)))
    return offsets


#: The body of a successful InvokeWithResponseStream: three chunks, then the end.
LAMBDA_EVENTS = [
    PayloadChunk(b'{"part": 1}\n'),
    PayloadChunk(b"x" * 2000),
    PayloadChunk(b"done\n"),
    InvokeComplete(),
]
LAMBDA_STREAM = encode_all([event.to_message() for event in LAMBDA_EVENTS])
