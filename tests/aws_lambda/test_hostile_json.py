"""JSON from the peer is hostile: nesting past the stack, huge integers, bad UTF-8.

Every parse of it ends in the layer's own error (or, where the layer promises never to
raise, in a result), and the Lambda decoder hands out every good event before the error,
each once, then refuses more.
"""

from __future__ import annotations

import pytest

import eventstream as es
from eventstream.aws_lambda import (
    HttpIntegrationError,
    HttpIntegrationSplitter,
    InvalidEventPayloadError,
    InvokeComplete,
    LambdaError,
    ModeledStreamException,
    PayloadChunk,
    ResponseStreamDecoder,
    error_from_response,
)

DEEP = b"[" * 2000
DEEP_CLOSED = b"[" * 5000 + b"]" * 5000


def exception_message(payload: bytes) -> bytes:
    return es.encode(
        es.Message(
            {":message-type": "exception", ":exception-type": "ThrottlingException"}, payload
        )
    )


@pytest.mark.parametrize("payload", [DEEP, DEEP_CLOSED, b'{"message": ' + DEEP_CLOSED + b"}"])
def test_deep_exception_payload_fails_cleanly_after_the_chunk_before_it(payload: bytes) -> None:
    chunk = PayloadChunk(b"good bytes")
    stream = es.encode(chunk.to_message()) + exception_message(payload)
    decoder = ResponseStreamDecoder()
    # The chunk completed in the same piece comes out first, once.
    assert decoder.feed(stream) == [chunk]
    assert decoder.failed
    with pytest.raises(ModeledStreamException) as info:
        decoder.feed(b"")
    assert info.value.code == "ThrottlingException"
    assert info.value.payload == payload
    # Not JSON the layer can read: the text is the message.
    assert info.value.message == payload.decode("ascii")
    assert info.value.offset == len(es.encode(chunk.to_message()))
    with pytest.raises(es.DecoderFailedError):
        decoder.close()


def test_deep_exception_payload_alone_raises_at_once() -> None:
    decoder = ResponseStreamDecoder()
    with pytest.raises(ModeledStreamException):
        decoder.feed(exception_message(DEEP))
    with pytest.raises(es.DecoderFailedError):
        decoder.close()


@pytest.mark.parametrize(
    "payload",
    [
        DEEP,
        DEEP_CLOSED,
        b'{"ErrorCode": ' + DEEP_CLOSED + b"}",
        b'{"LogResult": 1' + b"0" * 5000 + b"}",
    ],
)
def test_hostile_invoke_complete_payload_is_an_invalid_event_payload(payload: bytes) -> None:
    chunk = PayloadChunk(b"x")
    complete = es.Message({":message-type": "event", ":event-type": "InvokeComplete"}, payload)
    decoder = ResponseStreamDecoder()
    assert decoder.feed(es.encode(chunk.to_message()) + es.encode(complete)) == [chunk]
    with pytest.raises(InvalidEventPayloadError, match="InvokeComplete payload"):
        decoder.feed(b"")
    with pytest.raises(es.DecoderFailedError):
        decoder.close()
    assert decoder.complete is None


def test_a_good_completion_after_the_fix_still_decodes() -> None:
    complete = InvokeComplete(error_code="E", error_details="d" * 10)
    decoder = ResponseStreamDecoder()
    assert decoder.feed(es.encode(complete.to_message())) == [complete]
    decoder.close()


@pytest.mark.parametrize("prelude", [DEEP, DEEP_CLOSED, b'{"statusCode": 1' + b"0" * 5000 + b"}"])
def test_http_integration_splitter_hostile_prelude(prelude: bytes) -> None:
    splitter = HttpIntegrationSplitter(max_prelude_size=16384)
    with pytest.raises(HttpIntegrationError, match="prelude is not UTF-8 JSON") as info:
        splitter.feed(prelude + b"\x00" * 8 + b"body")
    # Failed for good: the same error again, never a body.
    with pytest.raises(HttpIntegrationError) as again:
        splitter.feed(b"more")
    assert again.value is info.value
    with pytest.raises(HttpIntegrationError):
        splitter.close()


@pytest.mark.parametrize(
    "body",
    [DEEP, DEEP_CLOSED, DEEP.decode("ascii"), b'{"message": 1' + b"0" * 5000 + b"}"],
)
def test_error_from_response_never_raises_on_hostile_json(body: bytes | str) -> None:
    error = error_from_response(502, {}, body)
    assert type(error) is LambdaError
    assert error.code == "502"
    assert error.fields == {}
    assert error.message == (body if isinstance(body, str) else body.decode("ascii"))


def test_error_from_response_keeps_the_header_code_with_a_hostile_body() -> None:
    error = error_from_response(429, {"x-amzn-ErrorType": "TooManyRequestsException"}, DEEP)
    assert type(error).__name__ == "TooManyRequestsException"
    assert error.message == DEEP.decode("ascii")


def test_splitter_bound_error_does_not_depend_on_the_pieces() -> None:
    # Found by the HTTP-integration fuzz target: whole, the delimiter is seen past the
    # bound; in pieces, the bound is passed before it arrives. Same error either way.
    payload = b'{"a":[[[[[[' + b"\x00" * 8
    whole = HttpIntegrationSplitter(max_prelude_size=2)
    with pytest.raises(HttpIntegrationError) as whole_error:
        whole.feed(payload)
    pieces = HttpIntegrationSplitter(max_prelude_size=2)
    with pytest.raises(HttpIntegrationError) as pieces_error:
        pieces.feed(payload[:10])
        pieces.feed(payload[10:])
    assert str(pieces_error.value) == str(whole_error.value)
    assert pieces_error.value.offset == whole_error.value.offset == 2
