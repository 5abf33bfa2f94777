"""The CLI's JSON parse points on hostile JSON: a clear error or the documented fallback,
never a traceback."""

from __future__ import annotations

import json

import eventstream as es
from eventstream._peer_json import MAX_JSON_DEPTH
from eventstream.aws_lambda import InvokeComplete, PayloadChunk

from .cli_run import json_lines, run, stderr_lines

DEEP = b"[" * 3000
DEEP_CLOSED = b"[" * 3000 + b"]" * 3000


def event(payload: bytes) -> bytes:
    return es.encode(es.Message({":message-type": "event", ":event-type": "X"}, payload))


def test_decode_payload_json_falls_back_to_text_on_deep_json() -> None:
    result = run("decode", "--payload", "json", stdin=event(DEEP_CLOSED) + event(b"[[1]]"))
    assert result.returncode == 0, result.stderr
    first, second = json_lines(result.stdout)
    assert (first["payload_encoding"], first["payload"]) == ("text", DEEP_CLOSED.decode())
    assert (second["payload_encoding"], second["payload"]) == ("json", [[1]])


def test_decode_payload_json_output_at_the_depth_limit_encodes_back() -> None:
    payload = b"[" * MAX_JSON_DEPTH + b"]" * MAX_JSON_DEPTH
    decoded = run("decode", "--payload", "json", stdin=event(payload))
    assert decoded.returncode == 0, decoded.stderr
    assert json_lines(decoded.stdout)[0]["payload_encoding"] == "json"
    encoded = run("encode", stdin=decoded.stdout)
    assert encoded.returncode == 0, encoded.stderr
    assert es.decode(encoded.stdout).payload == payload


def test_encode_refuses_deep_json_with_the_line_number() -> None:
    good = json.dumps({"payload": "ok"}).encode() + b"\n"
    for bad in (DEEP, b'{"payload_encoding": "json", "payload": ' + DEEP_CLOSED + b"}"):
        result = run("encode", stdin=good + bad + b"\n")
        assert result.returncode == 1
        assert stderr_lines(result) == [
            "eventstream: error: line 2: nested more than 201 levels deep"
        ]


def test_encode_refuses_an_overlong_integer() -> None:
    result = run(
        "encode", stdin=b'{"payload_encoding": "json", "payload": 1' + b"0" * 5000 + b"}\n"
    )
    assert result.returncode == 1
    assert b"Traceback" not in result.stderr
    assert b"line 1:" in result.stderr


def test_lambda_reports_a_deep_exception_after_the_payload_before_it() -> None:
    exception = es.Message({":message-type": "exception", ":exception-type": "Boom"}, DEEP)
    stream = es.encode(PayloadChunk(b"kept").to_message()) + es.encode(exception)
    result = run("lambda", stdin=stream)
    assert result.returncode == 4
    assert result.stdout == b"kept"
    assert b"Traceback" not in result.stderr
    assert b"the service sent exception Boom: [[[" in result.stderr


def test_lambda_passes_a_deep_json_payload_through() -> None:
    # Starts like a prelude ("{"), is none: written as it came.
    for payload in (b'{"a":' + DEEP, b'{"a":' + DEEP + b"\x00" * 8 + b"body"):
        stream = es.encode(PayloadChunk(payload).to_message())
        result = run("lambda", stdin=stream + es.encode(InvokeComplete().to_message()))
        assert result.returncode == 0, result.stderr
        assert result.stdout == payload


def test_lambda_http_integration_on_refuses_a_deep_prelude() -> None:
    payload = b'{"a":' + DEEP + b"\x00" * 8 + b"body"
    stream = es.encode(PayloadChunk(payload).to_message()) + es.encode(
        InvokeComplete().to_message()
    )
    result = run("lambda", "--http-integration", "on", stdin=stream)
    assert result.returncode == 1
    assert stderr_lines(result) == [
        "eventstream: error: --http-integration on: prelude is not UTF-8 JSON: "
        "nested more than 200 levels deep (payload offset 0)"
    ]
