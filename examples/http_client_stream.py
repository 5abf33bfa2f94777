"""Recipe: event-stream messages from an HTTP response with the standard library's
``http.client`` (no third-party package).

* Streaming switch: none needed; ``getresponse()`` returns once the head is read and
  the body is a file.  ``iter_messages_from_file`` reads it with ``readinto1``, which
  returns what has arrived (one chunk of a chunked body) instead of waiting for a
  full buffer, so messages come out as they arrive.
* Content decoding off: ``http.client`` never decodes, and sends ``Accept-Encoding:
  identity`` unless told otherwise.
* A dropped connection: ``http.client.IncompleteRead`` (or a ``ConnectionError``
  such as a reset), surfaced as ``eventstream.TruncatedStreamError``.

Run: ``python examples/http_client_stream.py URL [BODY]``.
"""

from __future__ import annotations

import contextlib
import http.client
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

from eventstream import Message
from eventstream.adapters import ClosingIterator, iter_messages_from_file

TRUNCATION_ERRORS = (http.client.IncompleteRead, ConnectionError)


@contextlib.contextmanager
def open_messages(
    url: str, body: bytes = b"", timeout: float = 60.0
) -> Iterator[ClosingIterator[Message]]:
    """POST ``body`` to ``url``; the messages of the reply, as they arrive."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.netloc, timeout=timeout)
    try:
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection.request("POST", target, body=body)
        response = connection.getresponse()
        if response.status >= 300:
            raise http.client.HTTPException(f"HTTP {response.status} {response.reason} from {url}")
        with iter_messages_from_file(response, truncation_errors=TRUNCATION_ERRORS) as messages:
            yield messages
    finally:
        connection.close()


if __name__ == "__main__":
    with open_messages(sys.argv[1], sys.argv[2].encode() if sys.argv[2:] else b"") as messages:
        for message in messages:
            print(message, flush=True)
