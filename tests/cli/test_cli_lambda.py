"""``eventstream lambda``: payload to stdout (binary-safe), completion to stderr, exit statuses."""

from __future__ import annotations

import base64

import pytest

import eventstream as es
from eventstream.aws_lambda import InvokeComplete, PayloadChunk, encode_http_integration_prelude

from .cli_run import fixture, live, run, stderr_lines


def body(*events: PayloadChunk | InvokeComplete) -> bytes:
    return b"".join(es.encode(event.to_message()) for event in events)


def test_stream_payload_to_stdout_completion_to_stderr() -> None:
    result = run("lambda", fixture("lambda-stream.bin"))
    assert result.returncode == 0
    assert result.stdout == b'{"token": "Hello"}\n{"token": ", world"}\n{"token": "!"}\n'
    assert stderr_lines(result) == [
        "eventstream: InvokeComplete: success (3 chunks, 55 payload bytes)"
    ]


def test_payload_is_binary_safe_from_stdin() -> None:
    chunks = [bytes(range(256)), b"\r\n\x00", b"", b"\xff" * 70000]
    data = body(*(PayloadChunk(c) for c in chunks), InvokeComplete())
    result = run("lambda", stdin=data)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"".join(chunks)


def test_function_error_exits_4_with_details_and_log_tail() -> None:
    result = run("lambda", fixture("lambda-error.bin"))
    assert result.returncode == 4
    assert result.stdout == b'{"token": "Hello"}\n{"token": ", world"}\n'
    lines = stderr_lines(result)
    assert lines[:3] == [
        "eventstream: InvokeComplete: function error Sandbox.Timedout "
        "(2 chunks, 40 payload bytes)",
        "eventstream: error details: Task timed out after 3.00 seconds",
        "eventstream: log tail:",
    ]
    assert lines[3].startswith("START RequestId: 6b2c5e1a")
    assert lines[-1].startswith("REPORT RequestId:") and lines[-1].endswith("Status: timeout")


def test_undecodable_log_result_is_reported_not_fatal() -> None:
    result = run("lambda", stdin=body(InvokeComplete(error_code="Unhandled", log_result="***")))
    assert result.returncode == 4
    assert "eventstream: log tail: LogResult is not base64" in result.stderr.decode()


def test_http_integration_prelude_is_split_off() -> None:
    result = run("lambda", fixture("lambda-http-integration.bin"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"<!doctype html>\n<p>Hello from a streaming function</p>\n"
    assert stderr_lines(result)[:3] == [
        "eventstream: HTTP-integration prelude: status 200",
        "eventstream:   Content-Type: text/html; charset=utf-8",
        "eventstream:   set-cookie: session=abc123; Secure",
    ]
    kept = run("lambda", "--http-integration", "off", fixture("lambda-http-integration.bin"))
    assert kept.stdout.startswith(b'{"statusCode":200,') and b"\x00" * 8 in kept.stdout
    assert b"prelude" not in kept.stderr


def test_http_integration_modes_on_a_plain_payload() -> None:
    # auto: a JSON payload without the delimiter is just payload.
    auto = run("lambda", fixture("lambda-stream.bin"))
    assert auto.stdout.startswith(b'{"token"') and b"prelude" not in auto.stderr
    required = run("lambda", "--http-integration", "on", fixture("lambda-stream.bin"))
    assert required.returncode == 1
    assert stderr_lines(required)[-1].startswith("eventstream: error: --http-integration on:")
    # A prelude with a multi-value header, split one byte per chunk.
    joined = encode_http_integration_prelude(201, multi_value_headers={"x-a": ["1", "2"]}) + b"ok"
    data = body(*(PayloadChunk(joined[i : i + 1]) for i in range(len(joined))), InvokeComplete())
    result = run("lambda", "--http-integration", "on", stdin=data)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"ok"
    assert stderr_lines(result)[:3] == [
        "eventstream: HTTP-integration prelude: status 201",
        "eventstream:   x-a: 1",
        "eventstream:   x-a: 2",
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            fixture("lambda-truncated.bin").read_bytes(),
            "stream ended without InvokeComplete after 3 PayloadChunk events (55 payload bytes) "
            "and 72 bytes of a cut message (at byte offset 373)",
        ),
        (
            body(PayloadChunk(b"a")),
            "stream ended without InvokeComplete after 1 PayloadChunk events (1 payload bytes) "
            "(at byte offset 107)",
        ),
        (
            fixture("lambda-garbage.bin").read_bytes(),
            "prelude checksum mismatch: the stream says 0x00007f00, the bytes it covers give "
            "0x0e7dd73c (at byte offset 133)",
        ),
    ],
)
def test_broken_streams_exit_1(data: bytes, expected: str) -> None:
    result = run("lambda", stdin=data)
    assert result.returncode == 1
    assert stderr_lines(result)[-1] == f"eventstream: error: {expected}"


def test_service_error_message_exits_4() -> None:
    error = es.Message(
        [
            (":message-type", "error"),
            (":error-code", "InternalFailure"),
            (":error-message", "try again"),
        ]
    )
    result = run("lambda", stdin=body(PayloadChunk(b"partial")) + es.encode(error))
    assert result.returncode == 4
    assert result.stdout == b"partial"
    assert "InternalFailure: try again" in stderr_lines(result)[-1]


def test_unknown_event_is_noted_and_skipped() -> None:
    other = es.Message(
        [(":event-type", "Heartbeat"), (":message-type", "event")], base64.b64decode("AAEC")
    )
    data = body(PayloadChunk(b"x")) + es.encode(other) + body(InvokeComplete())
    result = run("lambda", stdin=data)
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"x"
    assert (
        "ignored an event of unknown type 'Heartbeat' (3 payload bytes)" in result.stderr.decode()
    )


def test_max_message_size_applies() -> None:
    result = run("lambda", "--max-message-size", "64", fixture("lambda-stream.bin"))
    assert result.returncode == 1
    assert "exceeds max_message_size=64 (at byte offset 0)" in stderr_lines(result)[-1]


def test_live_pipe_is_passed_on_as_it_arrives() -> None:
    first, rest = body(PayloadChunk(b"first ")), body(PayloadChunk(b"second"), InvokeComplete())
    for args in (["lambda"], ["lambda", "--input", "auto"]):
        assert live(args, first, rest) == (b"first ", b"second")


def test_auto_does_not_hold_back_a_streaming_json_payload() -> None:
    # Starts like a prelude ("{"), but the first object is followed by more
    # JSON: written as soon as the first chunk is, while the stream is open.
    first = body(PayloadChunk(b'{"token": "a"}\n{"tok'))
    rest = body(PayloadChunk(b'en": "b"}\n'), InvokeComplete())
    assert live(["lambda"], first, rest) == (b'{"token": "a"}\n{"tok', b'en": "b"}\n')
