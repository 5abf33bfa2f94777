"""The streams the benchmarks decode and encode, and the decoders they race.

Each stream is built once with this library's encoder and cut into the
pieces a socket read would hand over (``bytes`` objects, cut before timing),
so every decoder in a group gets the same bytes in the same pieces.

``EVENTSTREAM_BENCH_SMOKE=1`` shrinks every stream so the whole benchmark
suite runs in a second or two (tests/core/test_benchmarks.py uses it, with
``--benchmark-disable``, to keep this code from rotting); the figures of such
a run mean nothing.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable

from eventstream import Decoder, Message, _format, encode
from eventstream._crc import CRC32_BACKEND
from eventstream._feedgate import FEED_GATE

SMOKE = os.environ.get("EVENTSTREAM_BENCH_SMOKE") == "1"

KIB = 1024
MIB = 1024 * KIB

# What Lambda's InvokeWithResponseStream sends on every chunk: three string
# headers, in this order (fixtures/make_fixtures.py).
LAMBDA_HEADERS = {
    ":event-type": "PayloadChunk",
    ":content-type": "application/octet-stream",
    ":message-type": "event",
}


def scaled(full: int, smoke: int) -> int:
    """``full`` in a benchmark run, ``smoke`` in a smoke run."""
    return smoke if SMOKE else full


@dataclass(frozen=True)
class Stream:
    """``count`` Lambda-like messages of ``payload_size`` bytes each.

    Fed ``piece_size`` bytes at a time, or whole when ``piece_size`` is 0.
    """

    label: str
    payload_size: int
    count: int
    piece_size: int
    data: bytes = field(init=False, repr=False)
    pieces: list[bytes] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        payload = (bytes(range(256)) * (self.payload_size // 256 + 1))[: self.payload_size]
        data = encode(Message(LAMBDA_HEADERS, payload)) * self.count
        step = self.piece_size or len(data)
        object.__setattr__(self, "data", data)
        object.__setattr__(self, "pieces", [data[i : i + step] for i in range(0, len(data), step)])

    @property
    def message_size(self) -> int:
        return len(self.data) // self.count


def decode_eventstream(pieces: list[bytes], python_feed: bool = False) -> int:
    """Our incremental decoder over the pieces; the number of messages.

    ``python_feed``: call the Python ``feed()`` even where the compiled one
    (``eventstream._cfeed``) is built, to show what it is worth.
    """
    decoder = Decoder()
    feed = decoder._feed_py if python_feed else decoder.feed
    count = 0
    for piece in pieces:
        count += len(feed(piece))
    decoder.close()
    return count


def _botocore_decoder() -> Callable[[list[bytes]], int] | None:
    try:
        from botocore.eventstream import EventStreamBuffer
    except ImportError:
        return None

    def decode_botocore(pieces: list[bytes]) -> int:
        """botocore's EventStreamBuffer over the same pieces, as botocore uses it."""
        buffer = EventStreamBuffer()
        add_data = buffer.add_data
        count = 0
        for piece in pieces:
            add_data(piece)
            for _ in buffer:
                count += 1
        return count

    return decode_botocore


def _smithy_encoder() -> Callable[[dict[str, Any], bytes], bytes] | None:
    try:  # Python >= 3.12 only
        from smithy_aws_event_stream.events import EventMessage
    except ImportError:
        return None

    def encode_smithy(headers: dict[str, Any], payload: bytes) -> bytes:
        return EventMessage(headers=headers, payload=payload).encode()

    return encode_smithy


def encode_eventstream(headers: dict[str, Any], payload: bytes) -> bytes:
    """A new Message from a plain dict, then its bytes: what a sender does per event."""
    return encode(Message(headers, payload))


#: Our second variant: the stdlib's CRC-32 while a faster one (the fastcrc
#: extra) is installed, so one run shows the library with and without it.
STDLIB_CRC = "eventstream-stdlib-crc"


@contextmanager
def crc_for(implementation: str) -> Iterator[None]:
    """Run the body with the stdlib's CRC-32 in the codec if ``implementation`` asks for it."""
    if implementation != STDLIB_CRC:
        yield
        return
    saved = _format.crc32
    _format.crc32 = zlib.crc32
    try:
        yield
    finally:
        _format.crc32 = saved


_OURS = ["eventstream"] + ([STDLIB_CRC] if CRC32_BACKEND != "zlib" else [])

#: Our third variant: the Python feed() while the compiled one is built.
PYTHON_FEED = "eventstream-python-feed"

#: name -> decoder of a list of pieces; botocore only where it is installed.
DECODERS: dict[str, Callable[[list[bytes]], int]] = dict.fromkeys(_OURS, decode_eventstream)
if FEED_GATE == "compiled":
    DECODERS[PYTHON_FEED] = partial(decode_eventstream, python_feed=True)
_botocore = _botocore_decoder()
if _botocore is not None:
    DECODERS["botocore"] = _botocore

#: name -> encoder of (headers dict, payload); smithy only where it installs.
ENCODERS: dict[str, Callable[[dict[str, Any], bytes], bytes]] = dict.fromkeys(
    _OURS, encode_eventstream
)
_smithy = _smithy_encoder()
if _smithy is not None:
    ENCODERS["smithy"] = _smithy
