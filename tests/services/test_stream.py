"""eventstream.services: loading models, decoding, encoding, errors, completeness."""

from __future__ import annotations

import copy
import datetime as dt
import gzip
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from eventstream import DecoderFailedError, EventStreamError, Message, TruncatedStreamError, encode
from eventstream.aws_lambda import InvokeComplete, PayloadChunk, ResponseStreamDecoder
from eventstream.events import InvalidEventMessageError, ModeledStreamException
from eventstream.services import (
    TERMINAL_EVENTS,
    Event,
    EventEncodeError,
    IncompleteStreamError,
    InvalidEventPayloadError,
    InvalidModelError,
    NoEventStreamError,
    ServiceModelError,
    StreamException,
    UnknownEvent,
    UnknownOperationError,
    UnknownServiceError,
    UnmodeledStreamError,
    _cbor,
    load_stream,
)
from eventstream.services._documents import ShapeError
from eventstream.services._model import find_model_file, read_model_file
from eventstream.testing import random_lambda_stream

from ..conftest import FIXTURES


def event_message(
    event_type: str, payload: bytes, content_type: str | None = "application/json"
) -> bytes:
    headers: list[tuple[str, Any]] = [(":event-type", event_type)]
    if content_type is not None:
        headers.append((":content-type", content_type))
    headers.append((":message-type", "event"))
    return encode(Message(headers, payload))


def decode_all(stream: Any, data: bytes) -> list[Event]:
    decoder = stream.decoder(check_complete=False)
    events = decoder.feed(data)
    decoder.close()
    return events


# --- loading ------------------------------------------------------------------------


