"""The HTTP-integration prelude (Function URL streaming) and the response head."""

from __future__ import annotations

import json
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream.aws_lambda import (
    EVENT_STREAM_CONTENT_TYPE,
    HTTP_INTEGRATION_CONTENT_TYPE,
    HttpIntegrationError,
    HttpIntegrationPrelude,
    HttpIntegrationSplitter,
    NotAnEventStreamError,
    PayloadChunk,
    ResponseHead,
    ResponseStreamDecoder,
    encode_http_integration_prelude,
    response_head,
)

NUL8 = b"\x00" * 8


def split_all(pieces: list[bytes], **kwargs: int) -> tuple[HttpIntegrationPrelude | None, bytes]:
    splitter = HttpIntegrationSplitter(**kwargs)
    body = b"".join(splitter.feed(p) for p in pieces)
    splitter.close()
    return splitter.prelude, body


def test_encoder_layout() -> None:
    raw = encode_http_integration_prelude(
        201,
        headers={"Content-Type": "text/html"},
        multi_value_headers={"X-Many": ["a", "b"]},
        cookies=["id=1; Secure"],
    )
    assert raw.endswith(NUL8)
    assert NUL8 not in raw[:-8]
    assert json.loads(raw[:-8]) == {
        "statusCode": 201,
        "headers": {"Content-Type": "text/html"},
        "multiValueHeaders": {"X-Many": ["a", "b"]},
        "cookies": ["id=1; Secure"],
    }
    assert encode_http_integration_prelude() == b'{"statusCode":200}' + NUL8


def test_round_trip_through_lambda_chunks() -> None:
    prelude = encode_http_integration_prelude(404, headers={"Content-Type": "text/plain"})
    body = b"not found \x00\x00\x00\x00\x00\x00\x00\x00 even with NULs in the body"
    raw = prelude + body
    # Chunk boundaries inside the prelude and inside the delimiter.
    chunks = [raw[:5], raw[5 : len(prelude) - 3], raw[len(prelude) - 3 : len(prelude) + 2]]
    chunks.append(raw[len(prelude) + 2 :])
    stream = b"".join(es.encode(PayloadChunk(c).to_message()) for c in chunks)
    decoder = ResponseStreamDecoder()
    payloads = [e.payload for e in decoder.feed(stream) if isinstance(e, PayloadChunk)]
    parsed, got_body = split_all(payloads)
    assert parsed == HttpIntegrationPrelude(404, {"Content-Type": "text/plain"})
    assert got_body == body


@given(
    st.integers(min_value=100, max_value=599),
    st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4),
    st.lists(st.text(max_size=10), max_size=3),
    st.binary(max_size=200),
    st.lists(st.integers(min_value=0, max_value=400), max_size=10),
)
def test_any_split_points(
    status: int, headers: dict[str, str], cookies: list[str], body: bytes, cuts: list[int]
) -> None:
    raw = encode_http_integration_prelude(status, headers=headers, cookies=cookies) + body
    bounds = sorted({0, len(raw), *(c % (len(raw) + 1) for c in cuts)})
    prelude, got_body = split_all([raw[a:b] for a, b in zip(bounds, bounds[1:])])
    assert prelude == HttpIntegrationPrelude(status, headers, {}, cookies)
    assert got_body == body


def test_one_byte_pieces_and_body_bytes_counter() -> None:
    raw = encode_http_integration_prelude(200) + b"abc"
    splitter = HttpIntegrationSplitter()
    out = b""
    for i in range(len(raw)):
        got = splitter.feed(raw[i : i + 1])
        if i < len(raw) - 4:
            assert got == b"" and splitter.prelude is None
        out += got
    splitter.close()
    assert out == b"abc" and splitter.body_bytes == 3


