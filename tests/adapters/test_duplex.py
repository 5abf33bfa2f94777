"""DuplexSession against the loopback HTTP/2 server: interleaving, flow control both
ways, deadlines, faults and cancellation (unsigned streams; signed ones are in
test_duplex_signed.py)."""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Iterator, Sequence
from typing import Any, Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream.adapters import (
    ConnectionLostError,
    DuplexSession,
    EventTimeoutError,
    GoAwayError,
    HTTP2ProtocolError,
    ResponseStatusError,
    SendTimeoutError,
    SessionClosedError,
    StreamResetError,
    client_ssl_context,
)
from eventstream.adapters._duplex import FrameLengthGuard
from eventstream.testing import (
    Drop,
    GoAway,
    LoopbackH2Server,
    Receive,
    ReceiveEnd,
    Reset,
    Respond,
    Send,
    Stall,
    Step,
)

from ..conftest import FIXTURES

pytest.importorskip("h2")

CONTENT_TYPE = {"content-type": "application/vnd.amazon.eventstream"}


def event(kind: str, payload: bytes) -> es.Message:
    return es.Message({":event-type": kind, ":message-type": "event"}, payload)


async def tasks_left() -> list[asyncio.Task[Any]]:
    """The tasks still there once the loop has run what was already woken.

    A TLS handshake the client broke off ends in asyncio's own accept task one
    loop turn after the server closes (seen on 3.11); that one may finish, and
    nothing of ours may still be waiting."""
    for _ in range(5):
        await asyncio.sleep(0)
    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]


def run_with_server(
    script: Sequence[Step],
    body: Callable[[LoopbackH2Server], Awaitable[None]],
    **server_options: Any,
) -> LoopbackH2Server:
    """Run ``body`` against a server following ``script``; check that nothing was left
    running afterwards (the session's task, the server's)."""
    servers: list[LoopbackH2Server] = []

    async def main() -> None:
        async with LoopbackH2Server(script, **server_options) as server:
            servers.append(server)
            await body(server)
        assert await tasks_left() == []

    asyncio.run(main())
    return servers[0]


def session(server: LoopbackH2Server, **options: Any) -> DuplexSession:
    options.setdefault("first_event_timeout", 5.0)
    options.setdefault("event_timeout", 5.0)
    options.setdefault("send_timeout", 5.0)
    return DuplexSession(server.url + "/stream", CONTENT_TYPE, **options)


def test_output_events_arrive_before_the_input_ends() -> None:
    # The server answers each input event at once: every answer is read before the
    # next input event is sent, so the directions really interleave.
    def reply(message: es.Message) -> list[es.Message]:
        return [event("Echo", message.payload.upper())]

    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            for i in range(20):
                await s.send(event("Audio", b"chunk %d" % i))
                answer = await s.receive()
                assert answer is not None
                assert answer.payload == b"CHUNK %d" % i
            await s.end()
            assert await s.receive() is None
        request = server.requests[0]
        assert [m.payload for m in request.events] == [b"chunk %d" % i for i in range(20)]
        assert request.ended and request.error is None

    run_with_server([Respond(reply)], body)


def test_nothing_can_be_sent_after_the_end_frame() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            await s.send(event("Audio", b"a"))
            await s.end()
            with pytest.raises(SessionClosedError, match="after 1 events"):
                await s.send(event("Audio", b"late"))
            with pytest.raises(SessionClosedError):
                await s.end()
            assert await s.receive() is None
        assert len(server.requests[0].events) == 1

    run_with_server([ReceiveEnd()], body)


def test_a_slow_reader_holds_the_server_to_the_window() -> None:
    # The server has 200 events of 4 KiB to send; the client takes none for a while.
    # With a 16 KiB receive window, the server can get at most a window's worth out.
    size, count, window = 4096, 200, 16 * 1024
    script: list[Step] = [Send(event("Out", bytes([i % 256]) * size)) for i in range(count)]

    async def body(server: LoopbackH2Server) -> None:
        async with session(server, receive_window=window) as s:
            await asyncio.sleep(0.3)
            request = server.requests[0]
            frame = size + 60  # payload and the headers of one message
            assert request.sent <= window // frame + 1
            assert len(s._inbox) <= window
            received = [m async for m in s]
            assert [m.payload[0] for m in received] == [i % 256 for i in range(count)]
            assert request.sent == count

    run_with_server(script, body)