def test_load_stream_does_not_import_botocore() -> None:
    code = (
        "import sys\n"
        "from eventstream.services import load_stream\n"
        "s = load_stream('bedrock-runtime', 'ConverseStream')\n"
        "assert s.event_names, s\n"
        "assert 'botocore' not in sys.modules, sorted(m for m in sys.modules if 'boto' in m)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_service_names_what_exists() -> None:
    with pytest.raises(UnknownServiceError) as info:
        load_stream("no-such-service", "Op")
    assert "no-such-service" in str(info.value)
    assert "lambda" in info.value.available
    with pytest.raises(UnknownServiceError):
        load_stream("../lambda", "InvokeWithResponseStream")


def test_unknown_operation_and_missing_stream() -> None:
    with pytest.raises(UnknownOperationError, match="NoSuchOperation"):
        load_stream("lambda", "NoSuchOperation")
    with pytest.raises(NoEventStreamError, match="Invoke has no output event stream"):
        load_stream("lambda", "Invoke")
    with pytest.raises(NoEventStreamError, match="no input event stream"):
        load_stream("lambda", "InvokeWithResponseStream", direction="input")


def test_python_operation_names_work() -> None:
    stream = load_stream("bedrock-runtime", "converse_stream")
    assert stream.operation == "ConverseStream"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("not json", "not a JSON model"),
        ("[]", "a model is a JSON object"),
        ("{}", "'shapes' and 'operations'"),
        (
            '{"shapes": {}, "operations": {}, "metadata": {"protocol": "soap"}}',
            "no supported protocol",
        ),
        (
            '{"shapes": {}, "operations": {}, "metadata": {"protocol": ["json"]}}',
            "no supported protocol",
        ),
        (
            '{"shapes": {}, "operations": {}, "metadata": {"protocols": [{"a": 1}, ["json"]]}}',
            "no supported protocol",
        ),
        ("[" * 100_000, "not a JSON model"),
    ],
)
def test_model_files_that_do_not_parse(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "service-2.json"
    path.write_text(text)
    with pytest.raises(InvalidModelError, match=match):
        load_stream("x", "Op", model=path)


def test_a_truncated_or_corrupt_gzip_model_file_is_a_model_error(tmp_path: Path) -> None:
    whole = gzip.compress(b'{"shapes": {}}' * 500)
    truncated = tmp_path / "truncated" / "service-2.json.gz"
    corrupt = tmp_path / "corrupt" / "service-2.json.gz"
    for path, data in (
        (truncated, whole[: len(whole) // 2]),  # EOFError from gzip
        (corrupt, whole[:20] + bytes(b ^ 0x55 for b in whole[20:])),  # zlib.error
    ):
        path.parent.mkdir()
        path.write_bytes(data)
        with pytest.raises(InvalidModelError, match="cannot read the model file"):
            read_model_file(path)


def broken_transcribe_model(edit: Any) -> dict[str, Any]:
    model = json.loads((FIXTURES / "transcribe-streaming-model.json").read_text())
    edit(model["shapes"])
    return model


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (
            lambda s: s.pop("Transcript"),
            "TranscriptEvent.Transcript: refers to shape 'Transcript'",
        ),
        (lambda s: s["Item"].update(type="tuple"), "unknown type 'tuple'"),
        (lambda s: s["ResultList"].pop("member"), "list shape without a 'member' reference"),
        (lambda s: s["Result"].update(members=[1, 2]), "members must map names"),
    ],
)
def test_models_that_break_the_shape_rules(edit: Any, match: str) -> None:
    with pytest.raises(InvalidModelError, match=match):
        load_stream("transcribe", "StartStreamTranscription", model=broken_transcribe_model(edit))


def test_model_from_a_dict_and_from_a_file_agree() -> None:
    path = find_model_file("s3")
    from_file = load_stream("s3", "SelectObjectContent", model=path)
    from_dict = load_stream("s3", "SelectObjectContent", model=read_model_file(path))
    assert (
        from_file.event_names
        == from_dict.event_names
        == ("Records", "Stats", "Progress", "Cont", "End")
    )


# --- the Lambda layer and this one agree -----------------------------------------------


def test_lambda_stream_gives_the_same_events_as_the_lambda_layer() -> None:
    stream = load_stream("lambda", "InvokeWithResponseStream")
    rng = random.Random(7)
    for _ in range(30):
        sample = random_lambda_stream(rng, max_body=4096)
        ours = stream.decoder()
        theirs = ResponseStreamDecoder()
        cut = rng.randrange(len(sample.data) + 1)
        events = ours.feed(sample.data[:cut]) + ours.feed(sample.data[cut:])
        expected = theirs.feed(sample.data)
        ours.close()
        theirs.close()
        assert len(events) == len(expected) == len(sample.events)
        for event, lambda_event in zip(events, expected):
            if isinstance(lambda_event, PayloadChunk):
                assert event.as_boto3() == {"PayloadChunk": {"Payload": lambda_event.payload}}
            else:
                assert isinstance(lambda_event, InvokeComplete)
                members = {
                    "ErrorCode": lambda_event.error_code,
                    "ErrorDetails": lambda_event.error_details,
                    "LogResult": lambda_event.log_result,
                }
                assert event.as_boto3() == {
                    "InvokeComplete": {k: v for k, v in members.items() if v is not None}
                }


def test_lambda_stream_without_invoke_complete_is_incomplete() -> None:
    stream = load_stream("lambda", "InvokeWithResponseStream")
    data = stream.encode({"PayloadChunk": {"Payload": b"abc"}}) * 2
    decoder = stream.decoder()
    assert len(decoder.feed(data)) == 2
    with pytest.raises(IncompleteStreamError) as info:
        decoder.close()
    assert info.value.missing == ("InvokeComplete",)
    assert info.value.received == {"PayloadChunk": 2}
    assert "arrived: 2 PayloadChunk" in str(info.value)


# --- real captures ------------------------------------------------------------------


def test_s3_select_capture_decodes_to_its_events() -> None:
    data = (FIXTURES / "s3-select-object-content.bin").read_bytes()
    stream = load_stream("s3", "SelectObjectContent")
    decoder = stream.decoder()
    events = [e for i in range(0, len(data), 13) for e in decoder.feed(data[i : i + 13])]
    decoder.close()
    assert [e.as_boto3() for e in events] == [
        {"Records": {"Payload": b'{"hello":"world"}\n'}},
        {"Stats": {"Details": {"BytesScanned": 19, "BytesProcessed": 19, "BytesReturned": 18}}},
        {"End": {}},
    ]


def transcribe() -> Any:
    return load_stream(
        "transcribestreaming",
        "StartStreamTranscription",
        model=FIXTURES / "transcribe-streaming-model.json",
    )


def test_transcribe_capture_decodes_to_its_transcript() -> None:
    data = (FIXTURES / "transcribe-transcript-event.bin").read_bytes()
    (event,) = decode_all(transcribe(), data)
    assert event.as_boto3() == {
        "TranscriptEvent": {
            "Transcript": {
                "Results": [
                    {
                        "Alternatives": [
                            {
                                "Items": [
                                    {
                                        "Content": "Hello",
                                        "EndTime": 0.21,
                                        "StartTime": 0.12,
                                        "Type": "pronunciation",
                                    },
                                    {
                                        "Content": "were",
                                        "EndTime": 0.49,
                                        "StartTime": 0.22,
                                        "Type": "pronunciation",
                                    },
                                ],
                                "Transcript": "Hello were",
                            }
                        ],
                        "EndTime": 0.53,
                        "IsPartial": True,
                        "ResultId": "94862f4a-3793-4e5b-8e85-1915c8d33f92",
                        "StartTime": 0.12,
                    }
                ]
            }
        }
    }
    # And what we write for that event, botocore-shaped, decodes to the same.
    assert (
        decode_all(transcribe(), transcribe().encode(event.as_boto3()))[0].as_boto3()
        == event.as_boto3()
    )


def test_transcribe_exception_capture_raises_the_modeled_class() -> None:
    event = (FIXTURES / "transcribe-transcript-event.bin").read_bytes()
    error = (FIXTURES / "transcribe-bad-request.bin").read_bytes()
    stream = transcribe()
    decoder = stream.decoder()
    # The event before the exception is delivered; the exception comes next call.
    assert [e.name for e in decoder.feed(event + error)] == ["TranscriptEvent"]
    with pytest.raises(stream.exceptions["BadRequestException"]) as info:
        decoder.feed(b"")
    exc = info.value
    assert isinstance(exc, StreamException) and isinstance(exc, ModeledStreamException)
    assert exc.code == "BadRequestException"
    assert (
        exc.message == "Your request timed out because no new audio was received for 15 seconds."
    )
    assert exc.members == {"Message": exc.message}
    assert exc.http_status == 400 and not exc.retryable
    assert exc.offset == len(event)
    with pytest.raises(DecoderFailedError):
        decoder.close()


# --- exceptions and errors ------------------------------------------------------------


def test_generated_exception_classes_carry_status_and_retryable() -> None:
    exceptions = load_stream("bedrock-runtime", "ConverseStream").exceptions
    assert exceptions["throttlingException"].__name__ == "ThrottlingException"
    assert exceptions["throttlingException"].http_status == 429
    assert exceptions["throttlingException"].retryable
    assert exceptions["serviceUnavailableException"].retryable
    assert not exceptions["validationException"].retryable
    assert exceptions["validationException"].http_status == 400
    for cls in exceptions.values():
        assert issubclass(cls, StreamException) and issubclass(cls, EventStreamError)


def test_an_encoded_exception_is_raised_as_its_class() -> None:
    stream = load_stream("bedrock-runtime", "ConverseStream")
    data = stream.encode({"messageStart": {"role": "assistant"}}) + stream.encode(
        {"throttlingException": {"message": "slow down"}}
    )
    decoder = stream.decoder()
    assert [e.as_boto3() for e in decoder.feed(data)] == [{"messageStart": {"role": "assistant"}}]
    with pytest.raises(stream.exceptions["throttlingException"]) as info:
        decoder.close()
    assert info.value.message == "slow down" and info.value.retryable


def test_an_unlisted_exception_type_raises_the_base_class() -> None:
    stream = load_stream("bedrock-runtime", "ConverseStream")
    data = encode(
        Message(
            [(":exception-type", "BrandNewException"), (":message-type", "exception")],
            b'{"message": "new"}',
        )
    )
    with pytest.raises(StreamException) as info:
        stream.decoder().feed(data)
    assert type(info.value) is StreamException
    assert (info.value.code, info.value.message) == ("BrandNewException", "new")


def test_an_error_message_raises_an_unmodeled_error_with_code_and_message() -> None:
    stream = load_stream("bedrock-runtime", "ConverseStream")
    with pytest.raises(UnmodeledStreamError) as info:
        stream.decoder().feed(stream.encode_error("InternalFailure", "try later"))
    assert (info.value.code, info.value.message) == ("InternalFailure", "try later")


def test_an_exception_whose_payload_does_not_parse_is_still_raised() -> None:
    stream = load_stream("bedrock-runtime", "ConverseStream")
    data = encode(
        Message(
            [(":exception-type", "validationException"), (":message-type", "exception")],
            b"{not json",
        )
    )
    with pytest.raises(stream.exceptions["validationException"]) as info:
        stream.decoder().feed(data)
    assert info.value.members == {}
    assert isinstance(info.value.payload_error, InvalidEventPayloadError)
    assert info.value.message == "{not json"


def test_an_exception_with_a_huge_deep_payload_is_bounded() -> None:
    stream = load_stream("bedrock-runtime", "ConverseStream")
    payload = b'{"message": ' + b"[" * 200_000 + b"]" * 200_000 + b"}"
    data = encode(
        Message(
            [(":exception-type", "validationException"), (":message-type", "exception")], payload
        )
    )
    with pytest.raises(stream.exceptions["validationException"]) as info:
        stream.decoder().feed(data)
    assert isinstance(info.value.payload_error, InvalidEventPayloadError)
    assert len(info.value.message) <= 64 * 1024
    assert info.value.payload == payload  # kept whole


# --- unknown events, initial-response ---------------------------------------------------


def test_unknown_events_are_kept_with_their_message() -> None:
    stream = load_stream("bedrock-runtime", "ConverseStream")
    raw = event_message("brandNewEvent", b'{"x": 1}')
    data = raw + stream.encode({"messageStop": {"stopReason": "end_turn"}})
    first, second = decode_all(stream, data)
    assert isinstance(first, UnknownEvent)
    assert first.name == "brandNewEvent" and first.offset == 0
    assert encode(first.message) == raw
    assert first.as_boto3() == {}  # what botocore's parser makes of it
    assert second.as_boto3() == {"messageStop": {"stopReason": "end_turn"}}


def test_kinesis_initial_response_is_parsed_not_returned() -> None:
    stream = load_stream("kinesis", "SubscribeToShard")
    record = {
        "Records": [
            {
                "SequenceNumber": "1",
                "ApproximateArrivalTimestamp": dt.datetime(
                    2024, 1, 2, 3, 4, 5, 678000, tzinfo=dt.timezone.utc
                ),
                "Data": b"\x00data",
                "PartitionKey": "pk",
            }
        ],
        "ContinuationSequenceNumber": "2",
        "MillisBehindLatest": 0,
    }
    data = event_message("initial-response", b"{}") + stream.encode(
        {"SubscribeToShardEvent": record}
    )
    decoder = stream.decoder()
    events = decoder.feed(data)
    decoder.close()
    assert decoder.initial_response == {}
    assert [e.as_boto3() for e in events] == [{"SubscribeToShardEvent": record}]
    # An initial-response after other events is a broken stream.
    decoder = stream.decoder()
    with pytest.raises(InvalidEventMessageError, match="initial-response after"):
        decoder.feed(
            stream.encode({"SubscribeToShardEvent": record})
            + event_message("initial-response", b"{}")
        )
        decoder.feed(b"")


# --- hostile payloads -----------------------------------------------------------------


CONVERSE_HOSTILE = [
    ("contentBlockDelta", b"{not json", "application/json", "payload is not JSON"),
    ("contentBlockDelta", b'{"delta": {"text": "\xff"}}', "application/json", "not UTF-8"),
    (
        "contentBlockDelta",
        b'{"contentBlockIndex": "zero"}',
        "application/json",
        "contentBlockIndex: expected integer, got str",
    ),
    (
        "contentBlockDelta",
        b'{"contentBlockIndex": 4294967296}',
        "application/json",
        "out of range for integer",
    ),
    (
        "contentBlockDelta",
        b'{"delta": {"text": "a", "reasoningContent": {"text": "b"}}}',
        "application/json",
        "exactly one member",
    ),
    (
        "contentBlockDelta",
        b'{"delta": ["text"]}',
        "application/json",
        "delta: expected an object, got list",
    ),
    ("messageStop", b'["end_turn"]', "application/json", "expected an object, got list"),
    ("messageStop", b'{"stopReason": "end_turn"}', "text/xml", "content type 'text/xml'"),
    (
        "messageStop",
        b"[" * 100_000 + b"]" * 100_000,
        "application/json",
        "nested more than 100 levels deep",
    ),
    (
        "messageStop",
        b'{"additionalModelResponseFields": ' + b"[" * 500 + b"]" * 500 + b"}",
        "application/json",
        r"nested (more|deeper) than 100",
    ),
]


@pytest.mark.parametrize(("event_type", "payload", "content_type", "match"), CONVERSE_HOSTILE)
def test_payloads_that_do_not_fit_raise_and_keep_the_events_before(
    event_type: str, payload: bytes, content_type: str, match: str
) -> None:
    stream = load_stream("bedrock-runtime", "ConverseStream")
    good = stream.encode({"messageStart": {"role": "assistant"}})
    bad = event_message(event_type, payload, content_type)
    decoder = stream.decoder()
    events = decoder.feed(good + bad + good)
    assert [e.name for e in events] == ["messageStart"]  # nothing before the bad one lost
    with pytest.raises(InvalidEventPayloadError, match=match) as info:
        decoder.feed(b"")
    assert info.value.event == event_type
    assert info.value.offset == info.value.message_offset == len(good)
    with pytest.raises(DecoderFailedError):
        decoder.feed(good)


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (b"<Stats><BytesScanned>many</BytesScanned></Stats>", "BytesScanned: expected long"),
        (b"<Stats><BytesScanned>1</BytesScanned>", "not XML"),
        (
            b'<!DOCTYPE x [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<Stats><BytesScanned>&b;</BytesScanned></Stats>",
            "DOCTYPE is refused",
        ),
        (b"<Stats>" + b"<a>" * 200 + b"</a>" * 200 + b"</Stats>", "deeper than 100"),
        (
            b"<Stats><BytesScanned>1</BytesScanned><BytesScanned>2</BytesScanned></Stats>",
            "repeated 2 times",
        ),
        (b"<?xml version='1.0' encoding='bogus'?><Stats/>", "unusable encoding"),
        (b"<?xml version='1.0' encoding='rot13'?><Stats/>", "unusable encoding"),
        (b"<?xml version='1.0' encoding='idna'?><Stats/>", "unusable encoding"),
    ],
)
def test_xml_payloads_that_do_not_fit(payload: bytes, match: str) -> None:
    stream = load_stream("s3", "SelectObjectContent")
    decoder = stream.decoder()
    with pytest.raises(InvalidEventPayloadError, match=match):
        decoder.feed(event_message("Stats", payload, "text/xml"))


