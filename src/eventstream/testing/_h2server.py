"""A loopback HTTP/2 server for testing bidirectional event-stream clients.

It plays the service's side of one request per connection: it reads the signed input
stream and checks every frame's signature chain and the final empty frame (with
:class:`eventstream.signing.EventVerifier`), and follows a script of steps: send output
events, wait for input events, stall, reset the stream, send GOAWAY, or drop the
connection in the middle of a message.  What it received is recorded for assertions.

Worst cases are bounded: the server acknowledges input only as its script consumes it
(so a stalled script closes the client's window), it waits for the client's window
before sending, and :meth:`LoopbackH2Server.close` cancels every task it started.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as _dt
import json
import ssl
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Protocol, Union

from .. import signing
from .._decoder import Decoder
from .._errors import EventStreamError
from .._format import encode
from .._message import Message
from .._values import Timestamp
from ..adapters._h2 import require_h2
from ..signing import DATE_HEADER

if TYPE_CHECKING:
    import h2.connection


class EventVerifying(Protocol):
    """What the server needs of a verifier: :class:`eventstream.signing.EventVerifier`."""

    def verify(self, outer: Message) -> Message: ...

    def verify_end(self, outer: Message) -> None: ...

    def close(self) -> None: ...


# -- the script -------------------------------------------------------------------


@dataclass(frozen=True)
class Send:
    """Send one output message (a ``Message`` or its encoded bytes)."""

    message: Message | bytes


@dataclass(frozen=True)
class Receive:
    """Wait for ``count`` more input events (verified), or for the input to end."""

    count: int = 1


@dataclass(frozen=True)
class ReceiveEnd:
    """Wait for the input stream to end (the signed empty frame and END_STREAM)."""


@dataclass(frozen=True)
class Respond:
    """For every input event until the input ends, send what ``reply(event)`` gives."""

    reply: Callable[[Message], Iterable[Message | bytes]]


@dataclass(frozen=True)
class Stall:
    """Do nothing (read no input, so the client's window closes; send nothing) for
    ``seconds``, or until the connection closes when ``None``."""

    seconds: float | None = None


@dataclass(frozen=True)
class Reset:
    """Reset the stream (RST_STREAM) with ``error_code`` (2: INTERNAL_ERROR)."""

    error_code: int = 2


@dataclass(frozen=True)
class GoAway:
    """Send GOAWAY (``last_stream_id`` 0 refuses the request's stream) and close."""

    error_code: int = 0
    last_stream_id: int = 0


@dataclass(frozen=True)
class Drop:
    """Close the connection at once, after sending the first ``partial`` bytes of
    ``message`` when one is given (a connection dropped mid-message)."""

    message: Message | bytes | None = None
    partial: int = 0


Step = Union[Send, Receive, ReceiveEnd, Respond, Stall, Reset, GoAway, Drop]


@dataclass
class ReceivedRequest:
    """One request as the server saw it."""

    headers: list[tuple[str, str]]
    #: The inner input events, verified, in order (unless the server keeps none).
    events: list[Message] = field(default_factory=list)
    #: How many input events were verified.
    received: int = 0
    #: Whether the signed empty frame (or, unsigned, END_STREAM) ended the input.
    ended: bool = False
    #: The first thing wrong with the input (a signature, the end frame, the framing).
    error: EventStreamError | None = None
    #: Output messages the server sent.
    sent: int = 0

    def header(self, name: str) -> str | None:
        """The first value of a header (names are lower-case in HTTP/2)."""
        for key, value in self.headers:
            if key == name.lower():
                return value
        return None


class _Closed(Exception):
    """The connection is gone; the script stops."""


class _Exchange:
    """One request on one connection: its h2 state and its script's view of it."""

    def __init__(
        self,
        server: LoopbackH2Server,
        conn: h2.connection.H2Connection,
        writer: asyncio.StreamWriter,
    ) -> None:
        self.server = server
        self.conn = conn
        self.writer = writer
        self.stream_id = 0
        self.request: ReceivedRequest | None = None
        self.verifier: EventVerifying | None = None
        self.decoder = Decoder()
        self.inbox = bytearray()
        self.inbox_flow = 0
        self.input_closed = False
        self.closed = False
        self.changed = asyncio.Event()
        self.started = asyncio.Event()

    def flush(self) -> None:
        data = self.conn.data_to_send()
        if data and not self.writer.is_closing():
            self.writer.write(data)

    def wake(self) -> None:
        self.changed.set()

    async def wait(self) -> None:
        if self.closed:
            raise _Closed
        self.changed.clear()
        await self.changed.wait()
        if self.closed:
            raise _Closed

    # The script's actions.

    async def next_input(self) -> Message | None:
        """The next verified input event, or ``None`` when the input ended."""
        request = self.request
        assert request is not None
        while True:
            if self.pending_events:
                return self.pending_events.pop(0)
            if request.ended or request.error is not None:
                return None
            if self.inbox:
                data, flow = bytes(self.inbox), self.inbox_flow
                self.inbox.clear()
                self.inbox_flow = 0
                self.take(data)
                if flow and not self.input_closed:
                    with contextlib.suppress(Exception):
                        self.conn.acknowledge_received_data(flow, self.stream_id)
                    self.flush()
                continue
            if self.input_closed:
                try:
                    self.decoder.close()
                    if self.verifier is not None:
                        self.verifier.close()
                    request.ended = True
                except EventStreamError as exc:
                    self.refuse(exc)
                return None
            await self.wait()

    pending_events: list[Message]

    def take(self, data: bytes) -> None:
        request = self.request
        assert request is not None
        try:
            frames = self.decoder.feed(data)
        except EventStreamError as exc:
            self.refuse(exc)
            return
        for outer in frames:
            if request.ended:
                self.refuse(EventStreamError("input arrived after the end frame"))
                return
            try:
                self.server.check_date(outer, request.received)
                if self.verifier is not None and not outer.payload:
                    self.verifier.verify_end(outer)
                    continue
                inner = outer if self.verifier is None else self.verifier.verify(outer)
                self.pending_events.append(inner)
                request.received += 1
                if self.server.keep_events:
                    request.events.append(inner)
            except EventStreamError as exc:
                self.refuse(exc)
                return
        if self.decoder.error is not None:
            self.refuse(self.decoder.error)

    def refuse(self, error: EventStreamError) -> None:
        """Record what is wrong with the input and tell the client, as a service does:
        an exception event, then the end of the response."""
        request = self.request
        assert request is not None
        if request.error is None:
            request.error = error
            self.server.errors.append(error)

    async def send(self, message: Message | bytes, limit: int | None = None) -> None:
        data = encode(message) if isinstance(message, Message) else bytes(message)
        if limit is not None:
            data = data[:limit]
        view = memoryview(data)
        while view:
            if self.closed:
                raise _Closed
            try:
                window = min(
                    self.conn.local_flow_control_window(self.stream_id),
                    self.conn.max_outbound_frame_size,
                )
            except Exception:
                raise _Closed from None
            if window <= 0:
                await self.wait()
                continue
            chunk, view = view[:window], view[window:]
            try:
                self.conn.send_data(self.stream_id, chunk)
            except self.server._h2.exceptions.H2Error:
                raise _Closed from None
            self.flush()
            await self.writer.drain()
        if limit is None and self.request is not None:
            self.request.sent += 1

    async def run(self, script: Sequence[Step]) -> None:
        with contextlib.suppress(_Closed, OSError):
            await self._run(script)

    async def _run(self, script: Sequence[Step]) -> None:
        self.pending_events = []
        await self.started.wait()
        request = self.request
        if request is None:
            return  # the connection closed before a request
        self.conn.send_headers(
            self.stream_id,
            [(":status", str(self.server.status)), ("content-type", self.server.content_type)],
        )
        self.flush()
        for step in script:
            if isinstance(step, Send):
                await self.send(step.message)
            elif isinstance(step, Receive):
                for _ in range(step.count):
                    if await self.next_input() is None:
                        break
            elif isinstance(step, ReceiveEnd):
                while await self.next_input() is not None:
                    pass
            elif isinstance(step, Respond):
                while True:
                    event = await self.next_input()
                    if event is None:
                        break
                    for reply in step.reply(event):
                        await self.send(reply)
            elif isinstance(step, Stall):
                if step.seconds is None:
                    while True:
                        await self.wait()
                await asyncio.sleep(step.seconds)
            elif isinstance(step, Reset):
                self.conn.reset_stream(self.stream_id, step.error_code)
                self.flush()
                return
            elif isinstance(step, GoAway):
                self.conn.close_connection(step.error_code, last_stream_id=step.last_stream_id)
                self.flush()
                self.writer.close()
                return
            elif isinstance(step, Drop):
                if step.message is not None:
                    await self.send(step.message, limit=step.partial)
                self.writer.close()
                return
            if request.error is not None:
                break
        if request.error is not None:
            await self.send(_exception_event(request.error))
        self.conn.end_stream(self.stream_id)
        if not self.input_closed:
            # A complete response before the whole request: take no more of it
            # (RST_STREAM NO_ERROR, RFC 9113 section 8.1), or the client's sends would
            # wait on a window that never reopens.
            self.conn.reset_stream(self.stream_id, 0)
        self.flush()
        await self.writer.drain()


def _exception_event(error: EventStreamError) -> Message:
    return Message(
        {
            ":message-type": "exception",
            ":exception-type": "BadRequestException",
            ":content-type": "application/json",
        },
        json.dumps({"Message": str(error)}).encode(),
    )


class LoopbackH2Server:
    """An HTTP/2 server on 127.0.0.1 that runs ``script`` for each request.

    ::

        async with LoopbackH2Server([Receive(1), Send(reply), ReceiveEnd()],
                                    credentials=creds, region="us-east-1",
                                    service="transcribe") as server:
            ...  # point the client at server.url
        server.requests[0].events   # the verified input events

    With ``credentials`` (and ``region``, ``service``), every input frame's signature
    is checked against the chain seeded by the request's ``Authorization`` signature,
    and the input must end with the signed empty frame; without, input messages are
    taken as they are.  With ``clock`` (returning an aware datetime, e.g. the same
    simulated clock the client's signer uses), each frame's ``:date`` must also be
    within ``max_skew`` seconds of it, as a service requires.  A bad input is
    recorded in ``request.error`` (and ``server.errors``), answered with a
    ``BadRequestException`` event and the end of the response.  ``receive_window``
    is the flow-control window the server gives each request; ``ssl_context``
    (server side, ALPN ``h2``) serves TLS instead of cleartext prior-knowledge HTTP/2.
    ``status`` and ``content_type`` are the response's (an error reply: a status
    other than 200, and ``Send`` steps with the body's bytes).  Runs in the current
    event loop.  ``keep_events=False`` counts the input events without keeping them
    (for long sessions).
    """

    def __init__(
        self,
        script: Sequence[Step] = (ReceiveEnd(),),
        *,
        credentials: signing.CredentialsSource | None = None,
        region: str | None = None,
        service: str | None = None,
        receive_window: int = 65535,
        ssl_context: ssl.SSLContext | None = None,
        verifier_factory: Callable[[bytes], EventVerifying] | None = None,
        clock: Callable[[], _dt.datetime] | None = None,
        max_skew: float = 300.0,
        status: int = 200,
        content_type: str = "application/vnd.amazon.eventstream",
        keep_events: bool = True,
    ) -> None:
        self._h2 = require_h2("LoopbackH2Server")
        self.script = list(script)
        self.requests: list[ReceivedRequest] = []
        self.errors: list[EventStreamError] = []
        self._receive_window = receive_window
        self._ssl_context = ssl_context
        if verifier_factory is None and credentials is not None:
            if region is None or service is None:
                raise ValueError("credentials need a region and a service to verify against")
            verifier_factory = _signing_verifier(credentials, region, service)
        self._verifier_factory = verifier_factory
        self._clock = clock
        self.status = status
        self.keep_events = keep_events
        self.content_type = content_type
        self._max_skew = _dt.timedelta(seconds=max_skew)
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self.port = 0

    @property
    def url(self) -> str:
        """The server's base URL (``http://`` or ``https://127.0.0.1:port``)."""
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    async def __aenter__(self) -> LoopbackH2Server:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def start(self) -> None:
        """Listen on 127.0.0.1 (a free port)."""
        self._server = await asyncio.start_server(
            self._serve, "127.0.0.1", 0, ssl=self._ssl_context
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Stop listening, close every connection, and wait for their tasks (cancelled
        if they do not end within a second)."""
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        tasks = list(self._tasks)
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=1.0)
            for task in late:
                task.cancel()
            for task in late:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    def check_date(self, outer: Message, index: int) -> None:
        """With a clock, refuse a frame whose ``:date`` is missing or not within
        ``max_skew`` of it (a frame signed too long before it was sent)."""
        if self._clock is None:
            return
        date = outer.headers.get(DATE_HEADER)
        if not isinstance(date, Timestamp):
            raise EventStreamError(f"frame {index}: no {DATE_HEADER} timestamp header")
        now = self._clock()
        sent = date.to_datetime()
        if abs(now - sent) > self._max_skew:
            raise EventStreamError(
                f"frame {index}: {DATE_HEADER} {sent.isoformat()} is more than "
                f"{self._max_skew.total_seconds():g} s from the server's time {now.isoformat()}"
            )

    def _track(self, task: asyncio.Task[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._track(task)
        self._writers.add(writer)
        h2 = self._h2
        conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        )
        conn.initiate_connection()
        conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: self._receive_window})
        exchange = _Exchange(self, conn, writer)
        exchange.flush()
        script_task = asyncio.get_running_loop().create_task(exchange.run(self.script))
        self._track(script_task)
        try:
            while not writer.is_closing():
                data = await reader.read(65536)
                if not data:
                    break
                try:
                    events = conn.receive_data(data)
                except h2.exceptions.ProtocolError:
                    exchange.flush()
                    break
                for event in events:
                    self._handle(exchange, event)
                exchange.flush()
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            pass  # a dropped connection, or close(): the connection ends either way
        finally:
            self._writers.discard(writer)
            exchange.closed = True
            exchange.started.set()
            exchange.wake()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(script_task, 1.0)
            writer.close()

    def _handle(self, exchange: _Exchange, event: Any) -> None:
        h2e = self._h2.events
        if isinstance(event, h2e.RequestReceived):
            if exchange.request is not None:
                # REFUSED_STREAM: one request per connection
                exchange.conn.reset_stream(event.stream_id, 7)
                return
            headers = [(str(n), str(v)) for n, v in event.headers or ()]
            request = ReceivedRequest(headers)
            self.requests.append(request)
            exchange.request = request
            exchange.stream_id = event.stream_id or 0
            if self._verifier_factory is not None:
                try:
                    seed = signing.seed_from_authorization(request.header("authorization") or "")
                    exchange.verifier = self._verifier_factory(seed)
                except EventStreamError as exc:
                    exchange.refuse(exc)
            exchange.started.set()
        elif isinstance(event, h2e.DataReceived) and event.stream_id == exchange.stream_id:
            exchange.inbox += event.data or b""
            exchange.inbox_flow += event.flow_controlled_length or 0
        elif isinstance(event, h2e.StreamEnded) and event.stream_id == exchange.stream_id:
            exchange.input_closed = True
        elif isinstance(event, (h2e.StreamReset, h2e.ConnectionTerminated)):
            exchange.closed = True
        exchange.wake()


def _signing_verifier(
    credentials: signing.CredentialsSource, region: str, service: str
) -> Callable[[bytes], EventVerifying]:
    def factory(seed: bytes) -> EventVerifying:
        return signing.EventVerifier(seed, credentials, region, service)

    return factory
