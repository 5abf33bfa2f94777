"""SigV4 for event streams: credentials, the derived key, one event's signature.

Facts, from the reference SDKs (aws-c-auth ``source/aws_signing.c``, smithy-rs
``aws-sigv4/src/event_stream.rs``, aws-sdk-go-v2 ``aws/signer/v4/stream.go``):
the string to sign for one event is::

    AWS4-HMAC-SHA256-PAYLOAD
    <YYYYMMDDTHHMMSSZ>
    <YYYYMMDD>/<region>/<service>/aws4_request
    <hex of the prior signature>
    <hex of sha256(the hashed header block: the encoded :date header alone)>
    <hex of sha256(the payload: the encoded inner message)>

and the signature is its HMAC-SHA256 under the usual SigV4 derived key.  The
prior of the first event is the HTTP request's signature (the seed).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Callable, Union

from .._errors import EncodeError
from .._message import BytesLike

#: The ``x-amz-content-sha256`` value of a request whose body is signed event by event.
STREAMING_EVENTS_PAYLOAD = "STREAMING-AWS4-HMAC-SHA256-EVENTS"
_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD"
_UTC = _dt.timezone.utc


@dataclass(frozen=True)
class Credentials:
    """An AWS access key pair, with the session token of temporary credentials.

    The secret and the token are left out of ``repr`` so they do not end up in logs.
    """

    access_key: str
    secret_key: str = field(repr=False)
    session_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name in ("access_key", "secret_key"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise EncodeError(f"Credentials.{name} must be a non-empty str, got {value!r}")
        token = self.session_token
        if token is not None and (not isinstance(token, str) or not token):
            raise EncodeError("Credentials.session_token must be a non-empty str or None")


#: Credentials, or a function returning the current ones (called once per
#: event, so credentials that roll over mid-stream are picked up).
CredentialsSource = Union[Credentials, Callable[[], Credentials]]


def resolve_credentials(source: CredentialsSource) -> Credentials:
    """The credentials to sign with now."""
    credentials = source if isinstance(source, Credentials) else source()
    if not isinstance(credentials, Credentials):
        raise EncodeError(
            f"the credentials function returned {type(credentials).__name__}, not Credentials"
        )
    return credentials


def check_credentials_source(source: object) -> CredentialsSource:
    """``source`` if it is Credentials or a callable, else a clear error."""
    if not isinstance(source, Credentials) and not callable(source):
        raise EncodeError(
            "credentials must be Credentials or a function returning Credentials, "
            f"not {type(source).__name__}"
        )
    return source


def check_scope_part(name: str, value: object) -> str:
    """A region or service name: non-empty, and free of the scope's separators."""
    if not isinstance(value, str) or not value or "/" in value or "\n" in value:
        raise EncodeError(f"{name} must be a non-empty str without '/' or newlines, got {value!r}")
    return value


def check_bytes(name: str, value: object) -> bytes:
    """A bytes-like argument as bytes."""
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise EncodeError(f"{name} must be bytes-like, not {type(value).__name__}")
    return bytes(value)


def utc_instant(value: object, what: str) -> _dt.datetime:
    """An aware datetime as UTC; a naive one has no known instant and is refused."""
    if not isinstance(value, _dt.datetime):
        raise EncodeError(f"{what} must be an aware datetime, not {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise EncodeError(
            f"{what} must be an aware datetime (tzinfo set), got the naive {value!r}: "
            "its instant is unknown"
        )
    return value.astimezone(_UTC)


def amz_date(instant: _dt.datetime) -> str:
    """``YYYYMMDDTHHMMSSZ`` of a UTC datetime (sub-seconds are dropped, as SigV4 does).

    Formatted by hand: ``strftime("%Y")`` does not pad years below 1000 on every platform.
    """
    return (
        f"{instant.year:04d}{instant.month:02d}{instant.day:02d}T"
        f"{instant.hour:02d}{instant.minute:02d}{instant.second:02d}Z"
    )


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


class SigningKeys:
    """The SigV4 derived key, kept for the last day, secret, region and service.

    Deriving it costs four HMACs; a stream signs every event with the same key
    until the UTC day or the credentials change.
    """

    __slots__ = ("_key", "_key_for")

    def __init__(self) -> None:
        self._key_for: tuple[str, str, str, str] | None = None
        self._key = b""

    def get(self, secret_key: str, day: str, region: str, service: str) -> bytes:
        """The derived key for ``day`` (``YYYYMMDD``)."""
        wanted = (secret_key, day, region, service)
        if wanted != self._key_for:
            key = _hmac(("AWS4" + secret_key).encode("utf-8"), day.encode("ascii"))
            for part in (region, service, "aws4_request"):
                key = _hmac(key, part.encode("utf-8"))
            self._key, self._key_for = key, wanted
        return self._key


def chain_signature(
    key: bytes, prior: bytes, header_block: bytes, payload: bytes, stamp: str, scope: str
) -> bytes:
    """One event's signature from the derived key and the string-to-sign's parts."""
    string_to_sign = "\n".join(
        (
            _ALGORITHM,
            stamp,
            scope,
            prior.hex(),
            hashlib.sha256(header_block).hexdigest(),
            hashlib.sha256(payload).hexdigest(),
        )
    )
    return _hmac(key, string_to_sign.encode("utf-8"))


def credential_scope(day: str, region: str, service: str) -> str:
    """``YYYYMMDD/region/service/aws4_request``."""
    return f"{day}/{region}/{service}/aws4_request"


def event_signature(
    prior: BytesLike,
    header_block: BytesLike,
    payload: BytesLike,
    signing_time: _dt.datetime,
    credentials: Credentials,
    region: str,
    service: str,
) -> bytes:
    """The raw 32-byte signature of one event of a signed stream.

    ``prior`` is the previous event's raw signature, or for the first event the
    request's (the seed: ``bytes.fromhex`` of the hex in its ``Authorization``
    header).  ``header_block`` is the encoded header block that is hashed (for
    an envelope, the encoded ``:date`` header alone), ``payload`` the encoded
    inner message (empty for the end frame).  ``signing_time`` must be aware;
    the string to sign has whole seconds, so sub-seconds do not count.
    """
    if not isinstance(credentials, Credentials):
        raise EncodeError(f"credentials must be Credentials, not {type(credentials).__name__}")
    instant = utc_instant(signing_time, "signing_time")
    region = check_scope_part("region", region)
    service = check_scope_part("service", service)
    stamp = amz_date(instant)
    key = SigningKeys().get(credentials.secret_key, stamp[:8], region, service)
    return chain_signature(
        key,
        check_bytes("prior", prior),
        check_bytes("header_block", header_block),
        check_bytes("payload", payload),
        stamp,
        credential_scope(stamp[:8], region, service),
    )