def test_a_stalled_server_makes_send_wait_not_queue() -> None:
    # The server reads nothing for a while; send() waits once the window is used up.
    # HTTP/2 lets the client use the default 64 KiB window until the server's SETTINGS
    # (16 KiB) arrive, so that is the bound: 16 events of the 50 at most.
    size, window = 4096, 16 * 1024

    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            sender = asyncio.ensure_future(_send_many(s, 50, size))
            await asyncio.sleep(0.25)
            assert not sender.done()
            assert s.events_sent <= 65535 // size + 1
            await sender  # the server resumes reading after its stall
            await s.end()
            assert await s.receive() is None
        assert len(server.requests[0].events) == 50

    run_with_server([Stall(0.4), ReceiveEnd()], body, receive_window=window)


async def _send_many(s: DuplexSession, count: int, size: int) -> None:
    for i in range(count):
        await s.send(event("Audio", bytes([i % 256]) * size))


def test_stream_reset_ends_both_directions() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            await s.send(event("Audio", b"a"))
            with pytest.raises(StreamResetError, match="error code 2") as caught:
                await s.receive()
            assert caught.value.error_code == 2
            with pytest.raises(StreamResetError):
                await s.send(event("Audio", b"b"))

    run_with_server([Receive(1), Reset(2)], body)


def test_goaway_ends_the_session() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            await s.send(event("Audio", b"a"))
            with pytest.raises(GoAwayError, match="GOAWAY") as caught:
                await s.receive()
            assert caught.value.last_stream_id == 0
            with pytest.raises(GoAwayError):
                await s.send(event("Audio", b"b"))

    run_with_server([Receive(1), GoAway(error_code=0, last_stream_id=0)], body)


def test_connection_dropped_mid_message() -> None:
    whole = event("Transcript", b"x" * 100)

    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            await s.send(event("Audio", b"a"))
            first = await s.receive()
            assert first is not None and first.payload == b"first"
            with pytest.raises(ConnectionLostError, match="inside a message") as caught:
                await s.receive()
            assert caught.value.received is not None and caught.value.received > 0
            with pytest.raises(ConnectionLostError):
                await s.send(event("Audio", b"b"))

    run_with_server([Receive(1), Send(event("T", b"first")), Drop(whole, partial=40)], body)


def test_server_that_never_answers_misses_the_first_event_deadline() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async with session(server, first_event_timeout=0.3) as s:
            await s.send(event("Audio", b"a"))
            started = time.monotonic()
            with pytest.raises(EventTimeoutError, match=r"no first event within 0\.3 s"):
                await s.receive()
            assert time.monotonic() - started < 2.0
            with pytest.raises(EventTimeoutError):
                await s.send(event("Audio", b"b"))

    run_with_server([Stall()], body)


def test_server_that_stops_answering_misses_the_between_events_deadline() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async with session(server, event_timeout=0.3) as s:
            assert await s.receive() is not None
            started = time.monotonic()
            with pytest.raises(EventTimeoutError, match=r"within 0\.3 s of asking"):
                await s.receive()
            assert time.monotonic() - started < 2.0

    run_with_server([Send(event("T", b"one")), Stall()], body)


def test_server_that_never_reads_misses_the_send_deadline() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async with session(server, send_timeout=0.3) as s:
            started = time.monotonic()
            with pytest.raises(SendTimeoutError, match="window stayed closed"):
                await _send_many(s, 100, 4096)
            assert time.monotonic() - started < 2.0
            with pytest.raises(SendTimeoutError):
                await s.receive()

    run_with_server([Stall()], body, receive_window=8192)


def test_send_deadline_covers_waiting_for_the_reading_tasks_drain() -> None:
    # The reading task drains its answers to the peer's control frames without a
    # deadline, holding the drain lock while a peer that reads nothing keeps it
    # there. Holding the lock here stands for that: send() must still give up at
    # its own deadline.
    async def body(server: LoopbackH2Server) -> None:
        async with session(server, send_timeout=0.3) as s, s._drain_lock:
            started = time.monotonic()
            with pytest.raises(SendTimeoutError, match="did not read"):
                await asyncio.wait_for(s.send(event("Audio", b"a")), 3.0)
            assert time.monotonic() - started < 2.0

    run_with_server([Stall()], body)


