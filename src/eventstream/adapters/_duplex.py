"""A bidirectional event-stream session over one HTTP/2 request, on asyncio.

The client sends a signed input event stream in the request body while it reads the
output event stream from the response body of the same request (Transcribe streaming,
Bedrock ``InvokeModelWithBidirectionalStream``, Lex ``StartConversation``...).  HTTP/2
is python-hyper's sans-IO ``h2`` (the ``h2`` extra); TLS is the standard library's.

Goals, in order:

* Each event is signed at the moment it goes out (the signer's clock then), never
  ahead of time, so the signatures of a long session do not expire; the stream ends
  with the signed empty frame, and nothing can be sent after it.
* Memory is bounded whatever the peer does.  Sending waits for the peer's HTTP/2
  window and for the socket to drain: a slow reader makes ``send()`` wait, never
  queue.  Receiving acknowledges data (reopens our window) only as the caller takes
  events, so a fast server is held to ``receive_window`` bytes plus one message in
  the decoder plus the events decoded from what was acknowledged.
* Every way a session ends is one :class:`DuplexError` (or the codec's own error for a
  malformed stream), seen by both directions: a reset stream, GOAWAY, a dropped
  connection, a deadline, cancellation.  Closing the session leaves no task running.

One background task reads the socket; nothing else runs unless the caller awaits.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from collections.abc import AsyncIterable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Callable, Protocol, Union
from urllib.parse import urlsplit

from .._decoder import Decoder
from .._errors import EventStreamError
from .._format import DEFAULT_MAX_MESSAGE_SIZE, encode
from .._message import Message
from ._duplex_errors import (
    ConnectionLostError,
    DuplexError,
    EventTimeoutError,
    GoAwayError,
    HTTP2ProtocolError,
    ResponseStatusError,
    SendTimeoutError,
    SessionClosedError,
    StreamResetError,
)
from ._h2 import require_h2

if TYPE_CHECKING:
    import h2.connection

#: Request headers: a mapping or ``(name, value)`` pairs (names are lower-cased).
RequestHeaders = Union[Mapping[str, str], Iterable[tuple[str, str]]]

_READ_SIZE = 64 * 1024
# HTTP/2 error codes (RFC 9113, section 7) this module sends.
_NO_ERROR = 0
_PROTOCOL_ERROR = 1
_CANCEL = 8
# The frame type a server's connection preface starts with (RFC 9113, section 3.4).
_SETTINGS_FRAME = 0x4


class EventSigning(Protocol):
    """What the session needs of a signer: :class:`eventstream.signing.EventSigner`.

    ``sign`` wraps one encoded event in its signed envelope; ``sign_end`` gives the
    signed empty frame that ends the stream.
    """

    def sign(self, event: Message | bytes) -> Message: ...

    def sign_end(self) -> Message: ...


def client_ssl_context() -> ssl.SSLContext:
    """The default TLS context for a session: certificate checks on, ALPN ``h2``."""
    context = ssl.create_default_context()
    context.set_alpn_protocols(["h2"])
    return context


class FrameLengthGuard:
    """Follows the HTTP/2 frame headers in the bytes a peer sends and refuses a frame
    longer than the connection allows before any of its body is buffered: ``h2`` waits
    for a whole frame (up to the 16 MiB its 24-bit length can claim) and only then
    checks the length.  Costs one step per frame, not per byte."""

    __slots__ = ("_body_left", "_header", "max_frame_size")

    def __init__(self, max_frame_size: int) -> None:
        self.max_frame_size = max_frame_size
        self._body_left = 0
        self._header = bytearray()

    def check(self, data: bytes) -> str | None:
        """What is wrong with the frames ``data`` continues, or ``None``."""
        pos, size = 0, len(data)
        while pos < size:
            if self._body_left:
                step = min(self._body_left, size - pos)
                self._body_left -= step
                pos += step
                continue
            step = min(9 - len(self._header), size - pos)
            self._header += data[pos : pos + step]
            pos += step
            if len(self._header) == 9:
                length = int.from_bytes(self._header[:3], "big")
                self._header.clear()
                if length > self.max_frame_size:
                    return (
                        f"a frame of {length} bytes, over the {self.max_frame_size} "
                        "this connection allows"
                    )
                self._body_left = length
        return None


class DuplexSession:
    """One HTTP/2 request whose body is an input event stream and whose response is an
    output event stream, both open at once.

    ::

        async with DuplexSession(url, headers, signer) as session:
            await session.send(event)        # signed now, sent as the window allows
            message = await session.receive()  # the next output message, or None at the end
            await session.end()              # the signed empty frame; send() refuses after it
            async for message in session: ...

    or, to send from a task the session owns while receiving::

        async with DuplexSession(url, headers, signer) as session:
            session.send_from(events())      # an async generator of events; then end()
            async for message in session: ...

    ``url`` is ``https://host[:port]/path?query`` (TLS, ALPN ``h2``) or
    ``http://host:port/path`` (cleartext HTTP/2 with prior knowledge, for loopback
    tests).  ``headers`` are the request's headers as they were signed (a ``host``
    header becomes ``:authority``).  ``signer`` signs each event as it is sent; with
    ``None`` events go out unsigned and ``end()`` only ends the request body.

    Deadlines, separate from the socket's: ``connect_timeout`` (TCP and TLS),
    ``first_event_timeout`` (from opening the request to the first output message),
    ``event_timeout`` (from each ``receive()`` call to its message), and
    ``send_timeout`` (for one ``send()`` to be taken by the peer).  ``None`` waits
    forever.  A missed deadline ends the session with :class:`EventTimeoutError` /
    :class:`SendTimeoutError`.
    """

    def __init__(
        self,
        url: str,
        headers: RequestHeaders = (),
        signer: EventSigning | None = None,
        *,
        method: str = "POST",
        ssl_context: ssl.SSLContext | None = None,
        connect_timeout: float | None = 10.0,
        first_event_timeout: float | None = 30.0,
        event_timeout: float | None = 30.0,
        send_timeout: float | None = 30.0,
        receive_window: int = 256 * 1024,
        max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE,
        max_error_body: int = 64 * 1024,
    ) -> None:
        self._h2 = require_h2("DuplexSession")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url must be http://host... or https://host..., got {url!r}")
        if not 1 <= receive_window <= 2**31 - 1:
            raise ValueError(f"receive_window must be 1..2**31-1, got {receive_window}")
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port or (443 if parts.scheme == "https" else 80)
        self._path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._authority = parts.netloc.rpartition("@")[2]
        self._method = method
        self._headers = _header_list(headers)
        for name, value in self._headers:
            if name == "host":
                self._authority = value
        self._headers = [(n, v) for n, v in self._headers if n != "host"]
        self._signer = signer
        self._ssl_context = ssl_context
        self._connect_timeout = connect_timeout
        self._first_event_timeout = first_event_timeout
        self._event_timeout = event_timeout
        self._send_timeout = send_timeout
        self._receive_window = receive_window
        self._max_error_body = max_error_body
        self._decoder = Decoder(max_message_size)

        self._conn: h2.connection.H2Connection | None = None
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._read_task: asyncio.Task[None] | None = None
        self._stream_id = 0
        self._opened_at = 0.0
        self._failure: EventStreamError | None = None
        self._closed = False
        # The send side.
        self._send_lock = asyncio.Lock()
        self._drain_lock = asyncio.Lock()
        self._window_changed = asyncio.Event()
        self._send_ended = False
        self._sent_events = 0
        # The receive side: bytes the peer sent that the caller has not taken yet, and
        # how much flow-controlled length they stand for (padding counts).
        self._receive_lock = asyncio.Lock()
        self._inbox_changed = asyncio.Event()
        self._inbox = bytearray()
        self._inbox_flow = 0
        self._received = 0
        self._pending: deque[Message] = deque()
        self._events_received = 0
        self._status: int | None = None
        self._response_headers: list[tuple[str, str]] = []
        self._remote_ended = False
        self._receive_done = False
        # The task of send_from(), and what made it fail (the caller's own exception).
        self._producer: asyncio.Task[None] | None = None
        self._producer_error: BaseException | None = None
        self._goaway: tuple[int, int] | None = None
        # The first bytes from the server, until its first frame header is checked.
        self._preface: bytearray | None = bytearray()
        self._frames = FrameLengthGuard(16384)  # h2's max_inbound_frame_size, set at open

    # -- public state -------------------------------------------------------------

    @property
    def status(self) -> int | None:
        """The response's HTTP status, once its headers arrived."""
        return self._status

    @property
    def response_headers(self) -> list[tuple[str, str]]:
        """The response's headers (names lower-case), once they arrived."""
        return list(self._response_headers)

    @property
    def events_sent(self) -> int:
        """Events sent so far (the end frame not counted)."""
        return self._sent_events

    @property
    def send_ended(self) -> bool:
        """Whether the end frame was sent (``send()`` refuses from then on)."""
        return self._send_ended

    # -- opening and closing ------------------------------------------------------

    async def __aenter__(self) -> DuplexSession:
        await self.open()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def open(self) -> None:
        """Connect, and send the request's headers (the body stays open)."""
        if self._conn is not None or self._closed:
            raise SessionClosedError("a session is opened once")
        loop = asyncio.get_running_loop()
        context = self._ssl_context
        if self._scheme == "https" and context is None:
            context = client_ssl_context()
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    self._host,
                    self._port,
                    ssl=context,
                    server_hostname=self._host if context is not None else None,
                ),
                self._connect_timeout,
            )
        except asyncio.TimeoutError:
            self._closed = True
            raise ConnectionLostError(
                f"could not connect to {self._host}:{self._port} within {self._connect_timeout} s"
            ) from None
        except OSError as exc:
            self._closed = True
            raise ConnectionLostError(
                f"could not connect to {self._host}:{self._port}: {exc}"
            ) from exc
        self._reader, self._writer = reader, writer
        if context is not None:
            ssl_object = writer.get_extra_info("ssl_object")
            selected = ssl_object.selected_alpn_protocol() if ssl_object else None
            if selected != "h2":
                writer.close()
                self._closed = True
                raise HTTP2ProtocolError(
                    f"{self._host}:{self._port} did not agree to HTTP/2 over TLS "
                    f"(ALPN chose {selected!r}, expected 'h2')"
                )
        try:
            self._start_request(loop.time)
            await self._drain(self._send_timeout, "the request headers")
        except BaseException:
            # No 'async with' exit will run for a session that did not open.
            self._closed = True
            if self._read_task is not None:
                self._read_task.cancel()
            writer.close()
            raise

    def _start_request(self, now: Callable[[], float]) -> None:
        h2mod = self._h2
        config = h2mod.config.H2Configuration(client_side=True, header_encoding="utf-8")
        conn: h2.connection.H2Connection = h2mod.connection.H2Connection(config=config)
        self._conn = conn
        self._frames.max_frame_size = conn.max_inbound_frame_size
        conn.initiate_connection()
        conn.update_settings(
            {
                h2mod.settings.SettingCodes.INITIAL_WINDOW_SIZE: self._receive_window,
                h2mod.settings.SettingCodes.ENABLE_PUSH: 0,
            }
        )
        # The connection's own window starts at 65535 and only WINDOW_UPDATE moves it:
        # open it to the stream's, since this connection carries one stream.
        if self._receive_window > 65535:
            conn.increment_flow_control_window(self._receive_window - 65535)
        self._stream_id = conn.get_next_available_stream_id()
        pseudo = [
            (":method", self._method),
            (":scheme", self._scheme),
            (":authority", self._authority),
            (":path", self._path),
        ]
        conn.send_headers(self._stream_id, pseudo + self._headers)
        self._opened_at = now()
        self._flush()
        self._read_task = asyncio.get_running_loop().create_task(self._read_loop())

    async def aclose(self) -> None:
        """End the session: reset the stream unless both directions finished, close the
        connection, and wait for the reading task to stop.  Safe to call twice."""
        if self._closed:
            await self._stop(self._read_task)
            return
        self._closed = True
        if self._failure is None:
            self._failure = SessionClosedError("the session was closed")
            self._wake_all()
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(Exception):
                if not (self._send_ended and self._remote_ended):
                    conn.reset_stream(self._stream_id, _CANCEL)
                conn.close_connection(_NO_ERROR)
                self._flush()
        await self._stop(self._producer)
        await self._stop(self._read_task)
        writer = self._writer
        if writer is not None:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    @staticmethod
    async def _stop(task: asyncio.Task[None] | None) -> None:
        """Cancel ``task`` unless it is done, and wait for it: it may end cancelled, or
        by an error it already reported to the session."""
        if task is None:
            return
        if not task.done():
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task

    # -- sending ------------------------------------------------------------------

    async def send(self, event: Message | bytes) -> None:
        """Sign ``event`` now and send it, waiting for the peer's window as needed.

        ``event`` is a :class:`~eventstream.Message` or its encoded bytes (without a
        signer, a ``Message`` is encoded as is, and bytes must already be one
        message).  Raises :class:`SessionClosedError` after :meth:`end`, or the error
        that ended the session.
        """
        async with self._send_lock:
            self._check_can_send()
            await self._wait_window()
            if self._signer is not None:
                data = encode(self._signer.sign(event))
            elif isinstance(event, Message):
                data = encode(event)
            else:
                data = bytes(event)
            await self._send_body(data, end_stream=False, what=f"event {self._sent_events}")
            self._sent_events += 1

    def send_from(
        self,
        events: AsyncIterable[Message | bytes] | Iterable[Message | bytes],
        *,
        end: bool = True,
    ) -> None:
        """Send every event of ``events`` (an async or plain iterable) from a task the
        session owns, then the end frame unless ``end=False``; the caller is free to
        receive meanwhile.

        The task waits on the peer's window like :meth:`send`.  If ``events`` raises, the
        session ends (the input is incomplete) and :meth:`receive` raises that
        exception; if the session ends first, the task stops.  Closing the session
        cancels the task and waits for it.
        """
        if self._producer is not None:
            raise SessionClosedError("send_from() was already called on this session")
        self._check_can_send()

        async def produce() -> None:
            if isinstance(events, AsyncIterable):
                async for event in events:
                    await self.send(event)
            else:
                for event in events:
                    await self.send(event)
            if end:
                await self.end()

        task = asyncio.get_running_loop().create_task(produce())
        task.add_done_callback(self._producer_done)
        self._producer = task

    def _producer_done(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            return
        if self._failure is None or not isinstance(error, EventStreamError):
            # The events' own failure (not the session's): the input is cut short.
            self._producer_error = error
            self._fail(SessionClosedError(f"the events to send raised {error!r}"), cause=error)
        self._wake_all()

    async def end(self) -> None:
        """Send the signed empty frame and end the request body.  ``send()`` raises
        :class:`SessionClosedError` from then on; receiving goes on."""
        async with self._send_lock:
            self._check_can_send()
            if self._signer is None:
                self._send_ended = True
                self._run_h2(lambda conn: conn.end_stream(self._stream_id))
                await self._drain(self._send_timeout, "the end of the request body")
                return
            await self._wait_window()
            data = encode(self._signer.sign_end())
            # No send() from here, even if this one fails halfway.
            self._send_ended = True
            await self._send_body(data, end_stream=True, what="the end frame")

    def _check_can_send(self) -> None:
        if self._send_ended:
            raise SessionClosedError(
                f"the end frame was sent after {self._sent_events} events; "
                "nothing can be sent after it"
            )
        self._raise_failure()
        if self._conn is None:
            raise SessionClosedError("the session is not open (use 'async with' or open())")

    async def _wait_window(self) -> None:
        """Wait until at least one byte may be sent on the stream."""
        deadline = self._deadline(self._send_timeout)
        while True:
            self._raise_failure()
            if self._send_window() > 0:
                return
            self._window_changed.clear()
            if not await self._wait(self._window_changed, deadline):
                self._fail_timeout_send("the peer's flow-control window stayed closed")

    def _send_window(self) -> int:
        conn = self._conn
        assert conn is not None
        try:
            return min(
                conn.local_flow_control_window(self._stream_id), conn.max_outbound_frame_size
            )
        except self._h2.exceptions.StreamClosedError:
            return 0

    async def _send_body(self, data: bytes, *, end_stream: bool, what: str) -> None:
        """Send ``data`` as DATA frames as the window allows.  A failure or cancellation
        halfway leaves a cut message on the stream, so it ends the session."""
        view = memoryview(data)
        deadline = self._deadline(self._send_timeout)
        done = False
        try:
            while True:
                window = self._send_window()
                if window <= 0:
                    self._raise_failure()
                    self._window_changed.clear()
                    if not await self._wait(self._window_changed, deadline):
                        self._fail_timeout_send(
                            f"the peer's flow-control window stayed closed while sending {what}"
                        )
                    continue
                chunk = view[:window]
                view = view[window:]
                last = end_stream and not view
                self._run_h2(
                    lambda conn, chunk=chunk, last=last: conn.send_data(
                        self._stream_id, chunk, end_stream=last
                    )
                )
                await self._drain(self._remaining(deadline), what)
                if not view:
                    done = True
                    return
        finally:
            if not done and self._failure is None:
                self._fail(SessionClosedError(f"the session ended while sending {what}"))

    # -- receiving ----------------------------------------------------------------

    async def receive(self) -> Message | None:
        """The next output message, or ``None`` once the response stream ended cleanly.

        Waits at most ``first_event_timeout`` from opening (for the first message) or
        ``event_timeout`` from this call.  A stream cut inside a message raises the
        decoder's :class:`~eventstream.TruncatedStreamError`; a malformed one, its
        :class:`~eventstream.EventStreamError`; either ends the session.
        """
        async with self._receive_lock:
            if self._conn is None and not self._closed:
                raise SessionClosedError("the session is not open (use 'async with' or open())")
            loop = asyncio.get_running_loop()
            if self._events_received == 0:
                timeout = self._first_event_timeout
                deadline = None if timeout is None else self._opened_at + timeout
                waiting_for = "first event"
            else:
                timeout = self._event_timeout
                deadline = None if timeout is None else loop.time() + timeout
                waiting_for = f"event {self._events_received}"
            while True:
                if self._pending:
                    self._events_received += 1
                    return self._pending.popleft()
                if self._receive_done:
                    return None
                if self._decoder.failed:
                    # The decoder hands out the messages before a bad one and raises
                    # on the next call: now.
                    self._decode(b"")
                if self._status is not None and self._status != 200:
                    await self._raise_status(deadline)
                # What arrived before a failure is still handed out, then the failure.
                # DATA frames of padding alone add credit but no bytes: that credit
                # is given back here too, or the window would shrink for good.
                if self._inbox or self._inbox_flow:
                    self._take_inbox()
                    continue
                if self._remote_ended:
                    self._receive_done = True
                    self._decode(None)
                    continue
                if self._producer_error is not None:
                    raise self._producer_error
                self._raise_failure()
                self._inbox_changed.clear()
                if not await self._wait(self._inbox_changed, deadline):
                    assert timeout is not None
                    error = EventTimeoutError(
                        f"no {waiting_for} within {timeout} s"
                        + (
                            " of opening the request"
                            if self._events_received == 0
                            else " of asking for it"
                        )
                        + f" ({self._received} response bytes so far)",
                        timeout,
                    )
                    self._fail(error)
                    raise error

    def __aiter__(self) -> DuplexSession:
        return self

    async def __anext__(self) -> Message:
        message = await self.receive()
        if message is None:
            raise StopAsyncIteration
        return message

    def _take_inbox(self) -> None:
        """Decode what arrived, then acknowledge it so the peer may send more."""
        data = bytes(self._inbox)
        flow = self._inbox_flow
        self._inbox.clear()
        self._inbox_flow = 0
        self._decode(data)
        if flow and not self._remote_ended and self._failure is None:
            self._run_h2(lambda conn: conn.acknowledge_received_data(flow, self._stream_id))

    def _decode(self, data: bytes | None) -> None:
        try:
            if data is None:
                self._decoder.close()
            else:
                self._pending.extend(self._decoder.feed(data))
        except EventStreamError as exc:
            self._fail(exc, reset=_PROTOCOL_ERROR)
            raise

    async def _raise_status(self, deadline: float | None) -> None:
        """Collect the error body (bounded) and raise :class:`ResponseStatusError`."""
        while not self._remote_ended and len(self._inbox) < self._max_error_body:
            self._inbox_changed.clear()
            if self._failure is not None or not await self._wait(self._inbox_changed, deadline):
                break
        assert self._status is not None
        error = ResponseStatusError(
            self._status, list(self._response_headers), bytes(self._inbox[: self._max_error_body])
        )
        self._fail(error, reset=_CANCEL)
        # The status says why, more than the reset or the close that may have come
        # with it: both directions report it from now on.
        self._failure = error
        raise error

    # -- the reading task ---------------------------------------------------------

    async def _read_loop(self) -> None:
        reader = self._reader
        conn = self._conn
        assert reader is not None and conn is not None
        h2 = self._h2
        try:
            while self._failure is None:
                try:
                    data = await reader.read(_READ_SIZE)
                except (OSError, EOFError) as exc:
                    self._fail(self._lost(f"the connection failed: {exc}"), cause=exc)
                    return
                if not data:
                    self._fail(self._lost("the server closed the connection"))
                    return
                if self._preface is not None:
                    self._preface += data
                    if len(self._preface) < 9:
                        continue
                    data, self._preface = bytes(self._preface), None
                    if data[3] != _SETTINGS_FRAME:
                        # h2 would wait for the whole "frame" that, say, an HTTP/1.1
                        # status line claims (megabytes) before it objected.
                        shown = data[:32].decode("ascii", "replace")
                        self._fail(
                            HTTP2ProtocolError(
                                "the server broke HTTP/2: it must open with a SETTINGS "
                                f"frame, and sent {shown!r}"
                            )
                        )
                        return
                problem = self._frames.check(data)
                if problem is not None:
                    self._fail(HTTP2ProtocolError(f"the server broke HTTP/2: {problem}"))
                    return
                try:
                    events = conn.receive_data(data)
                except h2.exceptions.ProtocolError as exc:
                    self._fail(
                        HTTP2ProtocolError(f"the server broke HTTP/2: {exc}"),
                        cause=exc,
                        goaway=False,
                    )
                    with contextlib.suppress(Exception):
                        self._flush()  # h2 queued a GOAWAY naming the error
                    return
                for event in events:
                    self._handle(event)
                self._flush()
                if self._writer is not None and self._failure is None:
                    # Answers to the peer's control frames (PING, SETTINGS) are small, but a
                    # peer that sends them without reading must not grow our buffer.
                    await self._drain(None, "control frames")
        except DuplexError:
            return  # _drain already recorded it
        except Exception as exc:
            # Nothing else is expected here; if it happens, both directions hear of it
            # rather than wait for a task that is gone.
            self._fail(DuplexError(f"the session's reading task failed: {exc!r}"), cause=exc)

    def _handle(self, event: Any) -> None:
        h2e = self._h2.events
        stream_id = getattr(event, "stream_id", None)
        if isinstance(event, (h2e.WindowUpdated, h2e.RemoteSettingsChanged)):
            self._window_changed.set()
        elif stream_id is not None and stream_id != self._stream_id:
            return  # not ours (h2 refuses pushes, since we disabled them)
        elif isinstance(event, h2e.ResponseReceived):
            self._response_headers = [(str(n), str(v)) for n, v in event.headers or ()]
            for name, value in self._response_headers:
                if name != ":status":
                    continue
                if not (len(value) == 3 and value.isascii() and value.isdigit()):
                    self._fail(
                        HTTP2ProtocolError(f"the server sent :status {value[:40]!r}, not 3 digits")
                    )
                    return
                self._status = int(value)
            self._inbox_changed.set()
        elif isinstance(event, h2e.DataReceived):
            data = event.data or b""
            self._inbox += data
            self._inbox_flow += event.flow_controlled_length or 0
            self._received += len(data)
            self._inbox_changed.set()
        elif isinstance(event, h2e.StreamEnded):
            self._remote_ended = True
            self._inbox_changed.set()
        elif isinstance(event, h2e.StreamReset):
            self._fail(
                StreamResetError(int(event.error_code or 0), self._remote_ended), goaway=False
            )
        elif isinstance(event, h2e.ConnectionTerminated):
            code = int(event.error_code or 0)
            last = event.last_stream_id or 0
            if code != _NO_ERROR or last < self._stream_id:
                self._fail(GoAwayError(code, last, self._progress()), goaway=False)
            else:
                self._goaway = (code, last)  # our stream may still finish

    def _progress(self) -> str:
        return (
            f" after {self._sent_events} events sent and {self._received} response bytes "
            f"received{', before the end frame' if not self._send_ended else ''}"
        )

    def _lost(self, what: str) -> DuplexError:
        if self._remote_ended and self._send_ended:
            return SessionClosedError("the session ended")
        if self._goaway is not None:
            code, last = self._goaway
            return GoAwayError(code, last, " and closed the connection" + self._progress())
        if self._inbox:
            # Decode what arrived (the peer is gone, so nothing is acknowledged): the
            # messages stay for receive(), and the decoder says whether the cut fell
            # inside one.  A malformed stream fails the session with its own error.
            data = bytes(self._inbox)
            self._inbox.clear()
            self._inbox_flow = 0
            with contextlib.suppress(EventStreamError):
                self._decode(data)
        where = ""
        if self._decoder.buffered:
            where = f", inside a message ({self._decoder.buffered} bytes of it received)"
        return ConnectionLostError(f"{what}{self._progress()}{where}", self._received)

    # -- shared machinery ---------------------------------------------------------

    def _run_h2(self, action: Any) -> None:
        """Run an ``h2`` call and send what it queued; a failure ends the session."""
        conn = self._conn
        assert conn is not None
        try:
            action(conn)
        except self._h2.exceptions.H2Error as exc:
            self._raise_failure()
            error = HTTP2ProtocolError(f"HTTP/2 refused the call: {exc}")
            self._fail(error, cause=exc)
            raise error from exc
        self._flush()

    def _flush(self) -> None:
        conn, writer = self._conn, self._writer
        if conn is None or writer is None:
            return
        data = conn.data_to_send()
        if data and not writer.is_closing():
            writer.write(data)

    async def _drain(self, timeout: float | None, what: str) -> None:
        writer = self._writer
        assert writer is not None

        async def drained() -> None:
            # The lock is taken within the deadline too: the reading task may hold it
            # in a drain without one (control frames) while the peer reads nothing.
            async with self._drain_lock:
                await writer.drain()

        try:
            await asyncio.wait_for(drained(), timeout)
        except asyncio.TimeoutError:
            self._fail_timeout_send(f"the peer did not read {what}")
        except (OSError, RuntimeError) as exc:
            self._fail(self._lost(f"the connection failed: {exc}"), cause=exc)
            self._raise_failure()

    def _fail_timeout_send(self, what: str) -> None:
        timeout = self._send_timeout
        assert timeout is not None
        error = SendTimeoutError(f"{what} for {timeout} s{self._progress()}", timeout)
        self._fail(error)
        raise error

    def _fail(
        self,
        error: EventStreamError,
        *,
        cause: BaseException | None = None,
        reset: int | None = None,
        goaway: bool = True,
    ) -> None:
        """Record the error that ends the session (the first one wins) and wake both
        directions; reset the stream and close the connection so the peer knows too."""
        if self._failure is not None:
            return
        if cause is not None:
            error.__cause__ = cause
        self._failure = error
        conn = self._conn
        if conn is not None and goaway:
            with contextlib.suppress(Exception):
                conn.reset_stream(self._stream_id, _CANCEL if reset is None else reset)
            with contextlib.suppress(Exception):
                conn.close_connection(_NO_ERROR)
            self._flush()
        if self._writer is not None:
            self._writer.close()
        self._wake_all()

    def _wake_all(self) -> None:
        self._window_changed.set()
        self._inbox_changed.set()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _deadline(self, timeout: float | None) -> float | None:
        return None if timeout is None else asyncio.get_running_loop().time() + timeout

    def _remaining(self, deadline: float | None) -> float | None:
        if deadline is None:
            return None
        return max(0.0, deadline - asyncio.get_running_loop().time())

    async def _wait(self, event: asyncio.Event, deadline: float | None) -> bool:
        """Wait for ``event`` until ``deadline`` (loop time); whether it was set.  A
        cancelled wait ends the session, both directions."""
        try:
            if deadline is None:
                await event.wait()
                return True
            remaining = self._remaining(deadline)
            try:
                await asyncio.wait_for(event.wait(), remaining)
            except asyncio.TimeoutError:
                return event.is_set()
            return True
        except asyncio.CancelledError:
            self._fail(SessionClosedError("the session was cancelled"))
            raise


def _header_list(headers: RequestHeaders) -> list[tuple[str, str]]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    result = []
    for name, value in items:
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError(f"request headers must be str pairs, got {name!r}: {value!r}")
        result.append((name.lower(), value))
    return result
