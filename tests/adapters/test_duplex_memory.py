"""Memory stays flat over long duplex sessions, measured with tracemalloc.

Both peers run in this process, so the figures cover the session, the server and
everything in flight between them.  Each test samples the traced memory after a
warm-up and at the end; the growth between the two samples must stay far below what
was sent (megabytes), and the peak below a few receive windows.  Run with
``pytest -s`` to see the figures.
"""

from __future__ import annotations

import asyncio
import tracemalloc
from collections.abc import Coroutine
from typing import Any, Callable

import pytest

import eventstream as es
from eventstream.adapters import DuplexSession
from eventstream.testing import LoopbackH2Server, Receive, ReceiveEnd, Respond, Send, Stall, Step

pytest.importorskip("h2")

KIB = 1024
CONTENT_TYPE = {"content-type": "application/vnd.amazon.eventstream"}


def event(kind: str, payload: bytes) -> es.Message:
    return es.Message({":event-type": kind, ":message-type": "event"}, payload)


def echo(message: es.Message) -> list[es.Message]:
    return [event("Echo", message.payload)]


def run_traced(
    main: Callable[[], Coroutine[Any, Any, None]], samples: dict[str, int], label: str
) -> tuple[int, int]:
    """Run ``main`` under tracemalloc; it records ``warm`` (traced memory after its
    warm-up, where it also resets the peak), ``end`` and ``peak``.  Returns the growth
    from warm-up to end and the peak above the warm-up figure, and prints them."""
    tracemalloc.start()
    try:
        asyncio.run(main())
    finally:
        tracemalloc.stop()
    growth = samples["end"] - samples["warm"]
    peak = samples["peak"] - samples["warm"]
    print(
        f"\n{label}: traced after warm-up {samples['warm'] / KIB:.0f} KiB, at the end "
        f"{samples['end'] / KIB:.0f} KiB (growth {growth / KIB:+.0f} KiB), peak "
        f"{peak / KIB:+.0f} KiB above warm-up"
    )
    return growth, peak


def test_memory_stays_flat_over_a_long_interleaved_session() -> None:
    # 1024 events of 2 KiB each way (2 MiB up, 2 MiB down), each answered as it comes.
    count, size = 1024, 2 * KIB
    samples: dict[str, int] = {}

    async def main() -> None:
        async with LoopbackH2Server([Respond(echo)], keep_events=False) as server:
            async with DuplexSession(server.url + "/s", CONTENT_TYPE) as session:
                payload = b"p" * size
                for i in range(count):
                    await session.send(event("Audio", payload))
                    answer = await session.receive()
                    assert answer is not None and len(answer.payload) == size
                    if i == 256:
                        samples["warm"] = tracemalloc.get_traced_memory()[0]
                        tracemalloc.reset_peak()
                samples["end"], samples["peak"] = tracemalloc.get_traced_memory()
                await session.end()
                assert await session.receive() is None
            assert server.requests[0].received == count

    growth, peak = run_traced(main, samples, f"interleaved, {count} x {size} B each way")
    assert growth < 256 * KIB
    assert peak < 1024 * KIB


def test_memory_stays_flat_when_the_reader_is_slow() -> None:
    # The server has 4 MiB to send (1024 events of 4 KiB) as fast as it can; the
    # client takes them slowly.  With a 64 KiB receive window nothing may pile up.
    count, size, window = 1024, 4 * KIB, 64 * KIB
    script = [Send(event("Out", bytes([i % 256]) * size)) for i in range(count)]
    samples: dict[str, int] = {}

    async def main() -> None:
        async with (
            LoopbackH2Server(script) as server,
            DuplexSession(server.url + "/s", CONTENT_TYPE, receive_window=window) as session,
        ):
            await session.end()
            for i in range(count):
                message = await session.receive()
                assert message is not None and message.payload[0] == i % 256
                if i % 256 == 0:
                    await asyncio.sleep(0.01)  # the slow part
                if i == 256:
                    samples["warm"] = tracemalloc.get_traced_memory()[0]
                    tracemalloc.reset_peak()
            samples["end"], samples["peak"] = tracemalloc.get_traced_memory()
            assert await session.receive() is None

    label = f"slow reader, {count} x {size} B down, window {window // KIB} KiB"
    growth, peak = run_traced(main, samples, label)
    assert growth < 256 * KIB
    # A few windows: the server's h2 buffers, our inbox, the decoder, one message.
    assert peak < 4 * window + 256 * KIB


def test_memory_stays_flat_when_the_server_reads_slowly() -> None:
    # The client has 4 MiB to send (1024 events of 4 KiB) as fast as send() lets it;
    # the server takes 64 events, pauses, and so on, with a 64 KiB window.
    count, size, window = 1024, 4 * KIB, 64 * KIB
    script: list[Step] = []
    for _ in range(count // 64):
        script += [Receive(64), Stall(0.005)]
    script.append(ReceiveEnd())
    samples: dict[str, int] = {}

    async def main() -> None:
        async with LoopbackH2Server(script, receive_window=window, keep_events=False) as server:
            async with DuplexSession(server.url + "/s", CONTENT_TYPE) as session:
                payload = b"u" * size
                for i in range(count):
                    await session.send(event("Audio", payload))
                    if i == 256:
                        samples["warm"] = tracemalloc.get_traced_memory()[0]
                        tracemalloc.reset_peak()
                samples["end"], samples["peak"] = tracemalloc.get_traced_memory()
                await session.end()
                assert await session.receive() is None
            assert server.requests[0].received == count

    label = f"slow server, {count} x {size} B up, window {window // KIB} KiB"
    growth, peak = run_traced(main, samples, label)
    assert growth < 256 * KIB
    assert peak < 4 * window + 256 * KIB
