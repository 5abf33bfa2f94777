"""Signed duplex sessions: every frame signed when sent and verified by the loopback
server, the end frame, a 10-minute session in simulated time, rolled-over keys."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

import eventstream as es
from eventstream.adapters import DuplexSession, StreamResetError
from eventstream.signing import Credentials, EventSignatureError, EventSigner, sign_request
from eventstream.testing import LoopbackH2Server, ReceiveEnd, Respond

pytest.importorskip("h2")
pytest.importorskip("botocore")

UTC = dt.timezone.utc
REGION, SERVICE = "us-east-1", "transcribe"
KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
START = dt.datetime(2026, 12, 1, 3, 0, 0, tzinfo=UTC)
PATH = "/stream-transcription"


class SimulatedClock:
    """Time that moves only when told to: shared by the client's signer and the
    server's check of each frame's ``:date``."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def audio(i: int) -> es.Message:
    return es.Message(
        {":event-type": "AudioEvent", ":message-type": "event", ":content-type": "audio/pcm"},
        bytes([i % 256]) * 320,
    )


def echo(message: es.Message) -> list[es.Message]:
    return [es.Message({":event-type": "Echo", ":message-type": "event"}, message.payload[:4])]


def open_session(
    server: LoopbackH2Server, signer_for: Any = None, **options: Any
) -> DuplexSession:
    """Sign the request with botocore's SigV4 (its signature is the seed), then make
    the session with an EventSigner on that seed."""
    clock = options.pop("clock", None)
    url = server.url + PATH
    signed = sign_request(
        "POST",
        url,
        {"Content-Type": "application/vnd.amazon.eventstream"},
        options.pop("credentials", KEYS),
        REGION,
        SERVICE,
        signing_time=clock() if clock else None,
    )
    signer = EventSigner(signed.seed, KEYS, REGION, SERVICE, clock=clock)
    if signer_for is not None:
        signer = signer_for(signer)
    options.setdefault("first_event_timeout", 5.0)
    options.setdefault("event_timeout", 5.0)
    return DuplexSession(url, signed.headers, signer, **options)


def test_signed_session_verifies_frame_by_frame_and_ends_with_the_empty_frame() -> None:
    async def main() -> LoopbackH2Server:
        async with (
            LoopbackH2Server(
                [Respond(echo)], credentials=KEYS, region=REGION, service=SERVICE
            ) as server,
            open_session(server) as session,
        ):
            for i in range(10):
                await session.send(audio(i))
                answer = await session.receive()
                assert answer is not None and answer.payload == bytes([i]) * 4
            await session.end()
            assert await session.receive() is None
        return server

    server = asyncio.run(main())
    request = server.requests[0]
    assert request.error is None
    assert request.ended
    assert request.events == [audio(i) for i in range(10)]
    assert request.header("x-amz-content-sha256") == "STREAMING-AWS4-HMAC-SHA256-EVENTS"
    assert request.header(":path") == PATH


def run_ten_minutes(clock: SimulatedClock, signer_clock: Any) -> LoopbackH2Server:
    """600 events, one simulated second apart, answered as they come; the server checks
    each frame's signature and that its ``:date`` is within 5 minutes of its clock."""

    async def main() -> LoopbackH2Server:
        async with (
            LoopbackH2Server(
                [Respond(echo)],
                credentials=KEYS,
                region=REGION,
                service=SERVICE,
                clock=clock,
                max_skew=300,
            ) as server,
            open_session(server, clock=signer_clock) as session,
        ):
            for i in range(600):
                clock.advance(1)
                await session.send(audio(i))
                answer = await session.receive()
                assert answer is not None
                if answer.headers.get(":message-type") == "exception":
                    break
            else:
                clock.advance(1)
                await session.end()
                assert await session.receive() is None
        return server

    return asyncio.run(main())


def test_ten_minute_session_in_simulated_time_still_verifies_at_the_end() -> None:
    clock = SimulatedClock(START)
    server = run_ten_minutes(clock, clock)
    request = server.requests[0]
    assert request.error is None, request.error
    assert len(request.events) == 600 and request.ended
    assert clock.now - START == dt.timedelta(minutes=10, seconds=1)


