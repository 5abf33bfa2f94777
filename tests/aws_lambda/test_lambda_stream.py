"""Lambda response-stream events and ResponseStreamDecoder, without HTTP."""

from __future__ import annotations

import base64
import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream.aws_lambda import (
    DataAfterCompleteError,
    IncompleteStreamError,
    InvalidEventPayloadError,
    InvokeComplete,
    PayloadChunk,
    ResponseStreamDecoder,
    ResponseStreamEvent,
    UnknownEvent,
    decode_log_result,
)
from eventstream.events import (
    InvalidEventMessageError,
    ModeledStreamException,
    ServiceStreamError,
    UnmodeledStreamError,
)

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "lambda-stream.bin"


def encode_all(events: list[ResponseStreamEvent]) -> bytes:
    return b"".join(es.encode(e.to_message()) for e in events)  # type: ignore[union-attr]


def decode_all(data: bytes) -> list[ResponseStreamEvent]:
    decoder = ResponseStreamDecoder()
    events = decoder.feed(data)
    decoder.close()
    return events


def test_payload_chunk_message_is_what_lambda_sends() -> None:
    message = PayloadChunk(b"abc").to_message()
    assert list(message.headers.items()) == [
        (":event-type", "PayloadChunk"),
        (":content-type", "application/octet-stream"),
        (":message-type", "event"),
    ]
    assert all(message.headers.wire_type(n) == es.HeaderType.STRING for n in message.headers)
    assert message.payload == b"abc"


def test_invoke_complete_message_is_what_lambda_sends() -> None:
    message = InvokeComplete().to_message()
    assert list(message.headers.items()) == [
        (":event-type", "InvokeComplete"),
        (":content-type", "application/json"),
        (":message-type", "event"),
    ]
    assert all(message.headers.wire_type(n) == es.HeaderType.STRING for n in message.headers)
    assert message.payload == b"{}"
    full = InvokeComplete("Unhandled", "details", "bG9n").to_message()
    assert json.loads(full.payload) == {
        "ErrorCode": "Unhandled",
        "ErrorDetails": "details",
        "LogResult": "bG9n",
    }
    assert json.loads(InvokeComplete(log_result="bG9n").to_message().payload) == {
        "LogResult": "bG9n"
    }


def test_matches_the_bundled_capture() -> None:
    # fixtures/lambda-stream.bin was made separately (fixtures/make_fixtures.py).
    events: list[ResponseStreamEvent] = [
        PayloadChunk(b'{"token": "Hello"}\n'),
        PayloadChunk(b'{"token": ", world"}\n'),
        PayloadChunk(b'{"token": "!"}\n'),
        InvokeComplete(),
    ]
    data = FIXTURE.read_bytes()
    assert encode_all(events) == data
    assert decode_all(data) == events


def test_log_tail_helper() -> None:
    text = "START RequestId: x\nligne é ✓\nEND\n"
    complete = InvokeComplete(log_result=base64.b64encode(text.encode()).decode())
    assert complete.log_text == text
    assert decode_log_result(base64.b64encode(b"\xa9cut start").decode()) == "\ufffdcut start"
    assert InvokeComplete().log_text is None
    with pytest.raises(ValueError, match="not base64"):
        decode_log_result("not base64!")
    with pytest.raises(ValueError):
        decode_log_result("é")


def test_succeeded() -> None:
    assert InvokeComplete().succeeded
    assert not InvokeComplete(error_code="Sandbox.Timedout").succeeded


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_header_order_does_not_matter(order: tuple[int, ...]) -> None:
    data = b""
    for event in (PayloadChunk(b"p"), InvokeComplete(error_code="E")):
        message = event.to_message()
        items = list(message.headers.items())
        data += es.encode(es.Message([items[i] for i in order], message.payload))
    assert decode_all(data) == [PayloadChunk(b"p"), InvokeComplete(error_code="E")]


def test_unknown_event_is_handed_over() -> None:
    odd = es.Message(
        {":message-type": "event", ":event-type": "ProgressUpdate", "n": es.Integer(3)}, b"50%"
    )
    initial = es.Message({":message-type": "event", ":event-type": "initial-response"}, b"{}")
    data = es.encode(odd) + es.encode(initial) + encode_all([InvokeComplete()])
    events = decode_all(data)
    assert events == [
        UnknownEvent("ProgressUpdate", odd),
        UnknownEvent("initial-response", initial),
        InvokeComplete(),
    ]
    assert isinstance(events[0], UnknownEvent) and events[0].payload == b"50%"


def test_one_byte_at_a_time() -> None:
    events: list[ResponseStreamEvent] = [PayloadChunk(b"abc"), PayloadChunk(b""), InvokeComplete()]
    data = encode_all(events)
    decoder = ResponseStreamDecoder()
    out: list[ResponseStreamEvent] = []
    for i in range(len(data)):
        out += decoder.feed(data[i : i + 1])
    decoder.close()
    assert out == events
    assert (decoder.chunk_count, decoder.payload_size) == (2, 3)
    assert decoder.offset == len(data)


