"""Streams built with this layer, served over real HTTP (chunked) from a loopback server,
read back by boto3's ``invoke_with_response_stream`` and by http.client in random read
sizes through ResponseStreamDecoder."""

from __future__ import annotations

import base64
import http.client
import random
from collections.abc import Iterator
from typing import Any

import pytest

import eventstream as es
from eventstream.aws_lambda import (
    EVENT_STREAM_CONTENT_TYPE,
    IncompleteStreamError,
    InvokeComplete,
    PayloadChunk,
    ResponseStreamDecoder,
    ResponseStreamEvent,
    build_request,
    response_head,
)
from eventstream.events import UnmodeledStreamError

from ..loopback import CannedResponse, LoopbackServer, RecordedRequest
from .lambda_peers import isolated_aws_env, lambda_client

LOG = base64.b64encode("START RequestId: 1\nhello from the function ✓\nEND\n".encode()).decode()

SCENARIOS: dict[str, list[ResponseStreamEvent]] = {
    "success": [
        PayloadChunk(b'{"token": "Hello"}\n'),
        PayloadChunk(b'{"token": ", world"}\n'),
        InvokeComplete(),
    ],
    "error-fields": [
        PayloadChunk(b"partial output"),
        InvokeComplete(
            error_code="Sandbox.Timedout", error_details="Task timed out after 3.00 seconds"
        ),
    ],
    "log-tail": [PayloadChunk(b"out"), InvokeComplete(log_result=LOG)],
    "all-fields": [
        PayloadChunk(b"a"),
        PayloadChunk(b"b"),
        InvokeComplete(
            error_code="Unhandled", error_details='{"errorMessage":"x"}', log_result=LOG
        ),
    ],
    "binary-and-big": [
        PayloadChunk(bytes(range(256)) * 4),
        PayloadChunk(b"\x00" * 8),
        PayloadChunk(b"z" * 150_000),
        InvokeComplete(),
    ],
    "empty-chunk": [PayloadChunk(b""), PayloadChunk(b"x"), InvokeComplete()],
    "only-complete": [InvokeComplete()],
}

STREAM_HEADERS = [
    ("Content-Type", EVENT_STREAM_CONTENT_TYPE),
    ("X-Amz-Executed-Version", "$LATEST"),
    ("x-amzn-Remapped-Content-Type", "application/x-ndjson"),
    ("x-amzn-RequestId", "11111111-2222-3333-4444-555555555555"),
]


def stream_bytes(events: list[ResponseStreamEvent]) -> bytes:
    return b"".join(es.encode(event.to_message()) for event in events)  # type: ignore[union-attr]


def random_pieces(data: bytes, rng: random.Random, max_piece: int = 700) -> list[bytes]:
    pieces = []
    pos = 0
    while pos < len(data):
        size = rng.randint(1, max_piece)
        pieces.append(data[pos : pos + size])
        pos += size
    return pieces


def as_botocore_event(event: ResponseStreamEvent) -> dict[str, Any]:
    """What botocore's parser yields for an event we wrote (only the set members)."""
    if isinstance(event, PayloadChunk):
        return {"PayloadChunk": {"Payload": event.payload}}
    assert isinstance(event, InvokeComplete)
    members = {
        "ErrorCode": event.error_code,
        "ErrorDetails": event.error_details,
        "LogResult": event.log_result,
    }
    return {"InvokeComplete": {k: v for k, v in members.items() if v is not None}}


