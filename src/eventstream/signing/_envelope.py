"""Signed envelopes: wrapping events for sending, and checking them on receipt.

Each event of a signed input stream travels as the payload of an outer
message (the envelope) with exactly two headers: ``:date`` (timestamp) and
``:chunk-signature`` (byte_array, 32 bytes).  Only the ``:date`` header is
hashed into the signature; the stream ends with a signed envelope whose
payload is empty (the end frame), after which nothing may be sent.

``:date`` carries whole seconds: the string to sign has whole seconds, and a
``:date`` with milliseconds would hash an instant the string to sign does not
name.  Events are signed when they are handed to :meth:`EventSigner.sign`,
never ahead of time, so a long stream's dates stay current.
"""

from __future__ import annotations

import collections
import datetime as _dt
import hmac
from collections.abc import Iterable, Iterator
from typing import Callable, Union

from .._errors import EncodeError, EventSignatureError, EventStreamError
from .._format import MIN_MESSAGE_LENGTH, PRELUDE_LENGTH, decode, encode
from .._headers import Headers, encode_headers
from .._message import BytesLike, Message
from .._values import Timestamp
from ._sigv4 import (
    CredentialsSource,
    SigningKeys,
    amz_date,
    chain_signature,
    check_credentials_source,
    check_scope_part,
    credential_scope,
    resolve_credentials,
    utc_instant,
)

DATE_HEADER = ":date"
SIGNATURE_HEADER = ":chunk-signature"
SIGNATURE_SIZE = 32
_ENVELOPE_HEADERS = (DATE_HEADER, SIGNATURE_HEADER)
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
# How many recent signatures the verifier remembers to recognise a repeated frame.
_RECENT_SIGNATURES = 16

Event = Union[Message, BytesLike]


def _system_clock() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _check_seed(seed: object) -> bytes:
    if isinstance(seed, str):
        raise EncodeError(
            "seed must be bytes: the raw signature of the request "
            "(bytes.fromhex of the hex in its Authorization header), not a str"
        )
    if not isinstance(seed, (bytes, bytearray, memoryview)) or not len(seed):
        raise EncodeError(f"seed must be non-empty bytes, got {seed!r}")
    return bytes(seed)


def date_header_block(date: Timestamp) -> bytes:
    """The header block hashed into an event's signature: the ``:date`` header alone."""
    # A list, not a dict: a dict would go through the shared-headers cache,
    # which a new date every second would only churn.
    return encode_headers(Headers([(DATE_HEADER, date)]))


class _Chain:
    """What signer and verifier share: the prior signature and the signing scope."""

    def __init__(
        self, seed: object, credentials: CredentialsSource, region: str, service: str
    ) -> None:
        self._prior = _check_seed(seed)
        self._credentials = check_credentials_source(credentials)
        self._region = check_scope_part("region", region)
        self._service = check_scope_part("service", service)
        self._keys = SigningKeys()
        self._ended = False

    @property
    def signature(self) -> bytes:
        """The latest signature of the chain (the seed before the first frame)."""
        return self._prior

    @property
    def ended(self) -> bool:
        """Whether the end frame has been signed or verified."""
        return self._ended

    def _signature(self, instant: _dt.datetime, header_block: bytes, payload: bytes) -> bytes:
        """The chain's next signature for a frame signed at ``instant`` (UTC)."""
        credentials = resolve_credentials(self._credentials)
        stamp = amz_date(instant)
        day = stamp[:8]
        key = self._keys.get(credentials.secret_key, day, self._region, self._service)
        scope = credential_scope(day, self._region, self._service)
        return chain_signature(key, self._prior, header_block, payload, stamp, scope)


