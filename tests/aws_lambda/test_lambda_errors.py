"""The modeled errors: our table against botocore's model, and against boto3's parsing."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest

import eventstream.aws_lambda as aws_lambda
from eventstream.aws_lambda import MODELED_ERRORS, LambdaError, error_from_response

from ..loopback import CannedResponse, LoopbackServer, RecordedRequest
from .lambda_peers import BOTOCORE_VERSION, installed_lambda_model, isolated_aws_env, lambda_client

# The botocore release our table was generated from (see _errors.py).
TABLE_SOURCE_VERSION = (1, 44, 8)

# Named in issue 3, independent of any botocore.
ISSUE_EXAMPLES = {
    "ResourceNotFoundException": 404,
    "TooManyRequestsException": 429,
    "RequestTooLargeException": 413,
    "EFSMountTimeoutException": 408,
    "ServiceException": 500,
    "KMSAccessDeniedException": 502,
    "SnapStartNotReadyException": 409,
    "S3FilesMountFailureException": 403,
    "ServiceQuotaExceededException": 402,
}


def test_table_size_and_issue_examples() -> None:
    assert len(MODELED_ERRORS) == 42
    for name, status in ISSUE_EXAMPLES.items():
        assert MODELED_ERRORS[name].status == status


def test_classes_are_named_like_shapes_and_exported() -> None:
    for name, cls in MODELED_ERRORS.items():
        assert cls.__name__ == name
        assert issubclass(cls, LambdaError)
        assert getattr(aws_lambda, name) is cls
        assert name in aws_lambda.__all__
        assert cls.fault in ("client", "server")
        assert (cls.fault == "server") == (cls.status >= 500)


def _model_errors() -> dict[str, dict[str, Any]]:
    model = installed_lambda_model()
    operation = model["operations"].get("InvokeWithResponseStream")
    if operation is None:
        pytest.skip("the installed botocore's Lambda model lacks InvokeWithResponseStream")
    shapes = model["shapes"]
    return {e["shape"]: shapes[e["shape"]] for e in operation.get("errors", [])}


def test_table_matches_installed_botocore_model() -> None:
    errors = _model_errors()
    # Everything the installed model lists is in our table with the same status and fault.
    for name, shape in errors.items():
        assert name in MODELED_ERRORS, f"{name} missing from our table"
        cls = MODELED_ERRORS[name]
        assert cls.status == shape["error"]["httpStatusCode"], name
        assert cls.fault == ("server" if shape.get("fault") else "client"), name
    if BOTOCORE_VERSION >= TABLE_SOURCE_VERSION:
        # Same or newer model than the one the table came from: the same set.
        assert set(errors) == set(MODELED_ERRORS)
    else:
        # An older botocore (the newest one pip offers Python 3.9 is 1.42.x) simply
        # predates some errors; the ones it has were checked above.
        assert set(errors) <= set(MODELED_ERRORS)


def _reply_for(request: RecordedRequest) -> CannedResponse:
    """The loopback server answers the error named in the function name (``Name--form``)."""
    function = request.path.split("/")[3]
    name, form = function.split("--")
    cls = MODELED_ERRORS.get(name)
    status = cls.status if cls is not None else 418
    key = "message" if len(name) % 2 else "Message"
    headers = [("Content-Type", "application/json"), ("x-amzn-RequestId", "req-" + name)]
    if form == "header":
        headers.append(
            ("x-amzn-ErrorType", name + ":http://internal.amazon.com/coral/com.amazonaws.lambda/")
        )
        body = f'{{"Type":"User","{key}":"msg for {name}"}}'
    else:
        body = f'{{"__type":"com.amazonaws.lambda#{name}","{key}":"msg for {name}"}}'
    if name == "TooManyRequestsException":
        headers.append(("Retry-After", "7"))
        body = body[:-1] + ',"Reason":"CallerRateLimitExceeded"}'
    if name == "EC2UnexpectedException":
        body = body[:-1] + ',"EC2ErrorCode":"InsufficientCapacity"}'
    return CannedResponse(status=status, headers=headers, pieces=[body.encode()], chunked=False)


@pytest.fixture(scope="module")
def error_server() -> Iterator[tuple[Any, LoopbackServer]]:
    with isolated_aws_env(), LoopbackServer(_reply_for) as server:
        yield lambda_client(server.url), server


@pytest.mark.parametrize("form", ["header", "type"])
@pytest.mark.parametrize("name", sorted(MODELED_ERRORS))
def test_boto3_and_error_from_response_agree(
    error_server: tuple[Any, LoopbackServer], name: str, form: str
) -> None:
    client, server = error_server
    botocore_exceptions = pytest.importorskip("botocore.exceptions")
    with pytest.raises(botocore_exceptions.ClientError) as caught:
        client.invoke_with_response_stream(FunctionName=f"{name}--{form}")
    boto_error = caught.value.response
    reply = _reply_for(server.requests[-1])

    ours = error_from_response(reply.status, reply.headers, b"".join(reply.pieces))

    assert type(ours) is MODELED_ERRORS[name]
    assert ours.code == boto_error["Error"]["Code"] == name
    assert (
        ours.status
        == boto_error["ResponseMetadata"]["HTTPStatusCode"]
        == MODELED_ERRORS[name].status
    )
    assert ours.message == boto_error["Error"]["Message"] == f"msg for {name}"
    assert ours.request_id == boto_error["ResponseMetadata"]["RequestId"] == "req-" + name
    modeled = getattr(client.exceptions, name, None)
    if modeled is not None:
        # botocore models this error: it must have picked that class too.
        assert isinstance(caught.value, modeled)
    if form == "header":
        assert ours.error_type == boto_error.get("Type", "User") == "User"
    if name == "TooManyRequestsException":
        assert isinstance(ours, aws_lambda.TooManyRequestsException)
        assert ours.retry_after_seconds == "7"
        assert ours.reason == "CallerRateLimitExceeded"
        if modeled is not None:
            assert boto_error["retryAfterSeconds"] == "7"
            assert boto_error["Reason"] == "CallerRateLimitExceeded"
    if name == "EC2UnexpectedException":
        assert isinstance(ours, aws_lambda.EC2UnexpectedException)
        assert ours.ec2_error_code == "InsufficientCapacity"


def test_unknown_code_is_generic_and_agrees_with_boto3(
    error_server: tuple[Any, LoopbackServer],
) -> None:
    client, server = error_server
    botocore_exceptions = pytest.importorskip("botocore.exceptions")
    with pytest.raises(botocore_exceptions.ClientError) as caught:
        client.invoke_with_response_stream(FunctionName="BrandNewException--header")
    reply = _reply_for(server.requests[-1])
    ours = error_from_response(reply.status, reply.headers, b"".join(reply.pieces))
    assert type(ours) is LambdaError
    assert ours.code == caught.value.response["Error"]["Code"] == "BrandNewException"
    assert ours.status == 418
    assert str(ours) == "BrandNewException (HTTP 418): msg for BrandNewException"


@pytest.mark.parametrize(
    ("status", "headers", "body", "code", "message"),
    [
        # header wins over the body; the ":namespace" suffix goes
        (
            404,
            {"X-Amzn-ErrorType": "ResourceNotFoundException:x"},
            b'{"__type":"ServiceException"}',
            "ResourceNotFoundException",
            "",
        ),
        # lower-case header name, pairs instead of a mapping
        (
            429,
            [("x-amzn-errortype", "TooManyRequestsException")],
            b'{"message":"slow down"}',
            "TooManyRequestsException",
            "slow down",
        ),
        # body "code" before "__type"
        (
            400,
            {},
            b'{"code":"InvalidParameterValueException","__type":"X"}',
            "InvalidParameterValueException",
            "",
        ),
        (
            400,
            {},
            b'{"Code":"InvalidRequestContentException"}',
            "InvalidRequestContentException",
            "",
        ),
        # "__type" with a namespace prefix
        (
            502,
            {},
            b'{"__type":"aws.lambda#KMSNotFoundException","Message":"k"}',
            "KMSNotFoundException",
            "k",
        ),
        # no code anywhere: the status as text, as botocore does
        (500, {}, b"", "500", ""),
        (
            503,
            {},
            b"<html><body>Service Unavailable</body></html>",
            "503",
            "<html><body>Service Unavailable</body></html>",
        ),
        # body not JSON / not an object: the text is the message
        (400, {}, b"plain words", "400", "plain words"),
        (400, {}, b"[1,2]", "400", "[1,2]"),
        (
            413,
            {"x-amzn-ErrorType": "RequestTooLargeException"},
            "text body é",
            "RequestTooLargeException",
            "text body é",
        ),
        (
            413,
            {"x-amzn-ErrorType": "RequestTooLargeException"},
            b"\xff\xfe",
            "RequestTooLargeException",
            "\ufffd\ufffd",
        ),
        (400, {"x-amzn-ErrorType": ""}, b'{"__type":"EFSIOException"}', "EFSIOException", ""),
        (400, {}, None, "400", ""),
        # 5xx with an empty body: the header still names the error (botocore: "502")
        (
            502,
            {"x-amzn-ErrorType": "KMSAccessDeniedException"},
            b"",
            "KMSAccessDeniedException",
            "",
        ),
        (400, {}, b'{"message": 12}', "400", "12"),
    ],
)
def test_error_from_response_cases(
    status: int, headers: Any, body: Any, code: str, message: str
) -> None:
    error = error_from_response(status, headers, body)
    assert error.code == code
    assert error.message == message
    assert error.status == status
    assert type(error) is MODELED_ERRORS.get(code, LambdaError)


def test_error_pickles_and_keeps_fields() -> None:
    error = error_from_response(
        429,
        {"x-amzn-ErrorType": "TooManyRequestsException", "Retry-After": "3"},
        b'{"message":"m","Type":"User","Reason":"ConcurrentInvocationLimitExceeded"}',
    )
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert (copy.code, copy.status, copy.message) == (error.code, error.status, error.message)
    assert copy.retry_after_seconds == "3"  # type: ignore[attr-defined]
    assert copy.reason == "ConcurrentInvocationLimitExceeded"  # type: ignore[attr-defined]
    assert copy.error_type == "User"


def test_direct_construction_defaults() -> None:
    error = aws_lambda.ResourceNotFoundException("gone")
    assert (error.code, error.status, error.message) == ("ResourceNotFoundException", 404, "gone")
    assert error.request_id is None and error.error_type is None
    with pytest.raises(aws_lambda.ResourceNotFoundException):
        raise error
