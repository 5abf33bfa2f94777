"""Parameters that used to slip past build_request, and headers as raw bytes."""

from __future__ import annotations

from typing import Any

import pytest

from eventstream.aws_lambda import (
    InvalidParameterError,
    LambdaError,
    TooManyRequestsException,
    build_request,
    error_from_response,
    response_head,
)


@pytest.mark.parametrize(
    "name",
    [
        ".",
        "..",
        "...",
        "." * 64,
        "..:1",
        "..:$LATEST",
        "123456789012:function:..",
        "us-east-1:123456789012:function:.",
        "arn:aws:lambda:us-east-1:123456789012:function:..",
        "arn:aws:lambda:us-east-1:123456789012:function:...:prod",
    ],
)
def test_all_dots_function_name_is_refused(name: str) -> None:
    with pytest.raises(InvalidParameterError, match="only dots") as info:
        build_request(name)
    assert info.value.parameter == "FunctionName"


@pytest.mark.parametrize(
    "name", [".a", "a.", "a..b", "arn:aws:lambda:us-east-1:123456789012:function:v1.2"]
)
def test_names_with_dots_and_more_are_still_accepted(name: str) -> None:
    assert build_request(name).path.startswith("/2021-11-15/functions/")


@pytest.mark.parametrize("payload", ["\ud800", "ok \udfff", "a\udc80b"])
def test_lone_surrogate_payload_is_an_invalid_parameter(payload: str) -> None:
    with pytest.raises(InvalidParameterError, match="lone surrogate") as info:
        build_request("f", payload)
    assert info.value.parameter == "Payload"


def test_deeply_nested_client_context_is_an_invalid_parameter() -> None:
    context: dict[str, Any] = {}
    inner = context
    for _ in range(100_000):
        inner["a"] = {}
        inner = inner["a"]
    with pytest.raises(InvalidParameterError, match="nested too deeply") as info:
        build_request("f", client_context=context)
    assert info.value.parameter == "ClientContext"


def test_surrogate_in_client_context_is_escaped_not_refused() -> None:
    # json.dumps escapes it (\ud800), which is valid JSON text: the service decides.
    request = build_request("f", client_context={"k": "\ud800"})
    assert request.headers["X-Amz-Client-Context"] == "eyJrIjoiXHVkODAwIn0="


RAW_429 = [
    (b"Content-Type", b"application/json"),
    (b"X-Amzn-ErrorType", b"TooManyRequestsException:http://internal.amazon.com/coral/"),
    (b"x-amzn-RequestId", b"11111111-2222-3333-4444-555555555555"),
    (b"Retry-After", b"2"),
]


@pytest.mark.parametrize("container", [list, tuple, dict], ids=["list", "tuple", "dict"])
def test_bytes_header_pairs_are_read_as_latin1(container: Any) -> None:
    body = b'{"Reason": "ConcurrentInvocationLimitExceeded", "message": "Rate exceeded"}'
    error = error_from_response(429, container(RAW_429), body)
    assert type(error) is TooManyRequestsException
    assert error.code == "TooManyRequestsException"
    assert error.retry_after_seconds == "2"
    assert error.request_id == "11111111-2222-3333-4444-555555555555"
    assert error.reason == "ConcurrentInvocationLimitExceeded"
    assert error.headers["content-type"] == "application/json"


def test_bytes_headers_keep_every_byte() -> None:
    error = error_from_response(500, [(b"X-Odd", b"caf\xe9 \xff"), (bytearray(b"X-B"), b"1")], b"")
    assert type(error) is LambdaError
    assert error.headers == {"x-odd": "caf\u00e9 \u00ff", "x-b": "1"}


def test_response_head_reads_bytes_headers() -> None:
    head = response_head(
        200,
        [
            (b"Content-Type", b"application/vnd.amazon.eventstream"),
            (b"X-Amz-Executed-Version", b"$LATEST"),
        ],
    )
    assert head.executed_version == "$LATEST"
