"""Recipe: event-stream messages from an HTTP response with httpx (asyncio).

* Streaming switch: ``client.stream(...)`` as an async context manager.
* Content decoding off: read ``response.aiter_raw()`` (``aiter_bytes()`` would undo
  a Content-Encoding); ``Accept-Encoding: identity`` asks for none.
* A dropped connection: ``RemoteProtocolError`` or ``ReadError``, surfaced as
  ``eventstream.TruncatedStreamError``.
* Leaving the ``async with`` block early (``break``, an exception, cancellation)
  closes the adapter, the response and the client; nothing is left running.

Run: ``python examples/httpx_async.py URL [BODY]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator

import httpx

from eventstream import Message
from eventstream.adapters import AsyncClosingIterator, aiter_messages

TRUNCATION_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError)


@contextlib.asynccontextmanager
async def open_messages(
    url: str, body: bytes = b"", timeout: float = 60.0
) -> AsyncIterator[AsyncClosingIterator[Message]]:
    """POST ``body`` to ``url``; the messages of the reply, as they arrive."""
    headers = {"Accept-Encoding": "identity"}
    async with (
        httpx.AsyncClient(timeout=timeout) as client,
        client.stream("POST", url, content=body, headers=headers) as response,
    ):
        response.raise_for_status()
        async with aiter_messages(
            response.aiter_raw(), truncation_errors=TRUNCATION_ERRORS
        ) as messages:
            yield messages


async def main(url: str, body: bytes) -> None:
    async with open_messages(url, body) as messages:
        async for message in messages:
            print(message, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2].encode() if sys.argv[2:] else b""))
