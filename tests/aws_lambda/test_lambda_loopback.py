"""The loopback server itself (tests/loopback.py), which other tests and adapters reuse."""

from __future__ import annotations

import http.client
import socket
import time

import pytest

from ..loopback import CannedResponse, LoopbackServer, RecordedRequest


def raw_exchange(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while True:
            data = sock.recv(65536)
            if not data:
                return received
            received += data


def test_pieces_are_sent_as_chunks_and_request_is_recorded() -> None:
    reply = CannedResponse(status=200, headers=[("X-Test", "1")], pieces=[b"ab", b"", b"cde"])
    with LoopbackServer(reply) as server:
        raw = raw_exchange(
            server.port,
            b"POST /p/a%3Ab?Qualifier=%24LATEST&x= HTTP/1.1\r\nHost: h\r\n"
            b"X-Custom: v\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
        (request,) = server.requests
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"Transfer-Encoding: chunked" in head and b"X-Test: 1" in head
    assert body == b"2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n"  # the empty piece is skipped
    assert request.method == "POST"
    assert request.target == "/p/a%3Ab?Qualifier=%24LATEST&x="
    assert request.path == "/p/a%3Ab"
    assert request.query == {"Qualifier": ["$LATEST"], "x": [""]}
    assert request.header("x-custom") == "v" and request.header("missing") is None
    assert request.body == b"abcde"


def test_content_length_mode_and_requests_kept_after_close() -> None:
    reply = CannedResponse(status=404, pieces=[b'{"a":', b"1}"], chunked=False)
    with LoopbackServer(reply) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/x", headers={"A": "b"})
        response = connection.getresponse()
        assert response.status == 404
        assert response.getheader("Content-Length") == "7"
        assert response.read() == b'{"a":1}'
        connection.close()
    assert [r.path for r in server.requests] == ["/x"]


def test_pause_between_pieces() -> None:
    reply = CannedResponse(pieces=[b"a", b"b", b"c"], pause=0.1)
    with LoopbackServer(reply) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/")
        response = connection.getresponse()
        start = time.monotonic()
        assert response.read(1) == b"a"
        first = time.monotonic() - start
        assert response.read() == b"bc"
        total = time.monotonic() - start
        connection.close()
    assert total >= 0.19
    assert first < total


def test_drop_mid_stream() -> None:
    reply = CannedResponse(pieces=[b"abc", b"def"], drop_after=1)
    with LoopbackServer(reply) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/")
        response = connection.getresponse()
        with pytest.raises(http.client.IncompleteRead) as caught:
            response.read()
        connection.close()
    assert caught.value.partial == b"abc"


def test_responder_function_sees_the_request() -> None:
    def echo(request: RecordedRequest) -> CannedResponse:
        return CannedResponse(pieces=[request.path.encode()])

    with LoopbackServer(echo) as server:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/hello")
        assert connection.getresponse().read() == b"/hello"
        connection.close()
