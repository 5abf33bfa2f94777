"""Recipe: event-stream messages from an HTTP response with requests.

* Streaming switch: ``stream=True`` (without it requests reads the whole body).
* Content decoding off: read ``response.raw.stream(n, decode_content=False)``, the
  urllib3 response under requests; ``iter_content()`` would undo a Content-Encoding
  (requests asks for gzip/deflate by default, so send ``Accept-Encoding: identity``).
  On a chunked body each chunk is handed on as it arrives.
* A dropped connection: reading ``raw`` raises urllib3's ``ProtocolError``
  (``iter_content()`` would wrap it in ``ChunkedEncodingError``), surfaced as
  ``eventstream.TruncatedStreamError``.
* ``timeout=(connect, read)``: the read part bounds each wait for data.

Run: ``python examples/requests_stream.py URL [BODY]``.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import requests
import urllib3

from eventstream import Message
from eventstream.adapters import DEFAULT_READ_SIZE, ClosingIterator, iter_messages

TRUNCATION_ERRORS = (urllib3.exceptions.ProtocolError, requests.exceptions.ChunkedEncodingError)


@contextlib.contextmanager
def open_messages(
    url: str, body: bytes = b"", timeout: float = 60.0
) -> Iterator[ClosingIterator[Message]]:
    """POST ``body`` to ``url``; the messages of the reply, as they arrive."""
    headers = {"Accept-Encoding": "identity"}
    with (
        requests.Session() as session,
        session.post(
            url, data=body, headers=headers, stream=True, timeout=(timeout, timeout)
        ) as response,
    ):
        response.raise_for_status()
        chunks = response.raw.stream(DEFAULT_READ_SIZE, decode_content=False)
        with iter_messages(chunks, truncation_errors=TRUNCATION_ERRORS) as messages:
            yield messages


if __name__ == "__main__":
    with open_messages(sys.argv[1], sys.argv[2].encode() if sys.argv[2:] else b"") as messages:
        for message in messages:
            print(message, flush=True)
