"""``eventstream verify``: check the signature chain of a captured signed input stream.

The capture is a request body: signed envelopes, the last one empty (the end
frame).  Every frame is checked by :class:`eventstream.signing.EventVerifier`
from the request's signature (``--seed``) with the secret key; the first frame
that fails is reported with its index, offset and what differs, and the exit
status is 1.  A stream that stops without the end frame fails too.

The secret key comes from ``--secret-key`` or ``AWS_SECRET_ACCESS_KEY`` (the
environment keeps it out of the process list).  Event signatures do not
involve the access key id, so it is optional.
"""

from __future__ import annotations

import argparse
import os
import sys

from .. import EventStreamError, Timestamp
from ..signing import DATE_HEADER, Credentials, EventSignatureError, EventVerifier
from ._errors import EXIT_OK, EXIT_USAGE, CliError
from ._frames import BadStretch
from ._run import StreamRun
from ._signed import signing_time

#: Stands in for a missing access key id: event signatures do not use it.
_NO_ACCESS_KEY = "(not given)"


def _seed(text: str) -> bytes:
    try:
        seed = bytes.fromhex(text)
    except ValueError:
        raise CliError(f"--seed must be hex digits, got {text!r}", EXIT_USAGE) from None
    if not seed:
        raise CliError("--seed is empty", EXIT_USAGE)
    return seed


def _credentials(args: argparse.Namespace) -> Credentials:
    secret = args.secret_key or os.environ.get("AWS_SECRET_ACCESS_KEY")
    if not secret:
        raise CliError("no secret key: give --secret-key or set AWS_SECRET_ACCESS_KEY")
    access = args.access_key or os.environ.get("AWS_ACCESS_KEY_ID") or _NO_ACCESS_KEY
    return Credentials(access, secret)


def run(args: argparse.Namespace) -> int:
    try:
        verifier = EventVerifier(_seed(args.seed), _credentials(args), args.region, args.service)
    except EventStreamError as exc:
        raise CliError(str(exc)) from None
    events = 0
    last_date = ""
    with StreamRun(args, resync=False) as stream:
        for item in stream:
            index = verifier.frames
            if isinstance(item, BadStretch):
                raise CliError(f"frame {index}: not an event-stream message: {item.problem}")
            message = item.frame.message
            try:
                if message.payload:
                    verifier.verify(message)
                    events += 1
                else:
                    verifier.verify_end(message)
            except EventSignatureError as exc:
                raise CliError(str(exc)) from None
            date = message.headers[DATE_HEADER]
            assert isinstance(date, Timestamp)  # the verifier checked it
            last_date = signing_time(date)
        try:
            verifier.close()
        except EventSignatureError as exc:
            raise CliError(str(exc)) from None
    print(
        f"ok: {events} event{'s' if events != 1 else ''} and the end frame verified, "
        f"{verifier.offset} bytes; last :date {last_date}, "
        f"last signature {verifier.signature.hex()}",
        file=sys.stdout,
    )
    return EXIT_OK
