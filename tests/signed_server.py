"""A loopback endpoint for signed input streams: checks the request, then every frame.

Thin on purpose: the request's SigV4 signature is recomputed with
``eventstream.signing.sign_request`` from the request as received, and the body's
frames are checked by ``eventstream.signing.EventVerifier`` (the library's own
verification, which an HTTP/2 server can share).  Usage::

    check = SignedStreamCheck(Credentials("AKID", "secret"), "us-east-1", "transcribe")
    with LoopbackServer(check) as server:
        ...  # send a signed stream to server.url
    check.results[0].events  # the inner messages, in order

Answers 200 and a JSON summary, or 403 (signature) / 400 (not an event stream) with
the error; each request's outcome is kept in ``results``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from dataclasses import dataclass, field

import eventstream as es
from eventstream.signing import (
    STREAMING_EVENTS_PAYLOAD,
    CredentialsSource,
    EventVerifier,
    seed_from_authorization,
    sign_request,
)

from .loopback import CannedResponse, RecordedRequest

# What sign_request adds itself; the rest of the signed headers are the request's own.
_ADDED_BY_SIGNING = {"authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"}


class RequestRejected(es.EventStreamError):
    """The request itself (not a frame of its body) is not signed as it should be."""


@dataclass(frozen=True)
class Outcome:
    """One request as the endpoint judged it."""

    status: int
    events: list[es.Message]
    error: es.EventStreamError | None


@dataclass
class SignedStreamCheck:
    """A :class:`LoopbackServer` responder that checks a signed input stream."""

    credentials: CredentialsSource
    region: str
    service: str
    results: list[Outcome] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, request: RecordedRequest) -> CannedResponse:
        try:
            outcome = Outcome(200, self._events(request), None)
        except (es.EventSignatureError, RequestRejected) as exc:
            outcome = Outcome(403, [], exc)
        except es.EventStreamError as exc:
            outcome = Outcome(400, [], exc)
        with self._lock:
            self.results.append(outcome)
        if outcome.error is None:
            body = {"events": len(outcome.events)}
        else:
            body = {"message": str(outcome.error), "frame": getattr(outcome.error, "index", None)}
        return CannedResponse(
            status=outcome.status,
            headers=[("Content-Type", "application/json")],
            pieces=[json.dumps(body).encode()],
        )

    def seed(self, request: RecordedRequest) -> bytes:
        """The request's signature, once recomputing it from what arrived gives the same."""
        authorization = request.header("Authorization") or ""
        try:
            claimed = seed_from_authorization(authorization)
        except es.EventStreamError as exc:
            raise RequestRejected(str(exc)) from None
        if request.header("X-Amz-Content-SHA256") != STREAMING_EVENTS_PAYLOAD:
            raise RequestRejected("the request is not signed for a stream of events")
        signed_names = authorization.split("SignedHeaders=", 1)[-1].split(",", 1)[0].split(";")
        headers = {
            name: value
            for name, value in request.headers
            if name.lower() in signed_names and name.lower() not in _ADDED_BY_SIGNING
        }
        try:
            stamp = dt.datetime.strptime(request.header("X-Amz-Date") or "", "%Y%m%dT%H%M%SZ")
        except ValueError:
            raise RequestRejected("the request has no valid X-Amz-Date") from None
        recomputed = sign_request(
            request.method,
            f"http://{request.header('Host')}{request.target}",
            headers,
            self.credentials,
            self.region,
            self.service,
            signing_time=stamp.replace(tzinfo=dt.timezone.utc),
        )
        if recomputed.seed != claimed:
            raise RequestRejected("the request's own signature does not match")
        return claimed

    def _events(self, request: RecordedRequest) -> list[es.Message]:
        verifier = EventVerifier(self.seed(request), self.credentials, self.region, self.service)
        decoder = es.Decoder()
        events = []
        for message in decoder.feed(request.body):
            if message.payload:
                events.append(verifier.verify(message))
            else:
                verifier.verify_end(message)
        decoder.close()
        verifier.close()
        return events