def test_an_xml_model_whose_flattened_list_holds_itself_is_bounded() -> None:
    # A flattened list reads its items from the element it was given: a list that
    # holds itself never descends the (bounded) element tree.
    model = copy.deepcopy(read_model_file(find_model_file("s3")))
    model["shapes"]["Loop"] = {"type": "list", "flattened": True, "member": {"shape": "Loop"}}
    model["shapes"]["Stats"]["members"]["Looped"] = {"shape": "Loop"}
    stream = load_stream("s3", "SelectObjectContent", model=model)
    payload = b"<Stats><Looped>1</Looped></Stats>"
    with pytest.raises(InvalidEventPayloadError, match="nested deeper than 100"):
        stream.decoder().feed(event_message("Stats", payload, "text/xml"))


def test_iso8601_text_keeps_the_microseconds() -> None:
    from eventstream.services._timestamps import to_iso8601

    when = dt.datetime(2025, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc)
    assert to_iso8601(when) == "2025-05-06T07:08:09Z"
    assert to_iso8601(when.replace(microsecond=500_000)) == "2025-05-06T07:08:09.5Z"
    assert to_iso8601(when.replace(microsecond=123_000)) == "2025-05-06T07:08:09.123Z"
    assert to_iso8601(when.replace(microsecond=1)) == "2025-05-06T07:08:09.000001Z"


