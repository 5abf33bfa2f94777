"""Differential test against botocore's own event-stream parser, for every operation
of the installed botocore that answers with an event stream.

For each: random events generated from the model's shapes are encoded by us; botocore's
``EventStream`` must yield exactly those events, and so must our decoder. A few
examples per operation keep the file fast.
"""

from __future__ import annotations

import copy
import json
import random

import pytest

from eventstream.services import InvalidEventPayloadError, load_stream
from eventstream.services._model import find_model_file, read_model_file
from eventstream.testing._service_events import random_event

from .botocore_peer import botocore_events, output_streams
from .test_stream import event_message

OPERATIONS = output_streams()
EXAMPLES = 4


def test_the_installed_botocore_has_event_streams() -> None:
    # The parametrized test below must not pass vacuously.
    assert len(OPERATIONS) >= 20
    assert ("lambda", "InvokeWithResponseStream") in OPERATIONS


@pytest.mark.parametrize(("service", "operation"), OPERATIONS)
def test_botocore_parses_what_we_encode_and_we_decode_it_the_same(
    service: str, operation: str
) -> None:
    stream = load_stream(service, operation)
    rng = random.Random(f"{service}/{operation}")
    for _ in range(EXAMPLES):
        # Every event name at least once over the examples.
        events = [random_event(stream, rng, name=name) for name in stream.event_names]
        rng.shuffle(events)
        body = b"".join(stream.encode(event) for event in events)
        assert (
            botocore_events(service, operation, stream.codec, body, stream.stream_member) == events
        )
        decoder = stream.decoder(check_complete=False)
        pieces = [body[i : i + 97] for i in range(0, len(body), 97)]
        decoded = [event for piece in pieces for event in decoder.feed(piece)]
        decoder.close()
        assert [event.as_boto3() for event in decoded] == events
        assert [event.name for event in decoded] == [next(iter(e)) for e in events]


@pytest.mark.parametrize(
    ("service", "operation"),
    [
        ("bedrock-runtime", "ConverseStream"),
        ("kinesis", "SubscribeToShard"),
        ("logs", "StartLiveTail"),
    ],
)
def test_botocore_cbor_parser_reads_our_cbor_payloads(service: str, operation: str) -> None:
    # No installed model with an event stream speaks smithy-rpc-v2-cbor yet; the same
    # shapes under that protocol check our CBOR against botocore's CBOR parser.
    model = copy.deepcopy(read_model_file(find_model_file(service)))
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    stream = load_stream(service, operation, model=model)
    rng = random.Random(f"cbor/{service}/{operation}")
    for _ in range(EXAMPLES):
        events = [random_event(stream, rng, name=name) for name in stream.event_names]
        body = b"".join(stream.encode(event) for event in events)
        expected = [_without_null_map_values(event) for event in events]
        assert botocore_events(service, operation, "cbor", body, stream.stream_member) == expected
        # Our own decoder keeps what botocore drops.
        decoder = stream.decoder(check_complete=False)
        assert [event.as_boto3() for event in decoder.feed(body)] == events


def _without_null_map_values(value: object) -> object:
    # botocore's CBOR parser leaves out a map entry whose value is null
    # (BaseCBORParser._parse_key_value_pair, botocore 1.42 and 1.44), which only a
    # document member can hold.
    if isinstance(value, dict):
        return {k: _without_null_map_values(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_null_map_values(v) for v in value]
    return value


@pytest.mark.parametrize(
    "text",
    [
        "aGVs\nbG8=",  # line-wrapped, as MIME writes it
        "aGVs\r\nbG8=\r\n",
        " aGVs bG8= ",
        "aGVsbG8",  # bad padding
        "a",  # bad length
        "aGVsbG8=\u00e9",  # non-ASCII
        "aGVs\u2028bG8=",  # Unicode (not ASCII) whitespace
    ],
)
def test_blob_base64_as_botocore_reads_it(text: str) -> None:
    # botocore accepts what it decodes and refuses what it refuses; we do the same.
    service, operation = "bedrock-runtime", "InvokeModelWithResponseStream"
    stream = load_stream(service, operation)
    body = event_message("chunk", json.dumps({"bytes": text}).encode())
    try:
        expected = botocore_events(service, operation, "json", body, stream.stream_member)
    except ValueError:  # binascii.Error is one
        with pytest.raises(InvalidEventPayloadError, match="bytes: blob is not base64"):
            stream.decoder().feed(body)
    else:
        assert expected == [{"chunk": {"bytes": b"hello"}}]
        assert [event.as_boto3() for event in stream.decoder().feed(body)] == expected
