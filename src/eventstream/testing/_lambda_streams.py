"""Realistic Lambda ``InvokeWithResponseStream`` response bodies, for testing clients.

A body is ``PayloadChunk`` events carrying the function's output in pieces,
then one ``InvokeComplete`` (Smithy model of Lambda, see
:mod:`eventstream.aws_lambda`).  What varies in real traffic, and so here:
chunk sizes (token-by-token writes of a few bytes up to large buffered
writes), the completion (success; an error code with details; a base64 log
tail, the last 4 KB of the log, when ``LogType=Tail`` was asked), and the
HTTP-integration prelude a function behind a Function URL writes before its
body.  Each stream comes with what a correct client must make of it.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

from .._format import encode
from ..aws_lambda import HttpIntegrationPrelude, InvokeComplete, PayloadChunk

__all__ = ["LambdaStream", "build_lambda_stream", "random_lambda_stream"]

#: ``LogResult`` is at most the last 4 KB of the log, base64-encoded (Lambda API reference).
MAX_LOG_TAIL = 4096

#: Error codes in the shape Lambda reports function failures with; samples for
#: tests, not a list of every code the service can send.
SAMPLE_ERROR_CODES = ("Sandbox.Timedout", "Runtime.ExitError", "Unhandled", "Function.Error")


@dataclass(frozen=True)
class LambdaStream:
    """An encoded response body and what a client must decode from it."""

    #: The ``application/vnd.amazon.eventstream`` body, as Lambda sends it.
    data: bytes
    #: The events in order: ``PayloadChunk``\\ s, then the ``InvokeComplete``
    #: unless the stream was built cut short (``complete=None``).
    events: tuple[PayloadChunk | InvokeComplete, ...]
    #: The function's response body: the chunks joined, minus any HTTP prelude.
    body: bytes
    #: The HTTP-integration prelude the function wrote first, if any.
    http_prelude: HttpIntegrationPrelude | None

    @property
    def complete(self) -> InvokeComplete | None:
        """The final ``InvokeComplete``, or ``None`` for a stream cut short."""
        last = self.events[-1] if self.events else None
        return last if isinstance(last, InvokeComplete) else None

    @property
    def payload(self) -> bytes:
        """Every chunk's payload joined: the HTTP prelude (if any) and the body."""
        return b"".join(e.payload for e in self.events if isinstance(e, PayloadChunk))


def build_lambda_stream(
    body: bytes,
    chunk_sizes: Sequence[int] = (),
    complete: InvokeComplete | None = None,
    http_prelude: HttpIntegrationPrelude | None = None,
    *,
    cut_short: bool = False,
) -> LambdaStream:
    """The stream that sends ``body`` in chunks of ``chunk_sizes`` bytes.

    The joined payload (``http_prelude.to_bytes()`` if given, then ``body``)
    is cut into chunks of the given sizes in order (each at least 1); bytes
    past the sizes go into one last chunk, sizes past the bytes are unused.
    ``complete`` defaults to a successful ``InvokeComplete()``;
    ``cut_short=True`` leaves it out (a stream that broke off).
    """
    joined = (http_prelude.to_bytes() if http_prelude is not None else b"") + bytes(body)
    events: list[PayloadChunk | InvokeComplete] = []
    pos = 0
    for size in chunk_sizes:
        if size < 1:
            raise ValueError(f"chunk sizes must be at least 1, got {size}")
        if pos >= len(joined):
            break
        events.append(PayloadChunk(joined[pos : pos + size]))
        pos += size
    if pos < len(joined):
        events.append(PayloadChunk(joined[pos:]))
    if not cut_short:
        events.append(complete if complete is not None else InvokeComplete())
    data = b"".join(encode(event.to_message()) for event in events)
    return LambdaStream(data, tuple(events), bytes(body), http_prelude)


def _random_body(rng: random.Random, size: int) -> bytes:
    style = rng.randrange(4)
    if style == 0:  # opaque bytes
        return rng.randbytes(size)
    if style == 1:  # server-sent events of a token stream
        out: list[bytes] = []
        produced = 0
        while produced < size:
            token = "".join(rng.choice("abcdefgh \u00e9\u65e5") for _ in range(rng.randint(1, 6)))
            out.append(f"data: {json.dumps({'token': token})}\n\n".encode())
            produced += len(out[-1])
        return b"".join(out)
    if style == 2:  # JSON lines
        lines = [
            json.dumps({"i": i, "v": rng.random()}).encode() + b"\n" for i in range(size // 24)
        ]
        return b"".join(lines)
    return ("lorem ipsum \u00fc\u00df " * (size // 14 + 1)).encode()[
        :size
    ]  # text, maybe cut mid-character


def _random_chunk_sizes(rng: random.Random, total: int) -> list[int]:
    # Token streaming (a few bytes a write), buffered writes, or one big write.
    low, high = rng.choice([(1, 16), (64, 4096), (1, 65536)])
    sizes: list[int] = []
    while sum(sizes) < total:
        sizes.append(rng.randint(low, high))
    return sizes


def _random_log_tail(rng: random.Random) -> str:
    request_id = f"{rng.getrandbits(128):032x}"
    log = "".join(
        [
            f"START RequestId: {request_id} Version: $LATEST\n",
            *(f"line {i}: {'x' * rng.randint(0, 200)}\n" for i in range(rng.randint(0, 60))),
            f"END RequestId: {request_id}\n",
            f"REPORT RequestId: {request_id}\tDuration: {rng.uniform(1, 900):.2f} ms\n",
        ]
    ).encode()
    return base64.b64encode(log[-MAX_LOG_TAIL:]).decode("ascii")


def random_lambda_stream(rng: random.Random, *, max_body: int = 16384) -> LambdaStream:
    """A random realistic stream: body style and size, chunking, completion
    (success or an error code with details, with or without a log tail), and
    an HTTP-integration prelude about a third of the time.  Deterministic
    given ``rng``.
    """
    body = _random_body(rng, rng.randint(0, max_body))
    prelude = None
    if rng.randrange(3) == 0:
        prelude = HttpIntegrationPrelude(
            status_code=rng.choice([200, 201, 302, 404, 500]),
            headers={"content-type": rng.choice(["text/plain", "text/event-stream"])},
            cookies=rng.choice([[], ["session=1; Secure"]]),
        )
    log = _random_log_tail(rng) if rng.randrange(2) else None
    if rng.randrange(3) == 0:
        complete = InvokeComplete(
            error_code=rng.choice(SAMPLE_ERROR_CODES),
            error_details=rng.choice(["", "Task timed out after 3.00 seconds", "exit status 1"]),
            log_result=log,
        )
    else:
        complete = InvokeComplete(log_result=log)
    joined_size = len(body) + (len(prelude.to_bytes()) if prelude else 0)
    return build_lambda_stream(body, _random_chunk_sizes(rng, joined_size), complete, prelude)