def test_an_unknown_xml_encoding_keeps_the_events_before_it() -> None:
    stream = load_stream("s3", "SelectObjectContent")
    good = event_message("Cont", b"", "text/xml")
    bad = event_message("Stats", b"<?xml version='1.0' encoding='bogus'?><Stats/>", "text/xml")
    decoder = stream.decoder()
    events = decoder.feed(good + bad)
    assert [e.name for e in events] == ["Cont"]
    with pytest.raises(InvalidEventPayloadError, match="unusable encoding") as info:
        decoder.feed(b"")
    assert info.value.offset == len(good)


def test_a_blob_that_is_not_base64_is_refused() -> None:
    stream = load_stream("bedrock-runtime", "InvokeModelWithResponseStream")
    with pytest.raises(InvalidEventPayloadError, match="bytes: blob is not base64"):
        stream.decoder().feed(event_message("chunk", b'{"bytes": "***"}'))


def test_framing_errors_pass_through_with_offsets() -> None:
    stream = load_stream("bedrock-runtime", "ConverseStream")
    good = stream.encode({"messageStart": {"role": "assistant"}})
    decoder = stream.decoder()
    assert len(decoder.feed(good + good[:20])) == 1
    with pytest.raises(TruncatedStreamError):
        decoder.close()


# --- completeness ---------------------------------------------------------------------


