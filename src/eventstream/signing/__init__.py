"""Signing input streams: SigV4 event signing, signed envelopes, the end frame.

Sans-IO and standard library only (except :func:`sign_request`, which signs
the HTTP request with botocore).  A sender signs the request, then wraps each
event with :class:`EventSigner` and ends with its empty frame; a receiver
checks the same frames with :class:`EventVerifier`.

Facts from the reference SDKs: aws-c-auth ``source/aws_signing.c``, smithy-rs
``aws-sigv4/src/event_stream.rs``, aws-sdk-go-v2 ``aws/signer/v4/stream.go``.
"""

from .._errors import EventSignatureError
from ._envelope import DATE_HEADER, SIGNATURE_HEADER, EventSigner, EventVerifier
from ._request import SignedRequest, seed_from_authorization, sign_request
from ._sigv4 import STREAMING_EVENTS_PAYLOAD, Credentials, CredentialsSource, event_signature

__all__ = [
    "DATE_HEADER",
    "SIGNATURE_HEADER",
    "STREAMING_EVENTS_PAYLOAD",
    "Credentials",
    "CredentialsSource",
    "EventSignatureError",
    "EventSigner",
    "EventVerifier",
    "SignedRequest",
    "event_signature",
    "seed_from_authorization",
    "sign_request",
]
