"""Shared helpers for the Lambda tests that compare against botocore/boto3 (test peers)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

import pytest

boto3 = pytest.importorskip("boto3", reason="boto3 is a test peer: pip install -e '.[test]'")
botocore = pytest.importorskip("botocore")

from botocore.config import Config  # noqa: E402
from botocore.loaders import Loader  # noqa: E402

#: Headers botocore and its HTTP stack add around the serialized request: the transport
#: (Host, Accept-Encoding, Content-Length), signing (SigV4) and SDK metadata. Everything
#: else it sends must come from the serializer, and so must equal build_request's.
TRANSPORT_HEADERS = frozenset(
    {
        "host",
        "accept-encoding",
        "content-length",
        "user-agent",
        "x-amz-date",
        "authorization",
        "x-amz-security-token",
        "amz-sdk-invocation-id",
        "amz-sdk-request",
        "x-amzn-trace-id",
    }
)

BOTOCORE_VERSION = tuple(int(p) for p in botocore.__version__.split(".")[:3])


@contextlib.contextmanager
def isolated_aws_env() -> Iterator[None]:
    """Keep the developer's AWS config, credentials and Lambda env vars out of the test."""
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.startswith("AWS_") or name == "_X_AMZN_TRACE_ID":
                mp.delenv(name)
        mp.setenv("AWS_CONFIG_FILE", os.devnull)
        mp.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
        mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
        yield


def lambda_client(endpoint_url: str, **config: Any) -> Any:
    """A boto3 Lambda client for the loopback server: dummy credentials, no retries."""
    session = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        region_name="us-east-1",
    )
    settings: dict[str, Any] = {"retries": {"total_max_attempts": 1}, "read_timeout": 10}
    settings.update(config)
    return session.client("lambda", endpoint_url=endpoint_url, config=Config(**settings))


def installed_lambda_model() -> dict[str, Any]:
    """The Lambda service model shipped with the installed botocore."""
    model: dict[str, Any] = Loader().load_service_model("lambda", "service-2")
    return model
