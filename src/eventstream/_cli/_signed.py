"""Signed envelopes as ``inspect`` shows them: the signature, then the inner message.

A message is shown as a signed envelope when its headers are exactly a
``:date`` timestamp and a 32-byte ``:chunk-signature`` (what
:mod:`eventstream.signing` writes); its payload is then the inner message,
whose fields are listed like any message's, at their stream offsets.
"""

from __future__ import annotations

from typing import NamedTuple

from .. import EventStreamError, Timestamp, decode
from .._format import PRELUDE_LENGTH
from ..signing._envelope import DATE_HEADER, SIGNATURE_HEADER, SIGNATURE_SIZE
from ..signing._sigv4 import amz_date
from ._errors import StreamProblem
from ._frames import GoodMessage
from ._layout import Field, message_fields


class Envelope(NamedTuple):
    """A signed envelope: its ``:date``, its signature, and where its payload is."""

    date: Timestamp
    signature: bytes
    payload_offset: int
    payload: bytes


def signed_envelope(item: GoodMessage) -> Envelope | None:
    """The envelope a message is, or ``None`` when it is not one."""
    headers = item.frame.message.headers
    date = headers.get(DATE_HEADER)
    signature = headers.get(SIGNATURE_HEADER)
    if (
        len(headers) != 2
        or not isinstance(date, Timestamp)
        or not isinstance(signature, bytes)
        or len(signature) != SIGNATURE_SIZE
    ):
        return None
    frame = item.frame
    return Envelope(
        date,
        signature,
        frame.offset + PRELUDE_LENGTH + frame.headers_length,
        frame.message.payload,
    )


def signing_time(date: Timestamp) -> str:
    """The ``:date`` as SigV4 writes it, or the raw milliseconds when it cannot."""
    try:
        return amz_date(date.to_datetime())
    except OverflowError:
        return f"{date.millis} ms (outside the years 1..9999)"


def inner_message(envelope: Envelope) -> tuple[str, list[Field]]:
    """A heading for the envelope and its inner message, and the inner message's fields."""
    head = (
        f"signed {'end frame' if not envelope.payload else 'envelope'}: "
        f":date {signing_time(envelope.date)}, :chunk-signature {envelope.signature.hex()}"
    )
    if not envelope.payload:
        return head + "; empty payload: the end of the signed stream", []
    problem = None
    try:
        decode(envelope.payload)
    except EventStreamError as exc:
        problem = StreamProblem(exc, envelope.payload_offset)
    fields = message_fields(envelope.payload, envelope.payload_offset, problem)
    size = len(envelope.payload)
    verdict = "" if problem is None else f"; it does not decode: {problem}"
    return (
        f"{head}\n  inner message at offset {envelope.payload_offset}: {size} bytes{verdict}",
        fields,
    )
