"""Recipe: event-stream messages from an HTTP response with httpx (blocking).

* Streaming switch: ``client.stream(...)`` as a context manager (``client.post``
  would read the whole body first).
* Content decoding off: read ``response.iter_raw()``, which hands over the bytes as
  received (``iter_bytes()`` would undo a Content-Encoding); ``Accept-Encoding:
  identity`` asks the server not to apply one.
* A dropped connection: httpx raises ``RemoteProtocolError`` ("incomplete chunked
  read") or ``ReadError``; named as truncation errors, both surface as
  ``eventstream.TruncatedStreamError``.
* ``timeout`` bounds each wait for data, so set it above the longest pause expected.

Run: ``python examples/httpx_sync.py URL [BODY]`` (POSTs BODY, prints each message).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import httpx

from eventstream import Message
from eventstream.adapters import ClosingIterator, iter_messages

TRUNCATION_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError)


@contextlib.contextmanager
def open_messages(
    url: str, body: bytes = b"", timeout: float = 60.0
) -> Iterator[ClosingIterator[Message]]:
    """POST ``body`` to ``url``; the messages of the reply, as they arrive."""
    headers = {"Accept-Encoding": "identity"}
    with (
        httpx.Client(timeout=timeout) as client,
        client.stream("POST", url, content=body, headers=headers) as response,
    ):
        response.raise_for_status()
        with iter_messages(response.iter_raw(), truncation_errors=TRUNCATION_ERRORS) as messages:
            yield messages


if __name__ == "__main__":
    with open_messages(sys.argv[1], sys.argv[2].encode() if sys.argv[2:] else b"") as messages:
        for message in messages:
            print(message, flush=True)