def test_terminal_events_have_sources() -> None:
    for (service, operation), fact in TERMINAL_EVENTS.items():
        stream = load_stream(service, operation)
        assert set(fact.events) <= set(stream.event_names), (service, operation)
        assert fact.source


def test_converse_stream_completeness() -> None:
    stream = load_stream("bedrock-runtime", "ConverseStream")
    start = stream.encode({"messageStart": {"role": "assistant"}})
    stop = stream.encode({"messageStop": {"stopReason": "end_turn"}})
    metadata = stream.encode(
        {
            "metadata": {
                "usage": {"inputTokens": 1, "outputTokens": 2, "totalTokens": 3},
                "metrics": {"latencyMs": 5},
            }
        }
    )
    complete = stream.decoder()
    complete.feed(start + stop + metadata)
    complete.close()

    cut = stream.decoder()
    cut.feed(start + stop + metadata[:10])
    with pytest.raises(IncompleteStreamError) as info:
        cut.close()
    assert info.value.missing == ("metadata",)
    assert info.value.received == {"messageStart": 1, "messageStop": 1}
    assert info.value.partial_bytes == 10
    assert isinstance(info.value.__cause__, TruncatedStreamError)

    nothing = stream.decoder()
    with pytest.raises(
        IncompleteStreamError, match="without messageStop and metadata; arrived: no events"
    ):
        nothing.close()

    unchecked = stream.decoder(check_complete=False)
    unchecked.feed(start)
    unchecked.close()