class EventSigner(_Chain):
    """Wraps each event of an input stream in a signed envelope, in order.

    ``seed`` is the raw signature of the HTTP request that carries the stream.
    ``credentials`` is :class:`Credentials` or a function returning them,
    called for every frame so that rolled-over credentials are used.
    ``clock`` returns the current time as an aware datetime (default: the
    system clock); sub-seconds are dropped, and a naive datetime is refused.

    Sans-IO: :meth:`sign` returns the envelope, ``encode()`` it and send it.
    Finish with :meth:`sign_end`; a service rejects a stream that stops
    without it.  :meth:`body` does both for an iterable of events.
    """

    def __init__(
        self,
        seed: BytesLike,
        credentials: CredentialsSource,
        region: str,
        service: str,
        *,
        clock: Callable[[], _dt.datetime] | None = None,
    ) -> None:
        super().__init__(seed, credentials, region, service)
        if clock is not None and not callable(clock):
            raise EncodeError(f"clock must be a function returning a datetime, not {clock!r}")
        self._clock = _system_clock if clock is None else clock

    def sign(self, event: Event) -> Message:
        """The signed envelope of one event: a :class:`Message`, or the encoded
        bytes of one message (signed as given, not decoded again)."""
        if self._ended:
            raise EncodeError("sign() after sign_end(): nothing may follow the end frame")
        if isinstance(event, Message):
            payload = encode(event)
        elif isinstance(event, (bytes, bytearray, memoryview)):
            payload = bytes(event)
            if not payload:
                raise EncodeError("an event cannot be empty: the empty frame is sign_end()'s")
        else:
            raise EncodeError(
                f"sign() takes a Message or its encoded bytes, not {type(event).__name__}"
            )
        return self._envelope(payload)

    def sign_end(self) -> Message:
        """The signed end frame (empty payload); after it, :meth:`sign` raises."""
        if self._ended:
            raise EncodeError("sign_end() was already called: the stream has ended")
        envelope = self._envelope(b"")
        self._ended = True
        return envelope

    def body(self, events: Iterable[Event]) -> Iterator[bytes]:
        """The request body: each event's envelope, encoded, then the end frame.

        Lazy: an event is signed when the next piece is asked for, so an HTTP
        client that streams an iterable body sends each frame as it is signed.
        """
        for event in events:
            yield encode(self.sign(event))
        yield encode(self.sign_end())

    def _envelope(self, payload: bytes) -> Message:
        instant = utc_instant(self._clock(), "the clock's time").replace(microsecond=0)
        date = Timestamp.from_datetime(instant)
        signature = self._signature(instant, date_header_block(date), payload)
        self._prior = signature
        return Message(Headers([(DATE_HEADER, date), (SIGNATURE_HEADER, signature)]), payload)


