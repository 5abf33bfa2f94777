"""``eventstream invoke`` against the loopback server, with fake credentials.

The server records what arrived: the request must be build_request's, signed
so that botocore, given the request exactly as received, computes the same
signature.  Responses: a stream in random pieces, a stream held after its
first chunk (the payload must already be on stdout), an error reply, a
function error, and a connection dropped mid-stream.
"""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
import threading

import pytest

from ..aws_lambda.test_lambda_invoke_example import (
    OUTPUT,
    STREAM_HEADERS,
    TOKEN,
    assert_signed_as_sent,
    example_env,
)
from ..loopback import CannedResponse, LoopbackServer, random_pieces
from ..streams import LAMBDA_EVENTS, LAMBDA_STREAM, encode_all

pytest.importorskip("botocore", reason="botocore is the sigv4 extra")

from eventstream.aws_lambda import InvokeComplete, PayloadChunk


def invoke(server: LoopbackServer, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "eventstream",
        "invoke",
        "my-function",
        "--payload",
        '{"question": 42}',
        "--region",
        "us-west-2",
        "--endpoint-url",
        server.url,
        *extra,
    ]


def run_invoke(server: LoopbackServer, *extra: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        invoke(server, *extra), env=example_env(), capture_output=True, timeout=60
    )


def test_streams_the_payload_and_reports_the_completion() -> None:
    pieces = random_pieces(LAMBDA_STREAM, random.Random(5), max_size=300)
    spec = CannedResponse(headers=STREAM_HEADERS, pieces=pieces, pause=0.002)
    with LoopbackServer(spec) as server:
        result = run_invoke(server, "--qualifier", "live", "--log-type", "Tail")
        (request,) = server.requests
        assert_signed_as_sent(request, server.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == OUTPUT
    assert result.stderr.decode().startswith("eventstream: InvokeComplete: success")
    assert request.method == "POST"
    assert request.path == "/2021-11-15/functions/my-function/response-streaming-invocations"
    assert request.query == {"Qualifier": ["live"]}
    assert request.header("X-Amz-Log-Type") == "Tail"
    assert request.header("X-Amz-Security-Token") == TOKEN
    assert request.body == b'{"question": 42}'


def test_payload_is_on_stdout_before_the_stream_ends() -> None:
    first = LAMBDA_EVENTS[0]
    assert isinstance(first, PayloadChunk)
    first_message = encode_all([first.to_message()])
    proceed = threading.Event()
    spec = CannedResponse(
        headers=STREAM_HEADERS,
        pieces=[first_message, LAMBDA_STREAM[len(first_message) :]],
        hold=(1, proceed),
        hold_timeout=20.0,
    )
    with LoopbackServer(spec) as server:
        env = {k: v for k, v in example_env().items() if k != "PYTHONUNBUFFERED"}
        # The first chunk is a whole JSON value: with --http-integration auto it
        # could still be a prelude and would be held until the next bytes.
        process = subprocess.Popen(
            invoke(server, "--http-integration", "off"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            assert process.stdout is not None
            early = process.stdout.read1(65536)  # returns once something was written
            proceed.set()
            late = process.stdout.read()
            assert process.wait(timeout=30) == 0
        finally:
            proceed.set()
            process.kill()
            process.wait()
    assert early == first.payload
    assert early + late == OUTPUT


def test_error_reply_exits_4_with_the_modeled_error() -> None:
    body = json.dumps({"Type": "User", "message": "Function not found: my-function"}).encode()
    spec = CannedResponse(
        status=404,
        headers=[
            ("Content-Type", "application/json"),
            ("X-Amzn-ErrorType", "ResourceNotFoundException"),
        ],
        pieces=[body],
        chunked=False,
    )
    with LoopbackServer(spec) as server:
        result = run_invoke(server, "--json")
    assert result.returncode == 4
    assert result.stdout == b""
    (line,) = result.stderr.decode().splitlines()
    report = json.loads(line)
    assert report["status"] == "error" and report["exit_status"] == 4
    assert "ResourceNotFoundException" in report["error"]


def test_function_error_and_dropped_connection() -> None:
    failed = encode_all(
        [PayloadChunk(b"partial").to_message(), InvokeComplete("Sandbox.Timedout").to_message()]
    )
    with LoopbackServer(CannedResponse(headers=STREAM_HEADERS, pieces=[failed])) as server:
        result = run_invoke(server)
    assert result.returncode == 4
    assert result.stdout == b"partial"
    assert "function error Sandbox.Timedout" in result.stderr.decode()

    cut = CannedResponse(headers=STREAM_HEADERS, pieces=[LAMBDA_STREAM[:40], b"x"], drop_after=1)
    with LoopbackServer(cut) as server:
        result = run_invoke(server)
    assert result.returncode == 1
    assert result.stderr.decode().startswith("eventstream: error: ")


def test_without_credentials_says_so() -> None:
    env = {k: v for k, v in example_env().items() if not k.startswith("AWS_ACCESS")}
    env.pop("AWS_SECRET_ACCESS_KEY", None)
    env.pop("AWS_SESSION_TOKEN", None)
    result = subprocess.run(
        [sys.executable, "-m", "eventstream", "invoke", "f", "--region", "us-west-2",
         "--endpoint-url", "http://127.0.0.1:9"],
        env=env, capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert b"no AWS credentials found" in result.stderr


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:99999", "http://127.0.0.1:port", "ftp://127.0.0.1", "127.0.0.1"]
)
def test_bad_endpoint_url_is_a_usage_error(url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "eventstream", "invoke", "f", "--region", "us-west-2",
         "--endpoint-url", url],
        env=example_env(), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.decode().splitlines()[-1] == (
        "eventstream invoke: error: argument --endpoint-url: expected http(s)://HOST[:PORT] "
        f"with a port 0..65535, got {url!r}"
    )


def test_a_reply_that_is_not_http_is_a_one_line_error() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer_garbage() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"garbage, not a status line\r\n\r\n")

    thread = threading.Thread(target=answer_garbage, daemon=True)
    thread.start()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "eventstream", "invoke", "f", "--region", "us-west-2",
             "--endpoint-url", f"http://127.0.0.1:{port}"],
            env=example_env(), capture_output=True, timeout=60,
        )  # fmt: skip
    finally:
        thread.join(timeout=30)
        listener.close()
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == [
        f"eventstream: error: http://127.0.0.1:{port} did not answer with HTTP: "
        "BadStatusLine: garbage, not a status line"
    ]


def test_a_region_that_makes_no_url_is_a_one_line_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "eventstream", "invoke", "f", "--region", "us-west-2:x"],
        env=example_env(), capture_output=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == [
        "eventstream: error: not an endpoint URL: 'https://lambda.us-west-2:x.amazonaws.com' "
        "(is the region right?)"
    ]
