"""sign_request: the request's SigV4 signature is the seed of the event chain."""

from __future__ import annotations

import datetime as dt
import json
import sys

import botocore.auth
import botocore.credentials
import pytest
from botocore.awsrequest import AWSRequest

import eventstream as es
from eventstream.signing import (
    STREAMING_EVENTS_PAYLOAD,
    Credentials,
    seed_from_authorization,
    sign_request,
)

from ..conftest import VECTORS

C_AUTH = json.loads((VECTORS / "signing" / "aws-c-auth-event-chain.json").read_text())
UTC = dt.timezone.utc


def test_seed_of_the_c_auth_request() -> None:
    request = C_AUTH["request"]
    given = {
        name: value
        for name, value in request["headers"].items()
        if name not in ("x-amz-date", "x-amz-content-sha256")  # what sign_request adds
    }
    signed = sign_request(
        request["method"],
        "https://" + request["headers"]["host"] + request["path"],
        given,
        Credentials(C_AUTH["credentials"]["access_key"], C_AUTH["credentials"]["secret_key"]),
        C_AUTH["region"],
        C_AUTH["service"],
        signing_time=dt.datetime(1981, 1, 16, 6, 30, tzinfo=UTC),
    )
    assert signed.seed.hex() == request["seed_signature_hex"]
    # The whole header, as aws-c-auth's event-signing test (sigv4_event_signing_test) expects it.
    assert signed.headers["Authorization"] == (
        "AWS4-HMAC-SHA256 Credential=access/19810116/us-east-1/demo/aws4_request, "
        "SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date, "
        "Signature=e1d8e8c8815e60969f2a34765c9a15945ffc0badbaa4b7e3b163ea19131e949b"
    )
    assert signed.headers["X-Amz-Date"] == request["headers"]["x-amz-date"]
    assert signed.headers["X-Amz-Content-SHA256"] == STREAMING_EVENTS_PAYLOAD
    assert seed_from_authorization(signed.headers["Authorization"]) == signed.seed


CASES = [
    # (url, headers, session token)
    ("https://demo.us-east-1.amazonaws.com/streaming", {"Content-Type": "x/y"}, None),
    (
        "https://transcribestreaming.eu-west-1.amazonaws.com/stream-transcription?b=2&a=1",
        {"x-amzn-transcribe-language-code": "en-US", "User-Agent": "not signed"},
        "token/with+odd=chars",
    ),
    ("http://127.0.0.1:8080/a/./b/../c%20d", {"Host": "127.0.0.1:8080"}, "t"),
]


@pytest.mark.parametrize(("url", "headers", "token"), CASES)
def test_seed_equals_botocores(
    monkeypatch: pytest.MonkeyPatch, url: str, headers: dict[str, str], token: str | None
) -> None:
    now = dt.datetime(2026, 11, 30, 23, 59, 59, 999_000, tzinfo=UTC)
    monkeypatch.setattr(
        botocore.auth, "get_current_datetime", lambda remove_tzinfo=True: now.replace(tzinfo=None)
    )
    reference = AWSRequest(
        method="POST",
        url=url,
        headers={**headers, "X-Amz-Content-SHA256": STREAMING_EVENTS_PAYLOAD},
    )
    botocore.auth.SigV4Auth(
        botocore.credentials.Credentials("AKIDEXAMPLE", "secret/key", token), "svc", "eu-west-1"
    ).add_auth(reference)

    signed = sign_request(
        "POST",
        url,
        headers,
        Credentials("AKIDEXAMPLE", "secret/key", token),
        "eu-west-1",
        "svc",
        signing_time=now,
    )
    assert signed.headers == dict(reference.headers.items())
    assert signed.seed == seed_from_authorization(reference.headers["Authorization"])
    assert len(signed.seed) == 32


@pytest.mark.parametrize("body", [b"", b'{"question": 42}', bytes(range(256)) * 9])
@pytest.mark.parametrize(("url", "headers", "token"), CASES)
def test_whole_body_request_equals_botocores_add_auth(
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    headers: dict[str, str],
    token: str | None,
    body: bytes,
) -> None:
    now = dt.datetime(2026, 11, 30, 23, 59, 59, 999_000, tzinfo=UTC)
    monkeypatch.setattr(
        botocore.auth, "get_current_datetime", lambda remove_tzinfo=True: now.replace(tzinfo=None)
    )
    reference = AWSRequest(method="POST", url=url, headers=dict(headers), data=body)
    botocore.auth.SigV4Auth(
        botocore.credentials.Credentials("AKIDEXAMPLE", "secret/key", token), "lambda", "eu-west-1"
    ).add_auth(reference)

    signed = sign_request(
        "POST",
        url,
        headers,
        Credentials("AKIDEXAMPLE", "secret/key", token),
        "eu-west-1",
        "lambda",
        signing_time=now,
        body=body,
    )
    assert "X-Amz-Content-SHA256" not in signed.headers
    assert signed.headers == dict(reference.headers.items())
    assert signed.seed == seed_from_authorization(reference.headers["Authorization"])


def test_body_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(es.EncodeError, match="body must be bytes-like"):
        sign_request(
            "POST",
            "https://h/p",
            {},
            Credentials("a", "b"),
            "r",
            "s",
            body="text",  # type: ignore[arg-type]
        )


def test_old_signing_headers_are_replaced() -> None:
    signed = sign_request(
        "POST",
        "https://h/p",
        {"Authorization": "stale", "X-Amz-Date": "19700101T000000Z", "X-Amz-Security-Token": "x"},
        Credentials("a", "b"),
        "r",
        "s",
        signing_time=dt.datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    assert signed.headers["X-Amz-Date"] == "20200102T030405Z"
    assert "X-Amz-Security-Token" not in signed.headers
    assert signed.headers["Authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=a/20200102/r/s/"
    )


def test_credentials_function_and_default_time() -> None:
    before = dt.datetime.now(UTC).replace(microsecond=0)
    signed = sign_request(
        "POST", "https://h/p", {}, lambda: Credentials("a", "b", "tok"), "r", "s"
    )
    after = dt.datetime.now(UTC)
    stamp = dt.datetime.strptime(signed.headers["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
    assert before <= stamp.replace(tzinfo=UTC) <= after
    assert signed.headers["X-Amz-Security-Token"] == "tok"


def test_naive_signing_time_is_refused() -> None:
    with pytest.raises(es.EncodeError, match="aware datetime"):
        sign_request(
            "POST",
            "https://h/p",
            {},
            Credentials("a", "b"),
            "r",
            "s",
            signing_time=dt.datetime(2020, 1, 1),
        )


def test_without_botocore_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "botocore.auth", None)
    with pytest.raises(ImportError, match=r"pip install 'eventstream-codec\[sigv4\]'"):
        sign_request("POST", "https://h/p", {}, Credentials("a", "b"), "r", "s")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host",
        "Signature=" + "ab" * 31,  # 62 digits
        "Signature=" + "zz" * 32,
        "Signature=" + "ab" * 33,  # 66 digits
        "Signature=" + "ab" * 32 + ", Signature=" + "cd" * 32,
    ],
)
def test_seed_from_a_bad_authorization_header(value: str) -> None:
    with pytest.raises(es.EventStreamError, match="Signature="):
        seed_from_authorization(value)