def test_s3_select_without_end_is_incomplete() -> None:
    stream = load_stream("s3", "SelectObjectContent")
    decoder = stream.decoder()
    decoder.feed(stream.encode({"Records": {"Payload": b"a,b\n"}}) + stream.encode({"Cont": {}}))
    with pytest.raises(IncompleteStreamError, match="without End; arrived: 1 Records, 1 Cont"):
        decoder.close()


def test_operations_without_a_terminal_event_are_not_checked() -> None:
    stream = load_stream("bedrock-runtime", "InvokeModelWithResponseStream")
    assert stream.terminal_events == ()
    decoder = stream.decoder()
    decoder.feed(stream.encode({"chunk": {"bytes": b"{}"}}))
    decoder.close()


# --- encoding -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("event", "match"),
    [
        ({}, "exactly one key"),
        ({"a": {}, "b": {}}, "exactly one key"),
        ({"nope": {}}, "'nope' is not an event"),
        ({"messageStop": "end_turn"}, "expected a dict of members"),
        ({"messageStop": {"stopReason": 3}}, "messageStop.stopReason: expected string, got int"),
        ({"messageStop": {"reason": "x"}}, "unknown member"),
        ({"contentBlockDelta": {"delta": {}}}, "exactly one member"),
        ({"contentBlockDelta": {"contentBlockIndex": True}}, "expected integer, got bool"),
        ({"metadata": {"metrics": {"latencyMs": 2**63}}}, "out of range for long"),
    ],
)
def test_events_that_do_not_fit_the_model_are_not_encoded(event: Any, match: str) -> None:
    with pytest.raises(EventEncodeError, match=match):
        load_stream("bedrock-runtime", "ConverseStream").encode(event)


def test_input_streams_encode_and_decode() -> None:
    stream = load_stream(
        "bedrock-runtime", "InvokeModelWithBidirectionalStream", direction="input"
    )
    assert stream.direction == "input"
    event = {"chunk": {"bytes": b'{"event": {"sessionStart": {}}}'}}
    data = stream.encode(event)
    assert decode_all(stream, data)[0].as_boto3() == event
    lex = load_stream("lexv2-runtime", "StartConversation", direction="input")
    audio = {
        "AudioInputEvent": {"audioChunk": b"\x01\x02", "contentType": "audio/lpcm", "eventId": "1"}
    }
    assert decode_all(lex, lex.encode(audio))[0].as_boto3() == audio


