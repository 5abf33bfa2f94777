"""Recipe: event-stream messages from an HTTP response with urllib3 (1.26 or 2.x).

* Streaming switch: ``preload_content=False``, then ``response.stream(n)``; on a
  chunked body it yields each chunk as it arrives (at most ``n`` bytes at a time).
* Content decoding off: ``stream(..., decode_content=False)``; ``Accept-Encoding:
  identity`` asks the server for none.
* A dropped connection: urllib3 raises ``ProtocolError`` ("Response ended
  prematurely", "Connection broken: InvalidChunkLength"), surfaced as
  ``eventstream.TruncatedStreamError``.
* A partly read connection must not go back to the pool: ``close()`` it before
  ``release_conn()``.

Run: ``python examples/urllib3_stream.py URL [BODY]``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import urllib3

from eventstream import Message
from eventstream.adapters import DEFAULT_READ_SIZE, ClosingIterator, iter_messages

TRUNCATION_ERRORS = (urllib3.exceptions.ProtocolError,)


@contextlib.contextmanager
def open_messages(
    url: str, body: bytes = b"", timeout: float = 60.0
) -> Iterator[ClosingIterator[Message]]:
    """POST ``body`` to ``url``; the messages of the reply, as they arrive."""
    pool = urllib3.PoolManager(timeout=urllib3.Timeout(connect=timeout, read=timeout))
    response = pool.request(
        "POST", url, body=body, headers={"Accept-Encoding": "identity"}, preload_content=False
    )
    try:
        if response.status >= 300:
            raise urllib3.exceptions.HTTPError(f"HTTP {response.status} from {url}")
        chunks = response.stream(DEFAULT_READ_SIZE, decode_content=False)
        with iter_messages(chunks, truncation_errors=TRUNCATION_ERRORS) as messages:
            yield messages
    finally:
        response.close()
        response.release_conn()
        pool.clear()


if __name__ == "__main__":
    with open_messages(sys.argv[1], sys.argv[2].encode() if sys.argv[2:] else b"") as messages:
        for message in messages:
            print(message, flush=True)
