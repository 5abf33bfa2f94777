"""A standard-library HTTP/1.1 server on 127.0.0.1 that serves canned responses.

Goal: let tests point real HTTP clients (botocore, urllib, http.client, ...) at a
server that streams a chosen list of byte pieces with chunked transfer encoding, can
pause between pieces or drop the connection mid-stream, and records every request it
received. Reusable by any test: nothing here knows about Lambda.

Usage::

    with LoopbackServer(CannedResponse(headers=[("Content-Type", "x/y")],
                                       pieces=[b"ab", b"cd"])) as server:
        urllib.request.urlopen(server.url + "/path?q=1").read()   # b"abcd"
        server.requests[0].path                                   # "/path"

Worst cases are bounded: each connection times out after ``timeout`` seconds, request
bodies are capped at ``max_request_body`` bytes, and ``close()`` waits a bounded time
for the serving thread.
"""

from __future__ import annotations

import contextlib
import random
import socket
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Union
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it (header names as sent, in order)."""

    method: str
    target: str
    path: str
    raw_query: str
    query: dict[str, list[str]]
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        """The first value of a header, looked up case-insensitively."""
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def header_names(self) -> list[str]:
        """The lower-cased names of all headers received."""
        return [key.lower() for key, _ in self.headers]


@dataclass(frozen=True)
class CannedResponse:
    """What the server answers.

    ``pieces`` are written one after another; with ``chunked`` each non-empty piece is
    one chunk of the chunked transfer encoding (empty pieces are skipped: an empty
    chunk would end the body), else the body is sent with ``Content-Length``.
    ``pause`` seconds pass before each piece after the first. ``drop_after=n`` closes
    the connection abruptly after ``n`` pieces, without finishing the body.
    ``hold=(n, event)`` waits before piece ``n`` until ``event`` is set, and drops the
    connection if that takes over ``hold_timeout`` seconds: a test that a client hands
    on what arrived before the rest is sent (a client that buffers the body fails).
    """

    status: int = 200
    headers: Sequence[tuple[str, str]] = ()
    pieces: Sequence[bytes] = ()
    chunked: bool = True
    pause: float = 0.0
    drop_after: int | None = None
    hold: tuple[int, threading.Event] | None = None
    hold_timeout: float = 5.0


Responder = Union[CannedResponse, Callable[[RecordedRequest], CannedResponse]]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep test output clean

    def _read_body(self) -> bytes:
        limit = self.server.max_request_body
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            parts = []
            total = 0
            while True:
                size_line = self.rfile.readline(1024)
                size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                total += size
                if total > limit:
                    raise ValueError("request body over the loopback server's cap")
                parts.append(self.rfile.read(size))
                self.rfile.readline(1024)
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        if length > limit:
            raise ValueError("request body over the loopback server's cap")
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        split = urlsplit(self.path)
        body = self._read_body()
        request = RecordedRequest(
            method=self.command,
            target=self.path,
            path=split.path,
            raw_query=split.query,
            query=parse_qs(split.query, keep_blank_values=True),
            headers=list(self.headers.items()),
            body=body,
        )
        self.server.record(request)
        responder = self.server.responder
        response = responder(request) if callable(responder) else responder
        self._respond(response)

    def _respond(self, response: CannedResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        if response.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(sum(len(p) for p in response.pieces)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        for index, piece in enumerate(response.pieces):
            if response.drop_after is not None and index >= response.drop_after:
                self._drop()
                return
            if index and response.pause:
                time.sleep(response.pause)
            if response.hold is not None and index == response.hold[0]:
                self.wfile.flush()
                if not response.hold[1].wait(response.hold_timeout):
                    self._drop()
                    return
            if response.chunked:
                if not piece:
                    continue
                self.wfile.write(b"%x\r\n" % len(piece) + piece + b"\r\n")
            else:
                self.wfile.write(piece)
            self.wfile.flush()
        if response.drop_after is not None and response.drop_after <= len(response.pieces):
            self._drop()
            return
        if response.chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        self.close_connection = True

    do_GET = _handle
    do_POST = _handle
    do_PUT = _handle


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        responder: Responder,
        timeout: float,
        max_request_body: int,
        requests: list[RecordedRequest],
        lock: threading.Lock,
    ) -> None:
        self.responder = responder
        self.max_request_body = max_request_body
        self.requests = requests
        self._lock = lock
        _Handler.timeout = timeout
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that stops reading early (a test of early stops) is not an error.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)


@dataclass
class LoopbackServer:
    """Context manager: a server on 127.0.0.1 (random port) answering with ``responder``.

    ``responder`` is a :class:`CannedResponse` (the same answer to every request) or a
    function from the :class:`RecordedRequest` to the answer. ``url`` is the base URL,
    ``requests`` what was received so far.
    """

    responder: Responder
    timeout: float = 10.0
    max_request_body: int = 16 * 1024 * 1024
    _server: _Server | None = field(default=None, init=False, repr=False)
    _requests: list[RecordedRequest] = field(default_factory=list, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)

    def __enter__(self) -> LoopbackServer:
        self._server = _Server(
            self.responder, self.timeout, self.max_request_body, self._requests, self._lock
        )
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop serving and free the port (waits at most ``timeout`` for the thread)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(self.timeout)
        self._server = None
        self._thread = None

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first (still there after close)."""
        with self._lock:
            return list(self._requests)


def random_pieces(data: bytes, rng: random.Random, max_size: int = 64) -> list[bytes]:
    """``data`` cut into pieces of random sizes in 1..``max_size``, with at least one
    1-byte piece when ``data`` has two bytes or more (a client must cope with both)."""
    pieces: list[bytes] = []
    position = 0
    while position < len(data):
        size = rng.randint(1, max_size)
        pieces.append(data[position : position + size])
        position += size
    if len(data) > 1 and all(len(piece) > 1 for piece in pieces):
        index = rng.randrange(len(pieces))
        piece = pieces[index]
        pieces[index : index + 1] = [piece[:1], piece[1:]]
    return pieces
