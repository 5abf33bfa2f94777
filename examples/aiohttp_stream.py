"""Recipe: event-stream messages from an HTTP response with aiohttp.

* Streaming switch: none needed; aiohttp streams the body as long as it is read from
  ``response.content`` (a stream reader) and never with ``await response.read()``.
  Its default ``ClientTimeout(total=300)`` would cut a long stream after five
  minutes: ``total=None`` with ``sock_read`` bounds each wait for data instead.
* Content decoding off: ``ClientSession(auto_decompress=False)``; ``Accept-Encoding:
  identity`` asks the server for none (aiohttp asks for gzip/deflate by default).
* A dropped connection: aiohttp raises ``ClientPayloadError`` ("Response payload is
  not completed"), surfaced as ``eventstream.TruncatedStreamError``.

Run: ``python examples/aiohttp_stream.py URL [BODY]``.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import AsyncIterator

import aiohttp

from eventstream import Message
from eventstream.adapters import AsyncClosingIterator, aiter_messages_from_reader

TRUNCATION_ERRORS = (aiohttp.ClientPayloadError,)


@contextlib.asynccontextmanager
async def open_messages(
    url: str, body: bytes = b"", timeout: float = 60.0
) -> AsyncIterator[AsyncClosingIterator[Message]]:
    """POST ``body`` to ``url``; the messages of the reply, as they arrive."""
    session_timeout = aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout)
    headers = {"Accept-Encoding": "identity"}
    async with (
        aiohttp.ClientSession(auto_decompress=False, timeout=session_timeout) as session,
        session.post(url, data=body, headers=headers) as response,
    ):
        response.raise_for_status()
        async with aiter_messages_from_reader(
            response.content, truncation_errors=TRUNCATION_ERRORS
        ) as messages:
            yield messages


async def main(url: str, body: bytes) -> None:
    async with open_messages(url, body) as messages:
        async for message in messages:
            print(message, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2].encode() if sys.argv[2:] else b""))
