"""Whatever the bytes, a service stream decoder gives events or an EventStreamError.

Frames that are valid event-stream messages but carry damaged payloads (the codec
cannot catch those: the CRCs hold) are the interesting case; damaged frames too.
"""

from __future__ import annotations

import copy
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventstream import EventStreamError, Message, encode
from eventstream.services import Event, StreamModel, load_stream
from eventstream.services._model import find_model_file, read_model_file
from eventstream.testing import corrupt, random_event


def cbor_stream() -> StreamModel:
    model = copy.deepcopy(read_model_file(find_model_file("bedrock-runtime")))
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    return load_stream("bedrock-runtime", "ConverseStream", model=model)


STREAMS = {
    "json": load_stream("bedrock-runtime", "ConverseStream"),
    "xml": load_stream("s3", "SelectObjectContent"),
    "cbor": cbor_stream(),
    "rpc": load_stream("kinesis", "SubscribeToShard"),
}


def decode_or_refuse(stream: StreamModel, data: bytes, cut: int) -> list[Event]:
    """Events, or an EventStreamError: anything else escapes and fails the test."""
    decoder = stream.decoder(check_complete=False)
    events: list[Event] = []
    try:
        events += decoder.feed(data[:cut])
        events += decoder.feed(data[cut:])
        decoder.close()
    except EventStreamError:
        pass
    return events


@pytest.mark.parametrize("codec", sorted(STREAMS))
@given(seed=st.integers(0, 2**32 - 1), data=st.data())
def test_damaged_payloads_in_valid_frames(codec: str, seed: int, data: st.DataObject) -> None:
    stream = STREAMS[codec]
    rng = random.Random(seed)
    event = random_event(stream, rng)
    good = stream.encode_message(event)
    payload = good.payload
    if payload:
        payload = corrupt(payload, rng).data
    payload = data.draw(
        st.sampled_from([payload, payload[: len(payload) // 2], b"\xff" + payload])
    )
    bad = encode(Message(good.headers, payload))
    ok_event = random_event(stream, rng)
    ok = stream.encode(ok_event)
    whole = ok + bad + ok
    events = decode_or_refuse(stream, whole, data.draw(st.integers(0, len(whole))))
    # The event before the bad message is never lost.
    assert events and events[0].as_boto3() == ok_event


@pytest.mark.parametrize("codec", sorted(STREAMS))
@given(seed=st.integers(0, 2**32 - 1), cut=st.integers(0, 10_000))
def test_damaged_frames(codec: str, seed: int, cut: int) -> None:
    stream = STREAMS[codec]
    rng = random.Random(seed)
    body = b"".join(stream.encode(random_event(stream, rng)) for _ in range(3))
    decode_or_refuse(stream, corrupt(body, rng).data, cut % (len(body) + 1))
