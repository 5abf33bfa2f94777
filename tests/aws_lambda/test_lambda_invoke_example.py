"""examples/lambda_invoke.py end to end against the loopback server.

The example builds the request with build_request, signs it with botocore's SigV4
signer, sends it with httpx and prints the payload as it streams.  The server checks
what arrived: the operation's path and body, and a signature that botocore, given
the request exactly as received, computes the same way (so what was signed is what
was sent).  Responses: a chunked stream in random pieces with pauses, a stream held
after the first chunk (the output must already be on stdout), an error reply, a
failed invocation, and a connection dropped mid-stream.
"""

from __future__ import annotations

import os
import random
import re
import select
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ..loopback import CannedResponse, LoopbackServer, RecordedRequest, random_pieces
from ..streams import LAMBDA_EVENTS, LAMBDA_STREAM, boundaries, encode_all

botocore = pytest.importorskip("botocore", reason="botocore and httpx are the sigv4 extra")
pytest.importorskip("httpx")

from botocore.auth import SigV4Auth  # noqa: E402
from botocore.awsrequest import AWSRequest  # noqa: E402
from botocore.credentials import Credentials  # noqa: E402

from eventstream.aws_lambda import InvokeComplete, PayloadChunk  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "lambda_invoke.py"
ACCESS_KEY = "AKIDEXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKEN = "session-token-example"
STREAM_HEADERS = [
    ("Content-Type", "application/vnd.amazon.eventstream"),
    ("X-Amz-Executed-Version", "$LATEST"),
]
OUTPUT = b"".join(e.payload for e in LAMBDA_EVENTS if isinstance(e, PayloadChunk))


def example_env() -> dict[str, str]:
    """Dummy credentials only: the developer's AWS setup stays out of the test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_SESSION_TOKEN=TOKEN,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def command(server: LoopbackServer, *extra: str) -> list[str]:
    return [
        sys.executable,
        str(EXAMPLE),
        "my-function",
        '{"question": 42}',
        "--region",
        "us-west-2",
        "--endpoint-url",
        server.url,
        *extra,
    ]


def run_example(server: LoopbackServer, *extra: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        command(server, *extra), env=example_env(), capture_output=True, timeout=60
    )


def assert_signed_as_sent(request: RecordedRequest, url: str) -> None:
    """Recompute the SigV4 signature from the request as the server received it."""
    authorization = request.header("Authorization") or ""
    match = re.fullmatch(
        r"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/(\d{8})/us-west-2/lambda/aws4_request, "
        r"SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})",
        authorization,
    )
    assert match, authorization
    signed_names = match.group(2).split(";")
    assert {"host", "x-amz-date", "x-amz-security-token"} <= set(signed_names)
    received = AWSRequest(
        method=request.method,
        url=url + request.target,
        data=request.body,
        headers={name: request.header(name) for name in signed_names if name != "host"},
    )
    received.context["timestamp"] = request.header("X-Amz-Date")
    signer = SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, TOKEN), "lambda", "us-west-2")
    canonical = signer.canonical_request(received)
    signature = signer.signature(signer.string_to_sign(received, canonical), received)
    assert signature == match.group(3)


def test_streams_the_functions_output() -> None:
    pieces = random_pieces(LAMBDA_STREAM, random.Random(3), max_size=300)
    spec = CannedResponse(headers=STREAM_HEADERS, pieces=pieces, pause=0.003)
    with LoopbackServer(spec) as server:
        result = run_example(server)
        (request,) = server.requests
        assert_signed_as_sent(request, server.url)
    assert result.returncode == 0, result.stderr
    assert result.stdout == OUTPUT
    assert request.method == "POST"
    assert request.path == "/2021-11-15/functions/my-function/response-streaming-invocations"
    assert request.body == b'{"question": 42}'
    assert request.header("X-Amz-Security-Token") == TOKEN


def test_output_is_printed_before_the_stream_ends() -> None:
    first = LAMBDA_EVENTS[0]
    assert isinstance(first, PayloadChunk)
    first_message = encode_all([first.to_message()])
    proceed = threading.Event()
    spec = CannedResponse(
        headers=STREAM_HEADERS,
        pieces=[first_message, LAMBDA_STREAM[len(first_message) :]],
        hold=(1, proceed),
        hold_timeout=10.0,
    )
    with LoopbackServer(spec) as server:
        process = subprocess.Popen(
            command(server), env=example_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        try:
            assert process.stdout is not None
            early = b""
            while len(early) < len(first.payload):
                ready, _, _ = select.select([process.stdout], [], [], 20)
                assert ready, "no output while the server held the rest of the stream"
                piece = os.read(process.stdout.fileno(), 65536)
                assert piece, "stdout closed early"
                early += piece
            assert early == first.payload
            assert not proceed.is_set()
            proceed.set()
            rest, errors = process.communicate(timeout=60)
        finally:
            proceed.set()
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 0, errors
    assert early + rest == OUTPUT


def test_error_reply_is_the_modeled_error() -> None:
    spec = CannedResponse(
        status=404,
        headers=[
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "ResourceNotFoundException"),
            ("x-amzn-RequestId", "req-1"),
        ],
        pieces=[b'{"Type":"User","Message":"Function not found: my-function"}'],
        chunked=False,
    )
    with LoopbackServer(spec) as server:
        result = run_example(server)
    assert result.returncode == 1
    assert result.stdout == b""
    assert b"ResourceNotFoundException" in result.stderr
    assert b"Function not found: my-function" in result.stderr


def test_failed_invocation_reports_the_error_code() -> None:
    events = [PayloadChunk(b"partial "), InvokeComplete("Sandbox.Timedout", "Task timed out")]
    spec = CannedResponse(
        headers=STREAM_HEADERS, pieces=[encode_all([e.to_message() for e in events])]
    )
    with LoopbackServer(spec) as server:
        result = run_example(server)
    assert result.returncode == 1
    assert result.stdout == b"partial "
    assert b"function failed: Sandbox.Timedout: Task timed out" in result.stderr


def _cuts() -> list[tuple[int, bytes]]:
    """(cut offset, what must be on stdout): inside the completion, inside the second
    chunk, inside the first prelude, and exactly between two messages."""
    offsets = boundaries([event.to_message() for event in LAMBDA_EVENTS])
    first, second, _ = (e.payload for e in LAMBDA_EVENTS[:3])  # type: ignore[union-attr]
    return [
        (len(LAMBDA_STREAM) - 30, OUTPUT),
        (offsets[1] + 100, first),
        (5, b""),
        (offsets[2], first + second),
    ]


@pytest.mark.parametrize(("cut", "printed"), _cuts())
def test_dropped_connection_is_an_incomplete_stream(cut: int, printed: bytes) -> None:
    pieces = random_pieces(LAMBDA_STREAM[:cut], random.Random(cut), max_size=400)
    spec = CannedResponse(headers=STREAM_HEADERS, pieces=pieces, drop_after=len(pieces))
    with LoopbackServer(spec) as server:
        result = run_example(server)
    assert result.returncode == 1
    assert b"error: IncompleteStreamError: stream ended without InvokeComplete" in result.stderr
    assert result.stdout == printed
