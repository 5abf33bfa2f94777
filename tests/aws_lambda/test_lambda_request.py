"""build_request against what botocore actually sends to a loopback server."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from eventstream.aws_lambda import (
    InvalidParameterError,
    InvalidParameterTypeError,
    Request,
    build_request,
)

from ..loopback import CannedResponse, LoopbackServer, RecordedRequest
from .lambda_peers import TRANSPORT_HEADERS, isolated_aws_env, lambda_client

ARN = "arn:aws:lambda:us-west-2:123456789012:function:my-function"
CONTEXT = {"custom": {"app": "tests", "n": 1}, "env": {"locale": "fr_FR"}}
CONTEXT_B64 = base64.b64encode(json.dumps(CONTEXT, separators=(",", ":")).encode()).decode()

# (botocore parameters, build_request arguments); every optional parameter appears.
PARAMETER_SETS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"FunctionName": "f"}, {"function_name": "f"}),
    (
        {"FunctionName": "my-function", "Payload": b'{"a": 1}'},
        {"function_name": "my-function", "payload": b'{"a": 1}'},
    ),
    ({"FunctionName": "f", "Payload": "héllo ✓"}, {"function_name": "f", "payload": "héllo ✓"}),
    (
        {"FunctionName": "f", "Payload": bytes(range(256))},
        {"function_name": "f", "payload": bytearray(range(256))},
    ),
    (
        {"FunctionName": ARN, "Qualifier": "$LATEST"},
        {"function_name": ARN, "qualifier": "$LATEST"},
    ),
    ({"FunctionName": ARN + ":prod"}, {"function_name": ARN + ":prod"}),
    ({"FunctionName": ARN + ":$LATEST.PUBLISHED"}, {"function_name": ARN + ":$LATEST.PUBLISHED"}),
    (
        {"FunctionName": "f", "Qualifier": "$LATEST.PUBLISHED"},
        {"function_name": "f", "qualifier": "$LATEST.PUBLISHED"},
    ),
    (
        {"FunctionName": "123456789012:function:f.v2", "Qualifier": "42"},
        {"function_name": "123456789012:function:f.v2", "qualifier": "42"},
    ),
    (
        {"FunctionName": "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:g"},
        {"function_name": "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:g"},
    ),
    (
        {"FunctionName": "arn:aws-eusc:lambda:eusc-de-east-1:123456789012:function:e"},
        {"function_name": "arn:aws-eusc:lambda:eusc-de-east-1:123456789012:function:e"},
    ),
    (
        {"FunctionName": "f", "InvocationType": "RequestResponse"},
        {"function_name": "f", "invocation_type": "RequestResponse"},
    ),
    (
        {"FunctionName": "f", "InvocationType": "DryRun"},
        {"function_name": "f", "invocation_type": "DryRun"},
    ),
    ({"FunctionName": "f", "LogType": "Tail"}, {"function_name": "f", "log_type": "Tail"}),
    ({"FunctionName": "f", "LogType": "None"}, {"function_name": "f", "log_type": "None"}),
    (
        {"FunctionName": "f", "ClientContext": CONTEXT_B64},
        {"function_name": "f", "client_context": CONTEXT},
    ),
    (
        {"FunctionName": "f", "ClientContext": CONTEXT_B64},
        {"function_name": "f", "client_context": CONTEXT_B64},
    ),
    (
        {"FunctionName": "f", "TenantId": "tenant-1"},
        {"function_name": "f", "tenant_id": "tenant-1"},
    ),
    (
        {"FunctionName": "f", "TenantId": "a.b_c:d/e=f+g-h@i j"},
        {"function_name": "f", "tenant_id": "a.b_c:d/e=f+g-h@i j"},
    ),
    # Limits: 64-character bare name, 256-character ARN, 128-character qualifier,
    # 3,583-character client context, 256-character tenant id.
    ({"FunctionName": "n" * 64}, {"function_name": "n" * 64}),
    (
        {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:" + "x" * 209},
        {"function_name": "arn:aws:lambda:us-east-1:123456789012:function:" + "x" * 209},
    ),
    (
        {"FunctionName": "f", "Qualifier": "q" * 128},
        {"function_name": "f", "qualifier": "q" * 128},
    ),
    (
        {"FunctionName": "f", "ClientContext": "QUJD" * 895 + "QUI"},
        {"function_name": "f", "client_context": "QUJD" * 895 + "QUI"},
    ),
    ({"FunctionName": "f", "TenantId": "t" * 256}, {"function_name": "f", "tenant_id": "t" * 256}),
    (
        {
            "FunctionName": ARN,
            "Qualifier": "live_alias-1",
            "InvocationType": "RequestResponse",
            "LogType": "Tail",
            "ClientContext": CONTEXT_B64,
            "TenantId": "acme",
            "Payload": b"[1,2,3]",
        },
        {
            "function_name": ARN,
            "payload": memoryview(b"[1,2,3]"),
            "qualifier": "live_alias-1",
            "invocation_type": "RequestResponse",
            "log_type": "Tail",
            "client_context": CONTEXT,
            "tenant_id": "acme",
        },
    ),
]

ERROR_REPLY = CannedResponse(
    status=404,
    headers=[
        ("x-amzn-ErrorType", "ResourceNotFoundException"),
        ("Content-Type", "application/json"),
    ],
    pieces=[b'{"Type":"User","Message":"Function not found"}'],
    chunked=False,
)


@pytest.fixture(scope="module")
def botocore_sender() -> Iterator[Any]:
    """Send parameters with boto3 to a loopback server; return the request it got."""
    with isolated_aws_env(), LoopbackServer(ERROR_REPLY) as server:
        client = lambda_client(server.url)

        def send(params: dict[str, Any]) -> RecordedRequest:
            with pytest.raises(client.exceptions.ResourceNotFoundException):
                client.invoke_with_response_stream(**params)
            return server.requests[-1]

        yield send


def assert_same_request(sent: RecordedRequest, built: Request) -> None:
    assert sent.method == built.method
    assert sent.target == built.target
    assert sent.path == built.path
    assert {k: v[0] for k, v in sent.query.items()} == built.query
    # Header by header: every non-transport header botocore sent, with its exact name
    # and value, and nothing more.
    modeled = [(k, v) for k, v in sent.headers if k.lower() not in TRANSPORT_HEADERS]
    assert sorted(modeled) == sorted(built.headers.items())
    # Byte by byte in the body.
    assert sent.body == built.body
    assert sent.header("Content-Length") == str(len(built.body))


@pytest.mark.parametrize(("boto_params", "our_args"), PARAMETER_SETS)
def test_request_equals_botocore(
    botocore_sender: Any, boto_params: dict[str, Any], our_args: dict[str, Any]
) -> None:
    built = build_request(**our_args)
    sent = botocore_sender(boto_params)
    assert_same_request(sent, built)


def test_defaults() -> None:
    request = build_request("my-function")
    assert request == Request(
        method="POST",
        path="/2021-11-15/functions/my-function/response-streaming-invocations",
        query={},
        headers={},
        body=b"",
    )
    assert request.target == request.path


def test_path_and_query_percent_encoding() -> None:
    request = build_request(ARN + ":$LATEST", qualifier="$LATEST.PUBLISHED")
    assert request.path == (
        "/2021-11-15/functions/arn%3Aaws%3Alambda%3Aus-west-2%3A123456789012%3Afunction"
        "%3Amy-function%3A%24LATEST/response-streaming-invocations"
    )
    assert request.query == {"Qualifier": "$LATEST.PUBLISHED"}
    assert request.target.endswith("?Qualifier=%24LATEST.PUBLISHED")


def test_client_context_mapping_is_compact_json_base64() -> None:
    request = build_request("f", client_context={"a": "é", "b": [1, 2]})
    encoded = request.headers["X-Amz-Client-Context"]
    assert json.loads(base64.b64decode(encoded)) == {"a": "é", "b": [1, 2]}
    assert b" " not in base64.b64decode(encoded)


INVALID: list[tuple[dict[str, Any], str]] = [
    ({"function_name": ""}, "FunctionName"),
    ({"function_name": "n" * 65}, "FunctionName"),
    (
        {"function_name": "arn:aws:lambda:us-east-1:123456789012:function:" + "x" * 210},
        "FunctionName",
    ),
    ({"function_name": "my function"}, "FunctionName"),
    ({"function_name": "a/b"}, "FunctionName"),
    ({"function_name": "f:"}, "FunctionName"),
    ({"function_name": "f:$LATEST.OTHER"}, "FunctionName"),
    ({"function_name": "arn:aws:s3:::bucket"}, "FunctionName"),
    ({"function_name": "fonction-é"}, "FunctionName"),
    ({"function_name": "f\n"}, "FunctionName"),
    ({"function_name": "f", "qualifier": ""}, "Qualifier"),
    ({"function_name": "f", "qualifier": "q" * 129}, "Qualifier"),
    ({"function_name": "f", "qualifier": "1.0"}, "Qualifier"),
    ({"function_name": "f", "qualifier": "$LATEST.OTHER"}, "Qualifier"),
    ({"function_name": "f", "qualifier": "a b"}, "Qualifier"),
    ({"function_name": "f", "invocation_type": "Event"}, "InvocationType"),
    ({"function_name": "f", "invocation_type": "dryrun"}, "InvocationType"),
    ({"function_name": "f", "invocation_type": ""}, "InvocationType"),
    ({"function_name": "f", "log_type": "tail"}, "LogType"),
    ({"function_name": "f", "log_type": "All"}, "LogType"),
    ({"function_name": "f", "client_context": "not base64!"}, "ClientContext"),
    ({"function_name": "f", "client_context": "QUJD" * 896}, "ClientContext"),
    ({"function_name": "f", "client_context": {"big": "x" * 2700}}, "ClientContext"),
    ({"function_name": "f", "client_context": {"bad": float("nan")}}, "ClientContext"),
    ({"function_name": "f", "client_context": {"bad": object()}}, "ClientContext"),
    ({"function_name": "f", "client_context": "QUJDQ"}, "ClientContext"),
    ({"function_name": "f", "client_context": "QU="}, "ClientContext"),
    ({"function_name": "f", "client_context": "QUJD-_"}, "ClientContext"),
    ({"function_name": "f", "tenant_id": ""}, "TenantId"),
    ({"function_name": "f", "tenant_id": "t" * 257}, "TenantId"),
    ({"function_name": "f", "tenant_id": "a;b"}, "TenantId"),
    ({"function_name": "f", "tenant_id": "tab\there"}, "TenantId"),
]

INVALID_TYPES: list[tuple[dict[str, Any], str]] = [
    ({"function_name": None}, "FunctionName"),
    ({"function_name": b"f"}, "FunctionName"),
    ({"function_name": "f", "payload": 12}, "Payload"),
    ({"function_name": "f", "payload": {"a": 1}}, "Payload"),
    ({"function_name": "f", "qualifier": 1}, "Qualifier"),
    ({"function_name": "f", "invocation_type": b"DryRun"}, "InvocationType"),
    ({"function_name": "f", "log_type": True}, "LogType"),
    ({"function_name": "f", "client_context": b"QUJD"}, "ClientContext"),
    ({"function_name": "f", "client_context": ["x"]}, "ClientContext"),
    ({"function_name": "f", "tenant_id": 7}, "TenantId"),
]


@pytest.mark.parametrize(("args", "parameter"), INVALID)
def test_invalid_parameters_are_refused(args: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InvalidParameterError) as caught:
        build_request(**args)
    assert caught.value.parameter == parameter
    assert isinstance(caught.value, ValueError)
    assert parameter in str(caught.value)


@pytest.mark.parametrize(("args", "parameter"), INVALID_TYPES)
def test_wrong_types_are_refused(args: dict[str, Any], parameter: str) -> None:
    with pytest.raises(InvalidParameterTypeError) as caught:
        build_request(**args)
    assert caught.value.parameter == parameter
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, TypeError)
