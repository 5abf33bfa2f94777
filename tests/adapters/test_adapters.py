"""The adapters (eventstream.adapters) over in-memory sources and real sockets.

Each source kind: whole streams in random pieces (1-byte pieces included) decode to
the same messages; a cut stream raises TruncatedStreamError; a source error named
in ``truncation_errors`` becomes one (inside a message or between two); early stops
and cancellation close what the adapter owns and leave nothing running.
"""

from __future__ import annotations

import asyncio
import http.client
import io
import random
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

import eventstream as es
from eventstream.adapters import (
    aiter_events,
    aiter_events_from_reader,
    aiter_messages,
    aiter_messages_from_reader,
    iter_events,
    iter_events_from_file,
    iter_messages,
    iter_messages_from_file,
)
from eventstream.aws_lambda import IncompleteStreamError

from ..loopback import CannedResponse, LoopbackServer, random_pieces
from ..streams import LAMBDA_EVENTS, LAMBDA_STREAM, MESSAGES, STREAM, boundaries

SEEDS = range(5)


class SourceCut(Exception):
    """Stands for a client's "connection dropped mid-body" error."""


class TrackedChunks:
    """A chunk iterator that records whether it was closed, and can fail at the end."""

    def __init__(self, pieces: list[bytes], fail_with: BaseException | None = None) -> None:
        self._pieces = iter(pieces)
        self._fail_with = fail_with
        self.closed = False

    def __iter__(self) -> TrackedChunks:
        return self

    def __next__(self) -> bytes:
        for piece in self._pieces:
            return piece
        if self._fail_with is not None:
            raise self._fail_with
        raise StopIteration

    def close(self) -> None:
        self.closed = True


class TrackedAsyncChunks:
    """The async counterpart; ``wait`` makes it block (for cancellation) when empty."""

    def __init__(
        self, pieces: list[bytes], fail_with: BaseException | None = None, wait: bool = False
    ) -> None:
        self._pieces = iter(pieces)
        self._fail_with = fail_with
        self._wait = wait
        self.closed = False

    def __aiter__(self) -> TrackedAsyncChunks:
        return self

    async def __anext__(self) -> bytes:
        await asyncio.sleep(0)
        for piece in self._pieces:
            return piece
        if self._wait:
            await asyncio.Event().wait()
        if self._fail_with is not None:
            raise self._fail_with
        raise StopAsyncIteration

    async def aclose(self) -> None:
        self.closed = True


class RecordingFile(io.RawIOBase):
    """A file that gives at most ``step`` bytes per read and records the buffers used."""

    def __init__(self, data: bytes, step: int, with_readinto1: bool = True) -> None:
        self._data = io.BytesIO(data)
        self._step = step
        self.buffers: list[object] = []
        self.calls: list[str] = []
        if not with_readinto1:
            self.readinto1 = None  # type: ignore[method-assign]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.calls.append("readinto")
        return self._read(buffer)

    def readinto1(self, buffer: Any) -> int:
        self.calls.append("readinto1")
        return self._read(buffer)

    def _read(self, buffer: Any) -> int:
        self.buffers.append(buffer.obj)
        chunk = self._data.read(min(self._step, len(buffer)))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def stream_reader(data: bytes, eof: bool = True) -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    reader.feed_data(data)
    if eof:
        reader.feed_eof()
    return reader


async def collect(messages: AsyncIterator[Any]) -> list[Any]:
    return [message async for message in messages]


def read_all(adapter: Any, data: bytes, **options: Any) -> list[Any]:
    """Run ``adapter`` over a StreamReader holding ``data`` (made inside the loop)."""

    async def run() -> list[Any]:
        return await collect(adapter(stream_reader(data), **options))

    return asyncio.run(run())


# --- whole streams in random pieces ---------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_iter_messages_random_pieces(seed: int) -> None:
    pieces = random_pieces(STREAM, random.Random(seed), max_size=97)
    assert any(len(piece) == 1 for piece in pieces)
    assert list(iter_messages(pieces)) == MESSAGES


@pytest.mark.parametrize("seed", SEEDS)
def test_aiter_messages_random_pieces(seed: int) -> None:
    pieces = random_pieces(STREAM, random.Random(seed), max_size=97)
    assert asyncio.run(collect(aiter_messages(TrackedAsyncChunks(pieces)))) == MESSAGES