class EventVerifier(_Chain):
    """Checks the envelopes of a signed input stream, in order: what a server
    or a capture reader does with the frames of a request body.

    :meth:`verify` checks one event's envelope and returns the inner message;
    :meth:`verify_end` checks the end frame; :meth:`close` (when the body has
    ended) raises if no end frame was verified.  Every failure is an
    :class:`EventSignatureError` naming the frame's index and what differs,
    and leaves the verifier as it was.  Offsets count from the first byte of
    the first frame, so they are body offsets when frames are given in body
    order.  Whether each ``:date`` is recent enough is the caller's policy.
    """

    def __init__(
        self, seed: BytesLike, credentials: CredentialsSource, region: str, service: str
    ) -> None:
        super().__init__(seed, credentials, region, service)
        self._index = 0
        self._offset = 0
        self._recent: collections.deque[bytes] = collections.deque(maxlen=_RECENT_SIGNATURES)

    @property
    def frames(self) -> int:
        """How many frames have been verified (the index of the next one)."""
        return self._index

    @property
    def offset(self) -> int:
        """The offset of the next frame (the bytes of the verified frames)."""
        return self._offset

    def verify(self, outer: Event) -> Message:
        """Check an event's envelope (a :class:`Message` or the bytes of one);
        return the inner message, decoded."""
        message, headers_length = self._check(outer, end=False)
        payload_offset = self._offset + PRELUDE_LENGTH + headers_length
        try:
            inner = decode(message.payload)
        except EventStreamError as exc:
            raise self._error(
                f"the signature holds, but the inner message (payload at byte offset "
                f"{payload_offset}) does not decode: {exc}",
                payload_offset + (exc.offset or 0),
            ) from exc
        self._advance(message, headers_length)
        return inner

    def verify_payload(self, outer: Event) -> bytes:
        """Check an event's envelope like :meth:`verify`; return the payload
        undecoded (for a relay that forwards the inner bytes as they are)."""
        message, headers_length = self._check(outer, end=False)
        self._advance(message, headers_length)
        return message.payload

    def verify_end(self, outer: Event) -> None:
        """Check the end frame: signed, empty payload.  Nothing may follow it."""
        message, headers_length = self._check(outer, end=True)
        self._advance(message, headers_length)
        self._ended = True

    def close(self) -> None:
        """Say the stream has ended: raises if the end frame was not verified."""
        if not self._ended:
            raise self._error("the stream ended without the signed empty end frame")

    def _error(
        self, reason: str, offset: int | None = None, **signatures: bytes
    ) -> EventSignatureError:
        return EventSignatureError(
            self._index,
            reason,
            self._offset if offset is None else offset,
            frame_offset=self._offset,
            **signatures,
        )

    def _advance(self, message: Message, headers_length: int) -> None:
        signature = message.headers[SIGNATURE_HEADER]
        assert isinstance(signature, bytes)
        self._recent.append(signature)
        self._prior = signature
        self._index += 1
        self._offset += MIN_MESSAGE_LENGTH + headers_length + len(message.payload)

    def _check(self, outer: Event, end: bool) -> tuple[Message, int]:
        """The envelope and its header block length, once its signature holds."""
        if self._ended:
            raise self._error(
                f"the end frame (frame {self._index - 1}) already ended the stream; "
                "nothing may follow it"
            )
        if isinstance(outer, Message):
            message = outer
            try:
                headers_length = len(encode_headers(message.headers))
            except EventStreamError as exc:
                raise self._error(f"the envelope cannot be encoded: {exc}") from exc
        elif isinstance(outer, (bytes, bytearray, memoryview)):
            try:
                message = decode(outer)
            except EventStreamError as exc:
                where = None if exc.offset is None else self._offset + exc.offset
                raise self._error(
                    f"the envelope is not an event-stream message: {exc}", where
                ) from exc
            size = outer.nbytes if isinstance(outer, memoryview) else len(outer)
            headers_length = size - MIN_MESSAGE_LENGTH - len(message.payload)
        else:
            raise TypeError(f"expected a Message or its bytes, not {type(outer).__name__}")
        date, actual = self._envelope_headers(message.headers)
        payload = message.payload
        if end and payload:
            raise self._error(
                f"the end frame must have an empty payload, this one has {len(payload)} bytes"
            )
        if not end and not payload:
            raise self._error("the payload is empty: this is the end frame (use verify_end())")
        seconds, _ = divmod(date.millis, 1000)
        try:
            instant = _EPOCH + _dt.timedelta(seconds=seconds)
        except OverflowError:
            raise self._error(
                f"':date' {date.millis} ms is outside the years 1..9999 SigV4 can name"
            ) from None
        expected = self._signature(instant, date_header_block(date), payload)
        if not hmac.compare_digest(expected, actual):
            raise self._error(
                self._mismatch(actual, expected, instant), expected=expected, actual=actual
            )
        return message, headers_length

    def _envelope_headers(self, headers: Headers) -> tuple[Timestamp, bytes]:
        for name in headers:
            if name not in _ENVELOPE_HEADERS:
                raise self._error(
                    f"unexpected envelope header {name!r}: only ':date' and "
                    "':chunk-signature' may be there (no other header is signed)"
                )
        date = headers.get(DATE_HEADER)
        signature = headers.get(SIGNATURE_HEADER)
        if date is None:
            raise self._error("the envelope has no ':date' header")
        if not isinstance(date, Timestamp):
            raise self._error(
                f"':date' is a {headers.wire_type(DATE_HEADER).name.lower()} header, "
                "expected timestamp"
            )
        if signature is None:
            raise self._error("the envelope has no ':chunk-signature' header")
        if not isinstance(signature, bytes):
            raise self._error(
                f"':chunk-signature' is a {headers.wire_type(SIGNATURE_HEADER).name.lower()} "
                "header, expected byte_array"
            )
        if len(signature) != SIGNATURE_SIZE:
            raise self._error(
                f"':chunk-signature' has {len(signature)} bytes, expected {SIGNATURE_SIZE}"
            )
        return date, signature

    def _mismatch(self, actual: bytes, expected: bytes, instant: _dt.datetime) -> str:
        reason = (
            f"':chunk-signature' differs: the frame carries {actual.hex()}, the chain gives "
            f"{expected.hex()} for :date {amz_date(instant)}"
        )
        recent = list(self._recent)
        if actual in recent:
            repeated = self._index - len(recent) + recent.index(actual)
            return f"{reason}; the frame repeats frame {repeated}"
        return (
            f"{reason}; the payload, the :date, the order of frames or the signing key "
            "differs from what was signed"
        )