def error_frame(code: str = "InternalFailure", text: str = "boom") -> bytes:
    return es.encode(
        es.Message(
            [(":message-type", "error"), (":error-code", code), (":error-message", text)], b""
        )
    )


def exception_frame(exception_type: str, payload: bytes) -> bytes:
    return es.encode(
        es.Message(
            {
                ":message-type": "exception",
                ":exception-type": exception_type,
                ":content-type": "application/json",
            },
            payload,
        )
    )


def test_error_frame_after_events_is_deferred_then_sticky() -> None:
    prefix = encode_all([PayloadChunk(b"one")])
    decoder = ResponseStreamDecoder()
    assert decoder.feed(prefix + error_frame()) == [PayloadChunk(b"one")]
    with pytest.raises(UnmodeledStreamError) as caught:
        decoder.feed(b"")
    error = caught.value
    assert (error.code, error.message) == ("InternalFailure", "boom")
    assert error.offset == len(prefix)
    assert isinstance(error, ServiceStreamError) and isinstance(error, es.EventStreamError)
    with pytest.raises(es.DecoderFailedError):
        decoder.close()
    with pytest.raises(es.DecoderFailedError):
        decoder.feed(b"x")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b'{"message":"lower"}', "lower"),
        (b'{"Message":"upper"}', "upper"),
        (b'{"Message":"upper","message":"lower"}', "upper"),
        (b"{}", ""),
        (b"not json", "not json"),
    ],
)
def test_exception_frame(payload: bytes, message: str) -> None:
    decoder = ResponseStreamDecoder()
    with pytest.raises(ModeledStreamException) as caught:
        decoder.feed(exception_frame("ThrottlingException", payload))
    assert caught.value.code == "ThrottlingException"
    assert caught.value.message == message
    assert caught.value.payload == payload
    assert caught.value.offset == 0


@pytest.mark.parametrize(
    "headers",
    [
        {":event-type": "PayloadChunk"},  # no :message-type
        {":message-type": "event"},  # no :event-type
        {":message-type": "event", ":event-type": es.Integer(1)},
        {":message-type": b"event", ":event-type": "PayloadChunk"},
        {":message-type": "notice", ":event-type": "PayloadChunk"},
        {":message-type": "exception"},
        {":message-type": "error", ":error-message": "no code"},
        {":message-type": "error", ":error-code": True},
    ],
)
def test_malformed_event_messages(headers: dict[str, es.HeaderValue]) -> None:
    prefix = encode_all([PayloadChunk(b"ok")])
    decoder = ResponseStreamDecoder()
    assert decoder.feed(prefix) == [PayloadChunk(b"ok")]
    with pytest.raises(InvalidEventMessageError) as caught:
        decoder.feed(es.encode(es.Message(headers, b"")))
    assert caught.value.offset == caught.value.message_offset == len(prefix)


@pytest.mark.parametrize(
    "payload",
    [b"[]", b"not json", b'"s"', b'{"ErrorCode": 5}', b'{"LogResult": ["a"]}', b"\xff{}"],
)
def test_bad_invoke_complete_payload(payload: bytes) -> None:
    message = es.Message(InvokeComplete().to_message().headers, payload)
    with pytest.raises(InvalidEventPayloadError):
        ResponseStreamDecoder().feed(es.encode(message))


def test_invoke_complete_ignores_unknown_members_and_empty_payload() -> None:
    headers = InvokeComplete().to_message().headers
    data = es.encode(es.Message(headers, b'{"ErrorCode":null,"Future":1}'))
    assert decode_all(data) == [InvokeComplete()]
    assert decode_all(es.encode(es.Message(headers, b""))) == [InvokeComplete()]


def test_end_without_complete() -> None:
    data = encode_all([PayloadChunk(b"abc"), PayloadChunk(b"de")])
    decoder = ResponseStreamDecoder()
    assert len(decoder.feed(data)) == 2
    with pytest.raises(IncompleteStreamError) as caught:
        decoder.close()
    error = caught.value
    assert (error.chunk_count, error.payload_size, error.partial_bytes) == (2, 5, 0)
    assert "2 PayloadChunk events (5 payload bytes)" in str(error)
    with pytest.raises(es.DecoderFailedError):
        decoder.close()


def test_end_inside_a_message() -> None:
    data = encode_all([PayloadChunk(b"abc"), InvokeComplete()])
    decoder = ResponseStreamDecoder()
    decoder.feed(data[:-5])
    with pytest.raises(IncompleteStreamError) as caught:
        decoder.close()
    assert caught.value.partial_bytes == len(es.encode(InvokeComplete().to_message())) - 5
    assert isinstance(caught.value.__cause__, es.TruncatedStreamError)