@pytest.mark.parametrize("step", [1, 7, 4096])
@pytest.mark.parametrize("read_size", [1, 13, 65536])
def test_iter_messages_from_file_reuses_one_buffer(step: int, read_size: int) -> None:
    file = RecordingFile(STREAM, step)
    assert list(iter_messages_from_file(file, read_size=read_size)) == MESSAGES
    # One buffer for every read, overwritten each time, and still the right messages.
    assert len(file.buffers) > 1
    assert all(buffer is file.buffers[0] for buffer in file.buffers)
    assert len(file.buffers[0]) == read_size  # type: ignore[arg-type]


def test_iter_messages_from_file_prefers_readinto1() -> None:
    with_1 = RecordingFile(STREAM, 100)
    list(iter_messages_from_file(with_1))
    assert set(with_1.calls) == {"readinto1"}
    without_1 = RecordingFile(STREAM, 100, with_readinto1=False)
    assert list(iter_messages_from_file(without_1)) == MESSAGES
    assert set(without_1.calls) == {"readinto"}


def test_iter_messages_from_real_files(tmp_path: Any) -> None:
    path = tmp_path / "stream.bin"
    path.write_bytes(STREAM)
    with open(path, "rb") as file:
        assert list(iter_messages_from_file(file, read_size=50)) == MESSAGES
    with open(path, "rb", buffering=0) as raw:
        assert list(iter_messages_from_file(raw, read_size=50)) == MESSAGES


@pytest.mark.parametrize("read_size", [1, 10, 65536])
def test_aiter_messages_from_reader(read_size: int) -> None:
    async def run() -> list[es.Message]:
        return await collect(
            aiter_messages_from_reader(stream_reader(STREAM), read_size=read_size)
        )

    assert asyncio.run(run()) == MESSAGES


def test_bad_read_size_is_refused_at_the_call() -> None:
    with pytest.raises(ValueError, match="read_size"):
        iter_messages_from_file(io.BytesIO(STREAM), read_size=0)
    with pytest.raises(ValueError, match="read_size"):
        aiter_messages_from_reader(io.BytesIO(), read_size=-1)  # type: ignore[arg-type]


def test_text_chunks_are_a_clear_type_error() -> None:
    with pytest.raises(TypeError, match="gave a str, expected bytes-like"):
        list(iter_messages(["text"]))  # type: ignore[list-item]


