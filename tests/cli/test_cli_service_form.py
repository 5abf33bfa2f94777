"""``decode``/``encode`` with ``--service``/``--operation``: boto3-shaped JSON Lines."""

from __future__ import annotations

import base64
import json

import pytest

from eventstream.testing import fake_stream

from .cli_run import fixture, json_lines, live, run

BEDROCK = ("--service", "bedrock-runtime", "--operation", "InvokeModelWithResponseStream")
CHUNKS = [
    {"chunk": {"bytes": b'{"type":"content_block_delta","delta":{"text":"Hi"}}'}},
    {"chunk": {"bytes": b'{"spaced": true}\n'}},
    {"chunk": {"bytes": b"\x00\x01"}},
]


def test_decode_prints_one_boto3_shaped_event_per_line_with_json_bytes_decoded() -> None:
    body = fake_stream("bedrock-runtime", "InvokeModelWithResponseStream", CHUNKS)
    result = run("decode", *BEDROCK, stdin=body)
    assert result.returncode == 0, result.stderr
    assert json_lines(result.stdout) == [
        {"chunk": {"bytes": {"$json": {"type": "content_block_delta", "delta": {"text": "Hi"}}}}},
        # Not compact JSON: shown as base64, so encode gives the same bytes back.
        {"chunk": {"bytes": base64.b64encode(b'{"spaced": true}\n').decode()}},
        {"chunk": {"bytes": "AAE="}},
    ]
    raw = run("decode", *BEDROCK, "--raw-bytes", stdin=body)
    assert [line["chunk"]["bytes"] for line in json_lines(raw.stdout)] == [
        base64.b64encode(event["chunk"]["bytes"]).decode() for event in CHUNKS
    ]
    for output in (result.stdout, raw.stdout):
        back = run("encode", *BEDROCK, stdin=output)
        assert back.returncode == 0, back.stderr
        assert back.stdout == body


def test_decode_keeps_unknown_events_and_encode_restores_them() -> None:
    known = fake_stream("bedrock-runtime", "InvokeModelWithResponseStream", CHUNKS[:1])
    unknown = fake_stream(
        "lambda", "InvokeWithResponseStream", [{"PayloadChunk": {"Payload": b"x"}}]
    )
    result = run("decode", *BEDROCK, stdin=known + unknown)
    lines = json_lines(result.stdout)
    assert "$unknown" in lines[1]
    assert {"name": ":event-type", "type": "string", "value": "PayloadChunk"} in lines[1][
        "$unknown"
    ]["headers"]
    assert run("encode", *BEDROCK, stdin=result.stdout).stdout == known + unknown


def test_decode_of_a_real_capture_and_of_a_cut_stream() -> None:
    result = run(
        "decode",
        "--service",
        "s3",
        "--operation",
        "SelectObjectContent",
        fixture("s3-select-object-content.bin"),
    )
    assert json_lines(result.stdout)[1:] == [
        {"Stats": {"Details": {"BytesScanned": 19, "BytesProcessed": 19, "BytesReturned": 18}}},
        {"End": {}},
    ]
    cut = run(
        "decode",
        "--service",
        "lambda",
        "--operation",
        "InvokeWithResponseStream",
        fixture("lambda-truncated.bin"),
    )
    assert cut.returncode == 1
    assert len(json_lines(cut.stdout)) == 3  # the events before the cut
    assert "stream ended without InvokeComplete; arrived: 3 PayloadChunk" in cut.stderr.decode()


def test_a_service_exception_exits_4_after_the_events_before_it() -> None:
    body = fake_stream(
        "bedrock-runtime",
        "ConverseStream",
        [{"messageStart": {"role": "assistant"}}, {"throttlingException": {"message": "slow"}}],
    )
    result = run(
        "decode", "--service", "bedrock-runtime", "--operation", "ConverseStream", stdin=body
    )
    assert result.returncode == 4
    assert json_lines(result.stdout) == [{"messageStart": {"role": "assistant"}}]
    assert "throttlingException: slow" in result.stderr.decode()


def test_kinesis_initial_response_line() -> None:
    body = fake_stream("kinesis", "SubscribeToShard", [])
    result = run("decode", "--service", "kinesis", "--operation", "SubscribeToShard", stdin=body)
    assert json_lines(result.stdout) == [{"initial-response": {}}]
    back = run(
        "encode", "--service", "kinesis", "--operation", "SubscribeToShard", stdin=result.stdout
    )
    assert back.stdout == body


def test_usage_and_input_errors_are_one_line() -> None:
    result = run("decode", "--service", "lambda", stdin=b"")
    assert result.returncode == 2 and b"--service and --operation go together" in result.stderr
    result = run("decode", "--service", "nope", "--operation", "X", stdin=b"")
    assert result.returncode == 1 and b"no model for service 'nope'" in result.stderr
    line = json.dumps({"chunk": {"bytes": 5}}).encode() + b"\n"
    result = run("encode", *BEDROCK, stdin=line)
    assert result.returncode == 1
    assert b"line 1: chunk.bytes: expected blob, got int" in result.stderr


def test_decode_and_encode_pass_a_live_pipe_on_as_it_arrives() -> None:
    first = fake_stream("bedrock-runtime", "InvokeModelWithResponseStream", CHUNKS[:1])
    whole = fake_stream("bedrock-runtime", "InvokeModelWithResponseStream", CHUNKS)
    rest = whole[len(first) :]
    early, late = live(["decode", *BEDROCK], first, rest)
    assert json_lines(early) == [
        {"chunk": {"bytes": {"$json": {"type": "content_block_delta", "delta": {"text": "Hi"}}}}}
    ]
    assert len(json_lines(late)) == 2

    lines = run("decode", *BEDROCK, stdin=whole).stdout
    first_line = lines[: lines.index(b"\n") + 1]
    early, late = live(["encode", *BEDROCK], first_line, lines[len(first_line) :])
    assert (early, early + late) == (first, whole)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("decode", "--direction", "input"), "--direction: only with --service and --operation"),
        (("encode", "--direction", "output"), "--direction: only with --service and --operation"),
        (("decode", "--model", "m.json"), "--model: only with --service and --operation"),
        (("encode", "--model", "m.json"), "--model: only with --service and --operation"),
        (("decode", "--raw-bytes"), "--raw-bytes: only with --service and --operation"),
        (("decode", *BEDROCK, "--resync"), "--resync: not with --service"),
        (("decode", *BEDROCK, "--payload", "auto"), "--payload: not with --service"),
        (
            ("decode", *BEDROCK, "--resync", "--payload", "hex"),
            "--resync, --payload: not with --service",
        ),
    ],
)
def test_an_option_of_the_other_form_is_a_usage_error(args: tuple[str, ...], message: str) -> None:
    result = run(*args, stdin=b"")
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [f"eventstream: error: {message}"]