def header_model() -> dict[str, Any]:
    """A model with eventheader members of every type (no installed model has any)."""
    path = find_model_file("s3")
    model = copy.deepcopy(read_model_file(path))
    shapes = model["shapes"]
    shapes["ContinuationEvent"] = {
        "type": "structure",
        "event": True,
        "members": {
            "S": {"shape": "Tstr", "eventheader": True},
            "B": {"shape": "Tblob", "eventheader": True},
            "T": {"shape": "Tbool", "eventheader": True},
            "I": {"shape": "Tint", "eventheader": True},
            "L": {"shape": "Tlong", "eventheader": True},
            "W": {"shape": "Ttime", "eventheader": True},
            "Body": {"shape": "Tstr", "eventpayload": True},
        },
    }
    shapes.update(
        Tstr={"type": "string"},
        Tblob={"type": "blob"},
        Tbool={"type": "boolean"},
        Tint={"type": "integer"},
        Tlong={"type": "long"},
        Ttime={"type": "timestamp"},
    )
    return model


def test_eventheader_members_round_trip_through_headers() -> None:
    stream = load_stream("s3", "SelectObjectContent", model=header_model())
    event = {
        "Cont": {
            "S": "s",
            "B": b"\x00",
            "T": False,
            "I": -5,
            "L": 2**40,
            "W": dt.datetime(2025, 5, 6, 7, 8, 9, 123000, tzinfo=dt.timezone.utc),
            "Body": "text payload",
        }
    }
    message = stream.encode_message(event)
    assert message.headers["S"] == "s" and message.headers["I"] == -5
    assert message.payload == b"text payload"
    assert decode_all(stream, encode(message))[0].as_boto3() == event
    with pytest.raises(EventEncodeError, match=r"Cont\.I: Integer value 4294967296 out of range"):
        stream.encode({"Cont": {"I": 2**32}})
    wrong = encode(Message([(":event-type", "Cont"), (":message-type", "event"), ("I", "five")]))
    with pytest.raises(
        InvalidEventPayloadError, match=r"Cont\.I: header of type str for a integer member"
    ):
        stream.decoder().feed(wrong)


def test_eventheader_members_after_the_payload_member_are_written() -> None:
    stream = load_stream("s3", "SelectObjectContent", model=header_model())
    event = {"Cont": {"S": "before", "Body": "text payload", "I": 7, "T": True}}
    message = stream.encode_message(event)
    assert (message.headers["S"], message.headers["I"], message.headers["T"]) == (
        "before",
        7,
        True,
    )
    assert message.payload == b"text payload"
    assert decode_all(stream, encode(message))[0].as_boto3() == event


# --- CBOR -------------------------------------------------------------------------------


def cbor_converse() -> Any:
    model = copy.deepcopy(read_model_file(find_model_file("bedrock-runtime")))
    model["metadata"]["protocols"] = ["smithy-rpc-v2-cbor"]
    return load_stream("bedrock-runtime", "ConverseStream", model=model)


def test_cbor_protocol_round_trips_every_event() -> None:
    from eventstream.testing._service_events import random_event

    stream = cbor_converse()
    assert stream.codec == "cbor"
    rng = random.Random(3)
    for _ in range(5):
        events = [random_event(stream, rng, name=name) for name in stream.event_names]
        data = b"".join(stream.encode(e) for e in events)
        assert [e.as_boto3() for e in decode_all(stream, data)] == events
    assert (
        stream.encode_message({"messageStop": {"stopReason": "end_turn"}}).headers[":content-type"]
        == "application/cbor"
    )


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (b"\xa1\x6astopReason\x7a\xff\xff\xff\xff", "runs past the end"),
        (b"\xa1\x6astopReason", "runs past the end"),
        (b"\x9b\xff\xff\xff\xff\xff\xff\xff\xff", "claims"),
        (b"\x81" * 300 + b"\x00", "deeper than 100"),
        (b"\xa1\x01\x02", "map key"),
        (b"\xc2\x41\x00", "tag 2"),
        (b"\xa0\x00", "1 bytes after"),
        (b"\xff", "break outside"),
        (b"\xa1\x6astopReason\x01", "expected string, got int"),
    ],
)
def test_hostile_cbor(payload: bytes, match: str) -> None:
    with pytest.raises(InvalidEventPayloadError, match=match):
        cbor_converse().decoder().feed(event_message("messageStop", payload, "application/cbor"))


