"""The loopback server options the adapter tests rely on: random pieces, the hold
gate (and its drop on timeout)."""

from __future__ import annotations

import http.client
import random
import socket
import threading
import time

import pytest

from ..loopback import CannedResponse, LoopbackServer, random_pieces


@pytest.mark.parametrize("seed", range(20))
def test_random_pieces_cover_the_data_with_a_one_byte_piece(seed: int) -> None:
    rng = random.Random(seed)
    data = bytes(rng.randrange(256) for _ in range(rng.randint(2, 500)))
    pieces = random_pieces(data, rng, max_size=rng.randint(1, 80))
    assert b"".join(pieces) == data
    assert all(pieces)
    assert any(len(piece) == 1 for piece in pieces)


def _open(
    server: LoopbackServer, timeout: float = 10.0
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    connection.request("GET", "/")
    return connection, connection.getresponse()


def test_hold_sends_nothing_more_until_released() -> None:
    proceed = threading.Event()
    spec = CannedResponse(pieces=[b"first", b"second"], hold=(1, proceed))
    with LoopbackServer(spec) as server:
        connection, response = _open(server, timeout=1.0)
        try:
            assert response.read1(100) == b"first"
            with pytest.raises(socket.timeout):  # held: nothing more arrives
                response.read1(100)
        finally:
            proceed.set()
            connection.close()


def test_hold_released_sends_the_rest() -> None:
    proceed = threading.Event()
    spec = CannedResponse(pieces=[b"first", b"second"], hold=(1, proceed))
    with LoopbackServer(spec) as server:
        connection, response = _open(server)
        try:
            assert response.read1(100) == b"first"
            proceed.set()
            assert response.read() == b"second"
        finally:
            connection.close()


def test_hold_not_released_in_time_drops_the_connection() -> None:
    spec = CannedResponse(
        pieces=[b"first", b"second"], hold=(1, threading.Event()), hold_timeout=0.2
    )
    with LoopbackServer(spec) as server:
        connection, response = _open(server)
        started = time.monotonic()
        try:
            assert response.read1(100) == b"first"
            with pytest.raises(http.client.IncompleteRead):
                response.read()
        finally:
            connection.close()
    assert time.monotonic() - started < 5