def test_cancelling_a_receive_ends_both_directions() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            waiting = asyncio.ensure_future(s.receive())
            await asyncio.sleep(0.05)
            waiting.cancel()
            with pytest.raises(asyncio.CancelledError):
                await waiting
            with pytest.raises(SessionClosedError, match="cancelled"):
                await s.send(event("Audio", b"a"))
            with pytest.raises(SessionClosedError, match="cancelled"):
                await s.receive()

    run_with_server([Stall()], body)


def test_cancelling_a_send_halfway_ends_the_session() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            # 64 KiB through an 8 KiB window: the send waits halfway through its message.
            sending = asyncio.ensure_future(s.send(event("Audio", b"z" * 65536)))
            await asyncio.sleep(0.1)
            assert not sending.done()
            sending.cancel()
            with pytest.raises(asyncio.CancelledError):
                await sending
            with pytest.raises(SessionClosedError):
                await s.receive()

    run_with_server([Stall()], body, receive_window=8192)


def test_malformed_output_is_the_decoders_error_and_ends_the_session() -> None:
    good = es.encode(event("T", b"fine"))
    bad = bytearray(es.encode(event("T", b"flipped")))
    bad[-1] ^= 1

    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            first = await s.receive()
            assert first is not None and first.payload == b"fine"
            with pytest.raises(es.MessageChecksumError):
                await s.receive()
            with pytest.raises(es.MessageChecksumError):
                await s.send(event("Audio", b"a"))

    run_with_server([Send(good), Send(bytes(bad)), Stall()], body)


def test_connection_refused_is_a_clear_error() -> None:
    async def main() -> None:
        async with LoopbackH2Server() as server:
            url = server.url
        with pytest.raises(ConnectionLostError, match="could not connect"):
            async with DuplexSession(url + "/x", CONTENT_TYPE):
                pass

    asyncio.run(main())


def test_missing_h2_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "h2.events", None)
    with pytest.raises(ImportError, match=r"eventstream-codec\[h2\]"):
        DuplexSession("http://127.0.0.1:1/x")
    with pytest.raises(ImportError, match=r"eventstream-codec\[h2\]"):
        LoopbackH2Server()


def test_a_response_that_ends_early_refuses_further_input_but_keeps_its_events() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            await s.send(event("Audio", b"a"))
            assert [m.payload async for m in s] == [b"done"]
            with pytest.raises(StreamResetError, match="whole response"):
                await _send_many(s, 100, 4096)

    run_with_server([Receive(1), Send(event("T", b"done"))], body)


def test_an_error_status_is_reported_with_its_body() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            with pytest.raises(ResponseStatusError, match="HTTP 403") as caught:
                await s.receive()
            assert caught.value.status == 403
            assert caught.value.body == b'{"message": "denied"}'
            with pytest.raises(ResponseStatusError):
                await s.send(event("Audio", b"a"))

    run_with_server(
        [Send(b'{"message": "denied"}')], body, status=403, content_type="application/json"
    )


def test_send_from_sends_in_the_sessions_task_then_the_end() -> None:
    async def events() -> AsyncIterator[es.Message]:
        for i in range(5):
            yield event("Audio", b"%d" % i)
            await asyncio.sleep(0)

    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            s.send_from(events())
            answers = [m.payload async for m in s]
            assert answers == [b"0", b"1", b"2", b"3", b"4"]
            assert s.send_ended

    def reply(message: es.Message) -> list[es.Message]:
        return [message]

    run_with_server([Respond(reply)], body)


def test_send_from_reports_the_events_own_error_to_the_receiver() -> None:
    def events() -> Iterator[es.Message]:
        yield event("Audio", b"a")
        raise OSError("microphone unplugged")

    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            s.send_from(events())
            with pytest.raises(OSError, match="microphone unplugged"):
                async for _ in s:
                    pass
            with pytest.raises(SessionClosedError, match="microphone"):
                await s.send(event("Audio", b"b"))

    run_with_server([Stall()], body)


def test_closing_the_session_stops_a_sending_task_that_waits() -> None:
    async def endless() -> AsyncIterator[es.Message]:
        while True:
            yield event("Audio", b"x" * 4096)

    async def body(server: LoopbackH2Server) -> None:
        async with session(server) as s:
            s.send_from(endless())
            await asyncio.sleep(0.1)  # the server reads nothing: the task waits on the window
        # run_with_server checks that no task is left

    run_with_server([Stall()], body, receive_window=8192)