def test_frames_signed_ahead_of_time_are_refused_by_the_server() -> None:
    # The control for the test above: a signer whose time stays at the start (as if
    # every frame had been signed up front) goes stale after the 5 allowed minutes.
    clock = SimulatedClock(START)
    frozen = SimulatedClock(START)
    server = run_ten_minutes(clock, frozen)
    error = server.requests[0].error
    assert error is not None
    assert "more than 300 s" in str(error)
    assert len(server.requests[0].events) == 300


def test_a_tampered_frame_is_refused_with_its_index() -> None:
    class Tampering:
        def __init__(self, signer: EventSigner) -> None:
            self.signer = signer
            self.count = 0

        def sign(self, event: es.Message | bytes) -> es.Message:
            outer = self.signer.sign(event)
            self.count += 1
            if self.count == 4:  # frame 3: one payload byte changed after signing
                payload = bytearray(outer.payload)
                payload[-5] ^= 1
                return es.Message(outer.headers, bytes(payload))
            return outer

        def sign_end(self) -> es.Message:
            return self.signer.sign_end()

    async def main() -> tuple[LoopbackH2Server, list[es.Message]]:
        async with (
            LoopbackH2Server(
                [ReceiveEnd()], credentials=KEYS, region=REGION, service=SERVICE
            ) as server,
            open_session(server, Tampering) as session,
        ):
            try:
                for i in range(6):
                    await session.send(audio(i))
                await session.end()
            except StreamResetError as refused:
                # The server may answer and end before the last events are sent.
                assert "takes no more input" in str(refused)
            answers = [m async for m in session]
        return server, answers

    server, answers = asyncio.run(main())
    error = server.requests[0].error
    assert isinstance(error, EventSignatureError)
    assert error.index == 3
    assert len(server.requests[0].events) == 3
    # The client is told, as a service tells it: an exception event.
    assert [m.headers[":message-type"] for m in answers] == ["exception"]
    assert b"frame 3" in answers[0].payload


def test_an_unsigned_end_frame_is_refused() -> None:
    class UnsignedEnd:
        def __init__(self, signer: EventSigner) -> None:
            self.signer = signer

        def sign(self, event: es.Message | bytes) -> es.Message:
            return self.signer.sign(event)

        def sign_end(self) -> es.Message:
            return es.Message()

    async def main() -> LoopbackH2Server:
        async with (
            LoopbackH2Server(
                [ReceiveEnd()], credentials=KEYS, region=REGION, service=SERVICE
            ) as server,
            open_session(server, UnsignedEnd) as session,
        ):
            await session.send(audio(0))
            await session.end()
            assert [m.headers[":message-type"] async for m in session] == ["exception"]
        return server

    error = asyncio.run(main()).requests[0].error
    assert isinstance(error, EventSignatureError)
    assert error.index == 1


def test_keys_that_roll_over_mid_stream_still_verify() -> None:
    # Credentials as a function, called for every frame by the signer and by the
    # server's verifier: new keys from minute 2 on.  Each event is answered before the
    # clock moves on, so both sides ask for the keys at the same simulated time.
    clock = SimulatedClock(START)
    rolled = Credentials("AKIDNEW", "a-new-secret", "a-session-token")

    def current() -> Credentials:
        return KEYS if clock.now - START < dt.timedelta(minutes=2) else rolled

    async def main() -> LoopbackH2Server:
        async with LoopbackH2Server(
            [Respond(echo)], credentials=current, region=REGION, service=SERVICE
        ) as server:
            url = server.url + PATH
            signed = sign_request("POST", url, {}, current, REGION, SERVICE, signing_time=START)
            signer = EventSigner(signed.seed, current, REGION, SERVICE, clock=clock)
            async with DuplexSession(url, signed.headers, signer) as session:
                for i in range(240):
                    clock.advance(1)
                    await session.send(audio(i))
                    answer = await session.receive()
                    assert answer is not None
                    assert answer.headers[":message-type"] == "event", answer.payload
                await session.end()
                assert await session.receive() is None
        return server

    request = asyncio.run(main()).requests[0]
    assert request.error is None, request.error
    assert len(request.events) == 240 and request.ended
