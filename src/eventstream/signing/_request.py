"""The HTTP request that carries a signed input stream, and its signature (the seed).

The request is signed with ordinary SigV4, except that its payload hash is the
literal ``STREAMING-AWS4-HMAC-SHA256-EVENTS``: the body is signed event by
event instead, starting from the request's own signature.  A request whose
body is sent whole (``body=``, such as Lambda's ``InvokeWithResponseStream``)
is signed the ordinary way, with the body's SHA-256.  The request signing
itself is botocore's (the ``sigv4`` extra), imported when called.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from .._errors import EncodeError, EventStreamError
from ._sigv4 import (
    STREAMING_EVENTS_PAYLOAD,
    CredentialsSource,
    amz_date,
    check_bytes,
    check_credentials_source,
    check_scope_part,
    resolve_credentials,
    utc_instant,
)

_SIGNATURE = re.compile(r"(?:^|[\s,])Signature=([0-9a-fA-F]{64})(?:$|[\s,])")


class SignedRequest(NamedTuple):
    """The headers to send (the given ones plus SigV4's) and the seed of the event chain."""

    headers: dict[str, str]
    #: The request's raw signature: the prior of the first event.
    seed: bytes


def _botocore() -> tuple[Any, Any, Any]:
    """botocore's ``auth``, ``awsrequest`` and ``credentials`` modules (untyped)."""
    try:
        return (
            importlib.import_module("botocore.auth"),
            importlib.import_module("botocore.awsrequest"),
            importlib.import_module("botocore.credentials"),
        )
    except ImportError as exc:
        raise ImportError(
            "eventstream.signing.sign_request signs with botocore's SigV4: "
            "pip install 'eventstream-codec[sigv4]'"
        ) from exc


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    credentials: CredentialsSource,
    region: str,
    service: str,
    *,
    signing_time: _dt.datetime | None = None,
    body: bytes | None = None,
) -> SignedRequest:
    """Sign the request that opens a signed input stream; return its headers and seed.

    ``headers`` are the request's own (``Content-Type``, ``x-amz-target``, ...);
    ``X-Amz-Date``, ``X-Amz-Content-SHA256``, ``X-Amz-Security-Token`` (with a
    session token) and ``Authorization`` are added.  ``signing_time`` (aware;
    default now) is the ``X-Amz-Date``.  Hand ``seed`` to :class:`EventSigner`.

    With ``body`` (bytes) the request is an ordinary one whose body is sent whole:
    the signature covers the body's SHA-256 and no ``X-Amz-Content-SHA256`` is
    added (botocore's ``SigV4Auth.add_auth`` does the same).

    Needs botocore (``pip install 'eventstream-codec[sigv4]'``).
    """
    auth, awsrequest, botocore_credentials = _botocore()
    keys = resolve_credentials(check_credentials_source(credentials))
    region = check_scope_part("region", region)
    service = check_scope_part("service", service)
    if signing_time is None:
        signing_time = _dt.datetime.now(_dt.timezone.utc)
    stamp = amz_date(utc_instant(signing_time, "signing_time"))
    if not isinstance(headers, Mapping):
        raise EncodeError(f"headers must be a mapping, not {type(headers).__name__}")
    data = None if body is None else check_bytes("body", body)
    request = awsrequest.AWSRequest(method=method, url=url, headers=dict(headers), data=data)
    for name in ("Authorization", "X-Amz-Date", "Date", "X-Amz-Security-Token"):
        del request.headers[name]  # botocore's HTTPHeaders: no error when absent
    if body is None:
        request.headers["X-Amz-Content-SHA256"] = STREAMING_EVENTS_PAYLOAD
    request.headers["X-Amz-Date"] = stamp
    if keys.session_token is not None:
        request.headers["X-Amz-Security-Token"] = keys.session_token
    # botocore's SigV4Auth.add_auth, step by step, with our time instead of
    # the system clock's (the same public methods, in the same order).
    request.context["timestamp"] = stamp
    signer = auth.SigV4Auth(
        botocore_credentials.Credentials(keys.access_key, keys.secret_key, keys.session_token),
        service,
        region,
    )
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    signed_headers = signer.signed_headers(signer.headers_to_sign(request))
    request.headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={signer.scope(request)}, "
        f"SignedHeaders={signed_headers}, Signature={signature}"
    )
    return SignedRequest(dict(request.headers.items()), bytes.fromhex(signature))


def seed_from_authorization(authorization: str) -> bytes:
    """The raw signature in a SigV4 ``Authorization`` header value: a server's seed.

    Raises :class:`EventStreamError` unless there is exactly one ``Signature=``
    of 64 hex digits (the header comes from a peer).
    """
    if not isinstance(authorization, str):
        raise EventStreamError(f"authorization must be a str, not {type(authorization).__name__}")
    found = _SIGNATURE.findall(authorization)
    if len(found) != 1:
        raise EventStreamError(
            "the Authorization header needs exactly one Signature= of 64 hex digits, "
            f"found {len(found)}"
        )
    return bytes.fromhex(found[0])