TLS = FIXTURES / "tls"


def tls_contexts(server_alpn: list[str]) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(TLS / "loopback-cert.pem", TLS / "loopback-key.pem")
    server_side.set_alpn_protocols(server_alpn)
    client_side = client_ssl_context()
    client_side.load_verify_locations(TLS / "loopback-cert.pem")
    return server_side, client_side


def test_tls_with_alpn_h2() -> None:
    server_side, client_side = tls_contexts(["h2"])

    async def body(server: LoopbackH2Server) -> None:
        assert server.url.startswith("https://127.0.0.1:")
        async with session(server, ssl_context=client_side) as s:
            await s.send(event("Audio", b"over tls"))
            await s.end()
            assert [m.payload async for m in s] == [b"over tls"]

    run_with_server([Respond(lambda m: [m])], body, ssl_context=server_side)


def test_tls_without_alpn_h2_is_refused() -> None:
    server_side, client_side = tls_contexts(["http/1.1"])

    async def body(server: LoopbackH2Server) -> None:
        with pytest.raises(HTTP2ProtocolError, match="did not agree to HTTP/2 over TLS"):
            async with session(server, ssl_context=client_side):
                pass

    run_with_server([Stall()], body, ssl_context=server_side)


def test_tls_checks_the_certificate() -> None:
    server_side, _ = tls_contexts(["h2"])

    async def body(server: LoopbackH2Server) -> None:
        # The default context trusts the system's CAs only.
        with pytest.raises(ConnectionLostError, match="CERTIFICATE_VERIFY_FAILED"):
            async with session(server):
                pass

    run_with_server([Stall()], body, ssl_context=server_side)