def test_non_blocking_file_is_refused() -> None:
    class WouldBlock(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> None:
            return None

    with pytest.raises(BlockingIOError, match="blocking file"):
        list(iter_messages_from_file(WouldBlock()))


def test_errors_in_the_stream_are_the_decoders() -> None:
    corrupt = bytearray(STREAM)
    corrupt[boundaries(MESSAGES)[1] + 20] ^= 1
    got: list[es.Message] = []
    with pytest.raises(es.MessageChecksumError):
        got.extend(iter_messages([bytes(corrupt)]))
    # The good first message came out before the error: feed() defers it.
    assert got == MESSAGES[:1]
    with pytest.raises(es.MessageChecksumError):
        list(iter_messages_from_file(io.BytesIO(bytes(corrupt)), read_size=7))


# --- truncation --------------------------------------------------------------------

CUTS = [
    pytest.param(boundaries(MESSAGES)[2] + 5, 2, id="inside-prelude"),
    pytest.param(boundaries(MESSAGES)[2] + 100, 2, id="inside-body"),
    pytest.param(len(STREAM) - 1, 3, id="last-byte-missing"),
]


@pytest.mark.parametrize(("cut", "complete"), CUTS)
def test_every_adapter_raises_truncated_on_a_cut_stream(cut: int, complete: int) -> None:
    data = STREAM[:cut]
    start = boundaries(MESSAGES)[complete]

    def check(run: Any) -> None:
        got: list[es.Message] = []
        with pytest.raises(es.TruncatedStreamError) as info:
            run(got)
        assert got == MESSAGES[:complete]
        assert info.value.message_offset == start

    pieces = random_pieces(data, random.Random(cut), 50)
    check(lambda got: got.extend(iter_messages(pieces)))
    check(lambda got: got.extend(iter_messages_from_file(io.BytesIO(data), read_size=9)))

    async def from_async(got: list[es.Message]) -> None:
        async for message in aiter_messages(TrackedAsyncChunks(pieces)):
            got.append(message)

    async def from_reader(got: list[es.Message]) -> None:
        async for message in aiter_messages_from_reader(stream_reader(data), read_size=9):
            got.append(message)

    check(lambda got: asyncio.run(from_async(got)))
    check(lambda got: asyncio.run(from_reader(got)))


@pytest.mark.parametrize("cut_at", [0, 1, 2, 3])
def test_source_error_becomes_truncated_between_messages(cut_at: int) -> None:
    """Framing cannot see a cut between messages; the client's error can."""
    data = STREAM[: boundaries(MESSAGES)[cut_at]]
    source = TrackedChunks([data] if data else [], fail_with=SourceCut("dropped"))
    got: list[es.Message] = []
    with pytest.raises(es.TruncatedStreamError, match="between messages") as info:
        got.extend(iter_messages(source, truncation_errors=(SourceCut,)))
    assert got == MESSAGES[:cut_at]
    assert info.value.offset == len(data)
    assert isinstance(info.value.__cause__, SourceCut)
    assert source.closed


def test_source_error_inside_a_message_is_the_decoders_truncation() -> None:
    data = STREAM[: boundaries(MESSAGES)[1] + 3]
    with pytest.raises(es.TruncatedStreamError, match="expected a 12-byte prelude") as info:
        list(iter_messages(TrackedChunks([data], SourceCut()), truncation_errors=(SourceCut,)))
    assert info.value.message_offset == boundaries(MESSAGES)[1]
    assert isinstance(info.value.__cause__, SourceCut)


def test_source_errors_not_named_pass_through() -> None:
    with pytest.raises(SourceCut):
        list(iter_messages(TrackedChunks([STREAM], SourceCut())))
    with pytest.raises(SourceCut):
        list(iter_messages(TrackedChunks([STREAM], SourceCut()), truncation_errors=(KeyError,)))


def test_async_and_file_sources_map_truncation_errors() -> None:
    data = STREAM[: boundaries(MESSAGES)[2]]

    class FailingFile(io.RawIOBase):
        def __init__(self) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            chunk = self._data.read(len(buffer))
            if not chunk:
                raise SourceCut("reset")
            buffer[: len(chunk)] = chunk
            return len(chunk)

    class FailingReader:
        def __init__(self) -> None:
            self._data = io.BytesIO(data)

        async def read(self, n: int = -1) -> bytes:
            chunk = self._data.read(n)
            if not chunk:
                raise SourceCut("reset")
            return chunk

    with pytest.raises(es.TruncatedStreamError, match="between messages") as info:
        list(iter_messages_from_file(FailingFile(), truncation_errors=(SourceCut,)))
    assert info.value.offset == len(data)
    with pytest.raises(es.TruncatedStreamError, match="between messages"):
        asyncio.run(
            collect(
                aiter_messages(
                    TrackedAsyncChunks([data], SourceCut()), truncation_errors=(SourceCut,)
                )
            )
        )
    with pytest.raises(es.TruncatedStreamError, match="between messages"):
        asyncio.run(
            collect(aiter_messages_from_reader(FailingReader(), truncation_errors=(SourceCut,)))
        )


# --- early stop, ownership, cancellation ------------------------------------------


def test_early_stop_closes_the_owned_iterator_without_end_check() -> None:
    source = TrackedChunks([STREAM[:-1]])  # cut: a full read would raise
    with iter_messages(source) as messages:
        assert next(messages) == MESSAGES[0]
    assert source.closed
    closed_by_call = TrackedChunks([STREAM])
    messages = iter_messages(closed_by_call)
    next(messages)
    messages.close()
    assert closed_by_call.closed
    with pytest.raises(StopIteration):
        next(messages)


def test_owned_iterator_closed_on_error_and_on_end() -> None:
    failing = TrackedChunks([STREAM[:-1]])
    with pytest.raises(es.TruncatedStreamError):
        list(iter_messages(failing))
    assert failing.closed
    finished = TrackedChunks([STREAM])
    assert list(iter_messages(finished)) == MESSAGES
    assert finished.closed


def test_generator_sources_are_closed_on_early_stop() -> None:
    finalized: list[bool] = []

    def chunks() -> Iterator[bytes]:
        try:
            yield from random_pieces(STREAM, random.Random(0), 10)
        finally:
            finalized.append(True)

    with iter_messages(chunks()) as messages:
        next(messages)
    assert finalized == [True]


def test_file_is_not_closed_by_the_adapter() -> None:
    file = io.BytesIO(STREAM)
    with iter_messages_from_file(file) as messages:
        next(messages)
    assert not file.closed
    list(iter_messages_from_file(io.BytesIO(STREAM)))  # runs to the end: still fine


def test_decoder_passed_in_can_be_inspected() -> None:
    decoder = es.Decoder(max_message_size=4096)
    assert list(iter_messages([STREAM], decoder=decoder)) == MESSAGES
    assert decoder.offset == len(STREAM)
    small = es.Decoder(max_message_size=100)
    with pytest.raises(es.MessageTooLargeError):
        list(iter_messages([STREAM], decoder=small))


def test_async_early_stop_closes_the_owned_iterator() -> None:
    async def run() -> TrackedAsyncChunks:
        source = TrackedAsyncChunks([STREAM[:-1]])
        async with aiter_messages(source) as messages:
            async for message in messages:
                assert message == MESSAGES[0]
                break
        return source

    assert asyncio.run(run()).closed


def test_async_generator_source_is_finalized_on_early_stop() -> None:
    finalized: list[bool] = []

    async def chunks() -> AsyncIterator[bytes]:
        try:
            for piece in random_pieces(STREAM, random.Random(1), 10):
                await asyncio.sleep(0)
                yield piece
        finally:
            finalized.append(True)

    async def run() -> None:
        async with aiter_messages(chunks()) as messages:
            await messages.__anext__()
        assert finalized == [True]

    asyncio.run(run())


@pytest.mark.parametrize("source_kind", ["async-iterable", "reader"])
def test_cancellation_while_waiting_leaves_nothing_running(source_kind: str) -> None:
    async def run() -> None:
        got: list[es.Message] = []
        first = STREAM[: boundaries(MESSAGES)[1] + 4]  # one message and a bit
        chunks = TrackedAsyncChunks([first], wait=True)
        reader = stream_reader(first, eof=False)

        async def consume() -> None:
            messages = (
                aiter_messages(chunks)
                if source_kind == "async-iterable"
                else aiter_messages_from_reader(reader)
            )
            async with messages:
                async for message in messages:
                    got.append(message)

        task = asyncio.ensure_future(consume())
        while not got:
            await asyncio.sleep(0.001)
        await asyncio.sleep(0.01)  # now blocked waiting for more
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert got == MESSAGES[:1]
        if source_kind == "async-iterable":
            assert chunks.closed
        assert asyncio.all_tasks() == {asyncio.current_task()}

    asyncio.run(run())


# --- Lambda events -----------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_lambda_event_adapters(seed: int) -> None:
    pieces = random_pieces(LAMBDA_STREAM, random.Random(seed), 64)
    assert list(iter_events(pieces)) == LAMBDA_EVENTS
    file = io.BytesIO(LAMBDA_STREAM)
    assert list(iter_events_from_file(file, read_size=seed + 1)) == LAMBDA_EVENTS
    assert asyncio.run(collect(aiter_events(TrackedAsyncChunks(pieces)))) == LAMBDA_EVENTS
    assert read_all(aiter_events_from_reader, LAMBDA_STREAM, read_size=5) == LAMBDA_EVENTS


def test_lambda_adapters_catch_a_cut_between_messages() -> None:
    """Without InvokeComplete the stream is incomplete even at a message boundary."""
    events = [event.to_message() for event in LAMBDA_EVENTS]
    data = LAMBDA_STREAM[: boundaries(events)[3]]  # three chunks, no completion
    got: list[Any] = []
    with pytest.raises(IncompleteStreamError) as info:
        got.extend(iter_events([data]))
    assert got == LAMBDA_EVENTS[:3]
    assert info.value.chunk_count == 3
    with pytest.raises(IncompleteStreamError):
        list(iter_events_from_file(io.BytesIO(data)))
    with pytest.raises(IncompleteStreamError):
        read_all(aiter_events_from_reader, data)
    with pytest.raises(IncompleteStreamError):
        asyncio.run(
            collect(
                aiter_events(
                    TrackedAsyncChunks([data], SourceCut()), truncation_errors=(SourceCut,)
                )
            )
        )


# --- real sockets: http.client's response as a file, asyncio's StreamReader ----------


def _loopback_response(data: bytes, seed: int, **options: Any) -> CannedResponse:
    return CannedResponse(
        headers=[("Content-Type", "application/vnd.amazon.eventstream")],
        pieces=random_pieces(data, random.Random(seed), 200),
        **options,
    )


def _http_client_file(server: LoopbackServer) -> tuple[http.client.HTTPConnection, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", "/")
    return connection, connection.getresponse()


@pytest.mark.parametrize("seed", [0, 1])
def test_file_adapter_over_a_chunked_socket(seed: int) -> None:
    with LoopbackServer(_loopback_response(STREAM, seed, pause=0.002)) as server:
        connection, response = _http_client_file(server)
        try:
            assert list(iter_messages_from_file(response, read_size=100)) == MESSAGES
        finally:
            connection.close()
    with LoopbackServer(_loopback_response(LAMBDA_STREAM, seed)) as server:
        connection, response = _http_client_file(server)
        try:
            assert list(iter_events_from_file(response)) == LAMBDA_EVENTS
        finally:
            connection.close()


def test_file_adapter_over_a_dropped_socket() -> None:
    cut = boundaries(MESSAGES)[2] + 30
    pieces = random_pieces(STREAM[:cut], random.Random(3), 200)
    response_spec = CannedResponse(pieces=pieces, drop_after=len(pieces))
    with LoopbackServer(response_spec) as server:
        connection, response = _http_client_file(server)
        got: list[es.Message] = []
        try:
            with pytest.raises(es.TruncatedStreamError) as info:
                got.extend(
                    iter_messages_from_file(
                        response, truncation_errors=(http.client.IncompleteRead,)
                    )
                )
        finally:
            connection.close()
    assert got == MESSAGES[:2]
    assert info.value.message_offset == boundaries(MESSAGES)[2]
    assert isinstance(info.value.__cause__, http.client.IncompleteRead)


async def _open_raw_body(server: LoopbackServer) -> tuple[asyncio.StreamReader, Any]:
    """Connect with asyncio streams, send a request, skip the response head."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    return reader, writer


@pytest.mark.parametrize(
    ("data", "adapter", "expected"),
    [
        (STREAM, aiter_messages_from_reader, MESSAGES),
        (LAMBDA_STREAM, aiter_events_from_reader, LAMBDA_EVENTS),
    ],
    ids=["messages", "events"],
)
def test_reader_adapter_over_a_socket(data: bytes, adapter: Any, expected: list[Any]) -> None:
    # Content-Length framing: the body is the raw stream, end of stream is EOF.
    spec = _loopback_response(data, 5, chunked=False, pause=0.002)
    with LoopbackServer(spec) as server:

        async def run() -> list[Any]:
            reader, writer = await _open_raw_body(server)
            try:
                return await collect(adapter(reader, read_size=64))
            finally:
                writer.close()

        assert asyncio.run(run()) == expected


@pytest.mark.parametrize("adapter", [aiter_messages_from_reader, aiter_events_from_reader])
def test_reader_adapter_over_a_dropped_socket(adapter: Any) -> None:
    data = LAMBDA_STREAM if adapter is aiter_events_from_reader else STREAM
    cut = len(data) - 10
    pieces = random_pieces(data[:cut], random.Random(4), 300)
    spec = CannedResponse(pieces=pieces, chunked=False, drop_after=len(pieces))
    with LoopbackServer(spec) as server:

        async def run() -> None:
            reader, writer = await _open_raw_body(server)
            try:
                with pytest.raises(es.TruncatedStreamError):
                    await collect(adapter(reader))
            finally:
                writer.close()

        asyncio.run(run())


def test_a_cut_after_invoke_complete_is_still_reported() -> None:
    """Strict: the body did not end cleanly, even if every event arrived."""
    got: list[Any] = []
    source = TrackedChunks([LAMBDA_STREAM], SourceCut("reset"))
    with pytest.raises(es.TruncatedStreamError, match="between messages"):
        got.extend(iter_events(source, truncation_errors=(SourceCut,)))
    assert got == LAMBDA_EVENTS