@pytest.mark.parametrize(
    "payload",
    [
        b"\x81\xff",  # a break as the item of a one-item array
        b"\xa1\x61a\xff",  # as the value of a one-entry map
        b"\xbf\x61a\xff\xff",  # as the value of an indefinite map (only keys may end it)
        b"\xc1\xff",  # as the tagged item
        b"\x9f\x81\xff\xff",  # inside a fixed array inside an indefinite one
    ],
)
def test_a_cbor_break_inside_a_definite_item_is_refused(payload: bytes) -> None:
    with pytest.raises(ShapeError, match="CBOR break outside an indefinite item"):
        _cbor.loads(payload)


def test_a_cbor_break_ends_indefinite_items() -> None:
    assert _cbor.loads(b"\x9f\x01\x81\x02\xff") == [1, [2]]
    assert _cbor.loads(b"\xbf\x61a\x01\xff") == {"a": 1}
    assert _cbor.loads(b"\x7f\x61a\x61b\xff") == "ab"


@pytest.mark.parametrize(
    ("document", "where", "match"),
    [
        ({1, 2}, "", "Object of type set"),
        (b"x", "", "Object of type bytes"),
        (float("nan"), "", "Out of range float"),
        ([1, float("inf")], r"\[1\]", "Out of range float"),
        ({"a": {"b": [1, {2}]}}, r"\.a\.b\[1\]", "Object of type set"),
        ({"k": {(1, 2): 3}}, r"\.k", "keys must be str"),
    ],
)
def test_a_document_json_cannot_hold_is_an_encode_error(
    document: Any, where: str, match: str
) -> None:
    stream = load_stream("bedrock-runtime", "ConverseStream")
    event = {"messageStop": {"stopReason": "end_turn", "additionalModelResponseFields": document}}
    with pytest.raises(
        EventEncodeError,
        match=rf"^messageStop\.additionalModelResponseFields{where}: not JSON: {match}",
    ):
        stream.encode(event)


def test_a_json_blob_json_cannot_hold_is_an_encode_error() -> None:
    stream = load_stream("bedrock-runtime", "InvokeModelWithResponseStream")
    assert stream.from_json_form({"chunk": {"bytes": {"$json": [1]}}}) == {
        "chunk": {"bytes": b"[1]"}
    }
    with pytest.raises(
        EventEncodeError, match=r"^chunk\.bytes\.\$json\[1\]: not JSON: Out of range"
    ):
        stream.from_json_form({"chunk": {"bytes": {"$json": [1, float("nan")]}}})


def test_bad_arguments_to_load_stream() -> None:
    with pytest.raises(InvalidModelError, match="takes a path or a dict, not int"):
        load_stream("s3", "SelectObjectContent", model=42)  # type: ignore[arg-type]
    with pytest.raises(ServiceModelError, match="direction must be 'output' or 'input'"):
        load_stream("s3", "SelectObjectContent", direction="sideways")
    with pytest.raises(InvalidModelError, match="cannot read the model file"):
        load_stream("s3", "SelectObjectContent", model="/nonexistent/service-2.json")


def test_exception_classes_are_the_same_across_loads_and_operations() -> None:
    first = load_stream("bedrock-runtime", "ConverseStream")
    assert load_stream("bedrock-runtime", "converse_stream") is first
    other = load_stream("bedrock-runtime", "InvokeModelWithResponseStream")
    cls = first.exceptions["throttlingException"]
    assert other.exceptions["throttlingException"] is cls
    # So an except clause written against one load catches what another decoder raises.
    data = other.encode({"throttlingException": {"message": "slow"}})
    with pytest.raises(cls):
        other.decoder().feed(data)
    # A model passed in is its own: its classes are not the installed model's.
    path = find_model_file("bedrock-runtime")
    mine = load_stream("bedrock-runtime", "ConverseStream", model=read_model_file(path))
    assert mine.exceptions["throttlingException"] is not cls