async def raw_server(reply: bytes) -> tuple[asyncio.base_events.Server, int]:
    """A TCP server that answers every connection with ``reply`` (after the client's
    first bytes) and then holds the connection open."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        writer.write(reply)
        await writer.drain()
        await reader.read()  # until the client closes
        writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


def run_against_raw(reply: bytes, check: Callable[[DuplexSession], Awaitable[None]]) -> None:
    async def main() -> None:
        server, port = await raw_server(reply)
        async with server:
            url = f"http://127.0.0.1:{port}/x"
            async with DuplexSession(url, CONTENT_TYPE, first_event_timeout=5.0) as s:
                await check(s)
        assert await tasks_left() == []

    asyncio.run(main())


def test_a_peer_that_does_not_speak_http2_is_a_protocol_error() -> None:
    async def check(s: DuplexSession) -> None:
        with pytest.raises(HTTP2ProtocolError, match=r"SETTINGS frame, and sent 'HTTP/1\.1 400"):
            await s.receive()
        with pytest.raises(HTTP2ProtocolError):
            await s.send(event("Audio", b"a"))

    run_against_raw(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", check)


def test_a_peer_that_overruns_the_flow_control_window_is_a_protocol_error() -> None:
    # Frames built by hand (h2's own peer would never send them): SETTINGS, the
    # response HEADERS, then 80 KiB of DATA, more than the 64 KiB window a client has
    # until the server acknowledges its SETTINGS (this server never does).  The bytes
    # are the start of one large, valid message, so only flow control can object.
    hpack = pytest.importorskip("hpack")
    frames = pytest.importorskip("hyperframe.frame")
    headers = frames.HeadersFrame(1)
    headers.data = hpack.Encoder().encode([(":status", "200")])
    headers.flags.add("END_HEADERS")
    body = es.encode(event("Big", b"x" * 200_000))
    reply = frames.SettingsFrame(0).serialize() + headers.serialize()
    for start in range(0, 5 * 16384, 16384):
        data = frames.DataFrame(1)
        data.data = body[start : start + 16384]
        reply += data.serialize()

    async def check(s: DuplexSession) -> None:
        await asyncio.sleep(0.3)  # take nothing: no data is acknowledged
        with pytest.raises(HTTP2ProtocolError, match=r"(?i)flow control window"):
            await s.receive()

    run_against_raw(reply, check)


def test_credit_of_padding_only_data_frames_is_given_back() -> None:
    # DATA frames that carry only padding still use the window (RFC 9113 section
    # 6.9.1). The server sends eight windows' worth of them, as its window allows,
    # then one event: the client must acknowledge that credit or the event never
    # comes. h2 is the server here: the loopback server has no padding step.
    h2_config = pytest.importorskip("h2.config")
    h2_connection = pytest.importorskip("h2.connection")
    h2_events = pytest.importorskip("h2.events")
    window = 16 * 1024
    padding_total = 8 * window
    message = es.encode(event("After", b"padding"))

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h2_connection.H2Connection(h2_config.H2Configuration(client_side=False))
        conn.initiate_connection()
        writer.write(conn.data_to_send())
        stream_id, padded, done = None, 0, False
        while not done:
            data = await reader.read(65536)
            if not data:
                break
            for received in conn.receive_data(data):
                if isinstance(received, h2_events.RequestReceived):
                    stream_id = received.stream_id
                    conn.send_headers(stream_id, [(":status", "200"), *CONTENT_TYPE.items()])
            if stream_id is not None:
                while padded < padding_total and conn.local_flow_control_window(stream_id) >= 256:
                    conn.send_data(stream_id, b"", pad_length=255)  # 256 bytes of credit
                    padded += 256
                if padded >= padding_total and conn.local_flow_control_window(stream_id) >= len(
                    message
                ):
                    conn.send_data(stream_id, message, end_stream=True)
                    done = True
            writer.write(conn.data_to_send())
            await writer.drain()
        await reader.read()  # until the client closes
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        async with server:
            url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
            async with DuplexSession(
                url, CONTENT_TYPE, first_event_timeout=3.0, receive_window=window
            ) as s:
                answer = await s.receive()
                assert answer is not None and answer.payload == b"padding"
                assert await s.receive() is None
        assert await tasks_left() == []

    asyncio.run(main())


def test_a_frame_longer_than_allowed_is_refused_before_its_body_arrives() -> None:
    # A valid SETTINGS frame, then a header claiming a 1 MiB DATA frame and only the
    # first bytes of it: the session refuses it at once instead of waiting for (and
    # buffering) the megabyte.
    frames = pytest.importorskip("hyperframe.frame")
    claim = (1 << 20).to_bytes(3, "big") + b"\x00\x00" + (1).to_bytes(4, "big")
    reply = frames.SettingsFrame(0).serialize() + claim + b"\x00" * 100

    async def check(s: DuplexSession) -> None:
        started = time.monotonic()
        with pytest.raises(HTTP2ProtocolError, match="a frame of 1048576 bytes, over the 16384"):
            await s.receive()
        assert time.monotonic() - started < 2.0

    run_against_raw(reply, check)


@given(st.lists(st.binary(max_size=300), max_size=8), st.data())
def test_the_frame_guard_passes_valid_frames_in_any_pieces(
    bodies: list[bytes], data: st.DataObject
) -> None:
    stream = b"".join(
        len(body).to_bytes(3, "big") + b"\x00\x00\x00\x00\x00\x01" + body for body in bodies
    )
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=10)))
    guard = FrameLengthGuard(300)
    for start, end in zip([0, *cuts], [*cuts, len(stream)]):
        assert guard.check(stream[start:end]) is None
    too_long = (301).to_bytes(3, "big") + b"\x00" * 6
    assert guard.check(too_long) == "a frame of 301 bytes, over the 300 this connection allows"


def test_a_status_that_is_not_three_digits_is_a_protocol_error() -> None:
    hpack = pytest.importorskip("hpack")
    frames = pytest.importorskip("hyperframe.frame")
    headers = frames.HeadersFrame(1)
    headers.data = hpack.Encoder().encode([(":status", "2xx")])
    headers.flags.add("END_HEADERS")
    reply = frames.SettingsFrame(0).serialize() + headers.serialize()

    async def check(s: DuplexSession) -> None:
        with pytest.raises(HTTP2ProtocolError, match=r":status '2xx', not 3 digits"):
            await s.receive()

    run_against_raw(reply, check)


def test_cancelling_the_task_that_holds_the_session_closes_everything() -> None:
    async def body(server: LoopbackH2Server) -> None:
        async def use() -> None:
            async with session(server) as s:
                s.send_from(event("Audio", b"%d" % i) for i in range(3))
                await s.receive()  # the server never answers

        task = asyncio.ensure_future(use())
        await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # run_with_server checks that the session's tasks are gone too

    server = run_with_server([Stall()], body)
    assert server.requests[0].ended is False