class StreamServer:
    """Serves, per function name, the stream of SCENARIOS[name] in random pieces."""

    def __init__(self) -> None:
        self.served: dict[str, list[bytes]] = {}

    def __call__(self, request: RecordedRequest) -> CannedResponse:
        name = request.path.split("/")[3]
        seed = int(request.query.get("Qualifier", ["0"])[0])
        pieces = random_pieces(stream_bytes(SCENARIOS[name]), random.Random(seed))
        self.served[name] = pieces
        return CannedResponse(status=200, headers=STREAM_HEADERS, pieces=pieces)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with isolated_aws_env(), LoopbackServer(StreamServer()) as running:
        yield running


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_boto3_reads_exactly_what_was_written(server: LoopbackServer, name: str) -> None:
    client = lambda_client(server.url)
    response = client.invoke_with_response_stream(FunctionName=name, Qualifier="7")
    assert response["StatusCode"] == 200
    assert response["ExecutedVersion"] == "$LATEST"
    assert response["ResponseStreamContentType"] == EVENT_STREAM_CONTENT_TYPE
    received = list(response["EventStream"])
    assert received == [as_botocore_event(e) for e in SCENARIOS[name]]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_http_client_random_reads_through_decoder(
    server: LoopbackServer, name: str, seed: int
) -> None:
    request = build_request(name, qualifier=str(seed), log_type="Tail")
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(request.method, request.target, request.body, request.headers)
        response = connection.getresponse()
        head = response_head(response.status, response.getheaders())
        # http.client's HTTPMessage (not a Mapping) gives the same head.
        assert response_head(response.status, response.headers) == head
        assert head.executed_version == "$LATEST"
        assert head.function_content_type == "application/x-ndjson"
        assert head.has_event_stream
        decoder = ResponseStreamDecoder()
        events: list[ResponseStreamEvent] = []
        rng = random.Random(1000 + seed)
        reads = 0
        while True:
            data = response.read(rng.randint(1, 512))
            if not data:
                break
            reads += 1
            events += decoder.feed(data)
        decoder.close()
    finally:
        connection.close()
    assert events == SCENARIOS[name]
    assert decoder.complete == SCENARIOS[name][-1]
    assert reads >= 1


def test_dropped_connection_is_an_incomplete_stream() -> None:
    events = SCENARIOS["success"]
    data = stream_bytes(events)
    first = len(es.encode(events[0].to_message()))  # type: ignore[union-attr]
    # Cut inside the second message: one whole chunk, then 10 bytes, then the drop.
    pieces = [data[:first], data[first : first + 10], data[first + 10 :]]
    reply = CannedResponse(headers=STREAM_HEADERS, pieces=pieces, pause=0.01, drop_after=2)
    with LoopbackServer(reply) as dropping:
        connection = http.client.HTTPConnection("127.0.0.1", dropping.port, timeout=10)
        request = build_request("f")
        connection.request(request.method, request.target, request.body, request.headers)
        response = connection.getresponse()
        decoder = ResponseStreamDecoder()
        received: list[ResponseStreamEvent] = []
        try:
            while True:
                data_read = response.read(64)
                if not data_read:
                    break
                received += decoder.feed(data_read)
        except http.client.IncompleteRead as exc:
            received += decoder.feed(exc.partial)
        finally:
            connection.close()
        with pytest.raises(IncompleteStreamError) as caught:
            decoder.close()
    assert received == [events[0]]
    assert caught.value.chunk_count == 1
    assert caught.value.payload_size == len(events[0].payload)  # type: ignore[union-attr]
    assert caught.value.partial_bytes == 10
    assert isinstance(caught.value, es.TruncatedStreamError)


def test_error_message_frame_agrees_with_boto3() -> None:
    botocore_exceptions = pytest.importorskip("botocore.exceptions")
    error = es.Message(
        [
            (":message-type", "error"),
            (":error-code", "ServiceUnavailable"),
            (":error-message", "try again later"),
        ],
        b"",
    )
    data = stream_bytes([PayloadChunk(b"first")]) + es.encode(error)
    reply = CannedResponse(headers=STREAM_HEADERS, pieces=[data])
    with isolated_aws_env(), LoopbackServer(reply) as erroring:
        client = lambda_client(erroring.url)
        response = client.invoke_with_response_stream(FunctionName="f")
        stream = iter(response["EventStream"])
        assert next(stream) == {"PayloadChunk": {"Payload": b"first"}}
        with pytest.raises(botocore_exceptions.EventStreamError) as boto_caught:
            next(stream)
    decoder = ResponseStreamDecoder()
    assert decoder.feed(data) == [PayloadChunk(b"first")]
    with pytest.raises(UnmodeledStreamError) as caught:
        decoder.feed(b"")
    boto_error = boto_caught.value.response["Error"]
    assert caught.value.code == boto_error["Code"] == "ServiceUnavailable"
    assert caught.value.message == boto_error["Message"] == "try again later"