def test_empty_stream() -> None:
    with pytest.raises(IncompleteStreamError):
        ResponseStreamDecoder().close()


def test_data_after_complete() -> None:
    done = encode_all([InvokeComplete()])
    extra = encode_all([PayloadChunk(b"late")])
    # In the same piece: the completion comes out, the error on the next call.
    decoder = ResponseStreamDecoder()
    assert decoder.feed(done + extra) == [InvokeComplete()]
    with pytest.raises(DataAfterCompleteError):
        decoder.close()
    # A few stray bytes in the same piece.
    decoder = ResponseStreamDecoder()
    assert decoder.feed(done + b"\x00\x00") == [InvokeComplete()]
    with pytest.raises(DataAfterCompleteError) as caught:
        decoder.feed(b"")
    assert caught.value.offset == len(done)
    # In a later piece.
    decoder = ResponseStreamDecoder()
    decoder.feed(done)
    assert decoder.feed(b"") == []
    with pytest.raises(DataAfterCompleteError):
        decoder.feed(b"x")
    # Nothing after: close is fine, twice.
    decoder = ResponseStreamDecoder()
    decoder.feed(done)
    decoder.close()
    decoder.close()
    assert decoder.complete == InvokeComplete()


def test_checksum_error_passes_through_as_codec_error() -> None:
    data = bytearray(encode_all([PayloadChunk(b"abc"), InvokeComplete()]))
    data[20] ^= 0xFF
    with pytest.raises(es.ChecksumError):
        decode_all(bytes(data))


events_strategy = st.lists(st.binary(max_size=300).map(PayloadChunk), max_size=8).flatmap(
    lambda chunks: st.tuples(
        st.just(chunks),
        st.builds(
            InvokeComplete,
            st.none() | st.text(max_size=20),
            st.none() | st.text(max_size=40),
            st.none() | st.binary(max_size=60).map(lambda b: base64.b64encode(b).decode()),
        ),
    )
)


@given(events_strategy, st.lists(st.integers(min_value=0, max_value=5000), max_size=12))
def test_roundtrip_any_split(
    events: tuple[list[PayloadChunk], InvokeComplete], cuts: list[int]
) -> None:
    written: list[ResponseStreamEvent] = [*events[0], events[1]]
    data = encode_all(written)
    bounds = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    decoder = ResponseStreamDecoder()
    out: list[ResponseStreamEvent] = []
    for start, end in zip(bounds, bounds[1:]):
        out += decoder.feed(data[start:end])
    decoder.close()
    assert out == written


@given(st.binary(max_size=400), st.integers(min_value=1, max_value=64))
def test_garbage_only_raises_event_stream_errors(data: bytes, piece: int) -> None:
    decoder = ResponseStreamDecoder(max_message_size=4096)
    try:
        for i in range(0, len(data), piece):
            decoder.feed(data[i : i + piece])
        decoder.close()
    except es.EventStreamError:
        pass


@given(st.data())
def test_mutated_streams_only_raise_event_stream_errors(data: st.DataObject) -> None:
    stream = bytearray(
        encode_all([PayloadChunk(b"hello"), InvokeComplete(error_code="E", log_result="aGk=")])
    )
    for _ in range(data.draw(st.integers(min_value=1, max_value=4))):
        index = data.draw(st.integers(min_value=0, max_value=len(stream) - 1))
        stream[index] = data.draw(st.integers(min_value=0, max_value=255))
    decoder = ResponseStreamDecoder()
    try:
        decoder.feed(bytes(stream))
        decoder.close()
    except es.EventStreamError:
        pass


header_names = st.sampled_from(
    [
        ":message-type",
        ":event-type",
        ":content-type",
        ":exception-type",
        ":error-code",
        ":error-message",
        "x",
    ]
)
header_values = st.one_of(
    st.sampled_from(
        [
            "event",
            "exception",
            "error",
            "PayloadChunk",
            "InvokeComplete",
            "initial-response",
            "application/json",
            "",
        ]
    ),
    st.text(max_size=5),
    st.booleans(),
    st.integers(min_value=-(2**31), max_value=2**31 - 1).map(es.Integer),
    st.binary(max_size=5),
)
payloads = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([b"{}", b'{"ErrorCode":"E"}', b'{"LogResult":1}', b"[]", b'{"message":"m"}']),
)


@given(
    st.lists(
        st.tuples(st.dictionaries(header_names, header_values, max_size=4), payloads), max_size=5
    )
)
def test_well_framed_odd_messages_only_raise_event_stream_errors(
    messages: list[tuple[dict[str, es.HeaderValue], bytes]],
) -> None:
    data = b"".join(es.encode(es.Message(h, p)) for h, p in messages)
    decoder = ResponseStreamDecoder()
    try:
        events = decoder.feed(data)
        decoder.close()
    except es.EventStreamError:
        return
    assert isinstance(events[-1], InvokeComplete)