def test_prelude_bound() -> None:
    prelude = encode_http_integration_prelude(200, headers={"X": "v" * 100})
    assert split_all([prelude], max_prelude_size=len(prelude) - 8)[0] is not None
    with pytest.raises(HttpIntegrationError, match="longer than"):
        split_all([prelude], max_prelude_size=len(prelude) - 9)
    # No delimiter at all: refused once the bound is passed, without waiting for the end.
    splitter = HttpIntegrationSplitter()
    splitter.feed(b"{" + b" " * 10_000)
    with pytest.raises(HttpIntegrationError, match="within 16384 bytes") as caught:
        splitter.feed(b" " * 10_000)
    assert caught.value.offset == 16 * 1024
    with pytest.raises(HttpIntegrationError):
        splitter.feed(b"more")
    with pytest.raises(HttpIntegrationError):
        splitter.close()


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"not json" + NUL8, "not UTF-8 JSON"),
        (b"\xff\xfe" + NUL8, "not UTF-8 JSON"),
        (b"[1]" + NUL8, "not a JSON object"),
        (b'{"statusCode":"200"}' + NUL8, "statusCode"),
        (b'{"statusCode":true}' + NUL8, "statusCode"),
        (b'{"statusCode":42}' + NUL8, "statusCode"),
        (b'{"headers":[]}' + NUL8, "headers"),
        (b'{"headers":{"a":1}}' + NUL8, "headers"),
        (b'{"multiValueHeaders":{"a":"b"}}' + NUL8, "multiValueHeaders"),
        (b'{"multiValueHeaders":{"a":[1]}}' + NUL8, "multiValueHeaders"),
        (b'{"cookies":"a=b"}' + NUL8, "cookies"),
        (b'{"cookies":[1]}' + NUL8, "cookies"),
    ],
)
def test_invalid_preludes(raw: bytes, problem: str) -> None:
    splitter = HttpIntegrationSplitter()
    with pytest.raises(HttpIntegrationError, match=problem):
        splitter.feed(raw + b"body")
    with pytest.raises(HttpIntegrationError):
        splitter.feed(b"x")


def test_end_before_delimiter() -> None:
    splitter = HttpIntegrationSplitter()
    assert splitter.feed(b'{"statusCode":200}\x00\x00\x00') == b""
    with pytest.raises(HttpIntegrationError, match="before the prelude delimiter") as caught:
        splitter.close()
    assert caught.value.offset == 21
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value)


def test_defaults_and_extra_members_kept() -> None:
    prelude, body = split_all([b'{"isBase64Encoded":false}' + NUL8 + b"x"])
    assert prelude == HttpIntegrationPrelude(200, extra={"isBase64Encoded": False})
    assert body == b"x"
    assert prelude is not None and prelude.to_bytes() == (
        b'{"statusCode":200,"isBase64Encoded":false}' + NUL8
    )


def test_encoder_refuses_bad_values() -> None:
    with pytest.raises(HttpIntegrationError):
        encode_http_integration_prelude(99)
    with pytest.raises(HttpIntegrationError):
        encode_http_integration_prelude(200, headers={"a": 1})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        HttpIntegrationSplitter(max_prelude_size=1)


# -- response head ---------------------------------------------------------------


def test_response_head_success() -> None:
    head = response_head(
        200,
        {
            "Content-Type": EVENT_STREAM_CONTENT_TYPE,
            "X-Amz-Executed-Version": "7",
            "X-Amzn-Remapped-Content-Type": HTTP_INTEGRATION_CONTENT_TYPE,
            "x-amzn-RequestId": "rid",
        },
    )
    assert head == ResponseHead(
        status_code=200,
        executed_version="7",
        content_type=EVENT_STREAM_CONTENT_TYPE,
        function_content_type=HTTP_INTEGRATION_CONTENT_TYPE,
        request_id="rid",
    )
    assert head.has_event_stream and not head.is_error and head.is_http_integration


def test_response_head_pairs_any_case_and_parameters() -> None:
    head = response_head(
        200, [("content-type", "Application/Vnd.Amazon.EventStream; charset=binary")]
    )
    assert head.executed_version is None and head.function_content_type is None
    assert not head.is_http_integration


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "application/json"},
        {"Content-Type": "text/html"},
        {},
        {"Content-Type": "application/vnd.amazon.eventstream-x"},
    ],
)
def test_response_head_refuses_other_bodies(headers: dict[str, str]) -> None:
    with pytest.raises(NotAnEventStreamError) as caught:
        response_head(200, headers)
    assert "refusing to decode" in str(caught.value)
    assert isinstance(caught.value, es.EventStreamError)
    assert caught.value.content_type == headers.get("Content-Type")


def test_response_head_dry_run_and_errors_are_not_refused() -> None:
    dry = response_head(204, {"X-Amz-Executed-Version": "$LATEST"})
    assert dry.status_code == 204 and not dry.has_event_stream and not dry.is_error
    error = response_head(404, {"Content-Type": "application/json"})
    assert error.is_error and not error.has_event_stream
