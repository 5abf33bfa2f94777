"""``eventstream lambda``: a captured ``InvokeWithResponseStream`` body, taken apart.

The joined ``PayloadChunk`` bytes go to stdout as they arrive (binary-safe,
flushed per input block); everything else goes to stderr: an
HTTP-integration prelude when the payload starts with one, unknown events,
and the ``InvokeComplete`` event (error code, details, decoded log tail).
Exit status 4 when the function reported an error (``ErrorCode``) or the
service sent an error or exception message, 1 when the stream is broken or
ends without ``InvokeComplete``.

Built on :class:`eventstream.aws_lambda.ResponseStreamDecoder` and
:class:`~eventstream.aws_lambda.HttpIntegrationSplitter`.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import BinaryIO

from .. import EventStreamError
from ..aws_lambda import (
    HttpIntegrationError,
    HttpIntegrationPrelude,
    HttpIntegrationSplitter,
    InvokeComplete,
    PayloadChunk,
    ResponseStreamDecoder,
    UnknownEvent,
)
from ..events import ServiceStreamError
from ._errors import EXIT_ERROR, EXIT_FUNCTION_ERROR, EXIT_OK, CliError
from ._input import Input
from ._progress import Progress
from ._terminal import lines as terminal_lines
from ._terminal import one_line

_JSON = json.JSONDecoder()


def _cannot_be_prelude(held: bytes) -> bool:
    """True once the payload so far starts with a whole JSON value followed by
    something other than whitespace and NUL bytes: then it is no prelude, and
    a streaming JSON payload (``{"token": ...}\\n{...``) is not held back."""
    end = held.find(b"\x00")
    head = held if end < 0 else held[:end]
    try:
        text = head.decode("utf-8")
        _, stop = _JSON.raw_decode(text)
    except ValueError:  # not UTF-8, or not a whole JSON value yet
        return False
    return bool(text[stop:].strip())


class PayloadOutput:
    """Writes the joined payload to ``out``, first splitting off an HTTP-integration prelude.

    ``mode`` ``off`` passes everything through; ``on`` requires a prelude;
    ``auto`` looks for one when the payload starts with ``{`` and, as soon as
    what follows cannot be a prelude, writes the held bytes as they were.  At
    most the splitter's bound (16 KiB) plus one chunk is held while deciding.
    """

    def __init__(self, out: BinaryIO, mode: str, progress: Progress) -> None:
        self._out = out
        self._progress = progress
        self._mode = mode
        self._splitter: HttpIntegrationSplitter | None = None
        self._held = bytearray()  # payload fed to the splitter, in case it is no prelude
        self._deciding = mode != "off"
        self.prelude: HttpIntegrationPrelude | None = None

    def write(self, payload: bytes) -> None:
        if not self._deciding:
            self._out.write(payload)
            return
        if self._splitter is None:
            if not payload:
                return
            if self._mode == "auto" and not payload.startswith(b"{"):
                self._decided(payload)
                return
            self._splitter = HttpIntegrationSplitter()
        self._held += payload
        try:
            body = self._splitter.feed(payload)
        except HttpIntegrationError as exc:
            self._not_a_prelude(exc)
            return
        if self._splitter.prelude is not None:
            self._found(self._splitter.prelude)
            self._decided(body)
        elif self._mode == "auto" and _cannot_be_prelude(bytes(self._held)):
            self._decided(bytes(self._held))

    def close(self) -> None:
        if not self._deciding:
            return
        if self._splitter is None:
            if self._mode == "on":
                raise CliError("--http-integration on: the payload is empty, no prelude")
            return
        try:
            self._splitter.close()
        except HttpIntegrationError as exc:
            self._not_a_prelude(exc)

    def _not_a_prelude(self, error: HttpIntegrationError) -> None:
        if self._mode == "on":
            raise CliError(f"--http-integration on: {error}")
        self._decided(bytes(self._held))

    def _found(self, prelude: HttpIntegrationPrelude) -> None:
        self.prelude = prelude
        note = self._progress.note
        note(f"eventstream: HTTP-integration prelude: status {prelude.status_code}")
        for name, value in prelude.headers.items():
            note(f"eventstream:   {one_line(name)}: {one_line(value)}")
        for name, values in prelude.multi_value_headers.items():
            for value in values:
                note(f"eventstream:   {one_line(name)}: {one_line(value)}")
        for cookie in prelude.cookies:
            note(f"eventstream:   set-cookie: {one_line(cookie)}")

    def _decided(self, body: bytes) -> None:
        self._deciding = False
        self._held = bytearray()
        self._out.write(body)


def _report_complete(
    complete: InvokeComplete, decoder: ResponseStreamDecoder, note: Progress
) -> None:
    size = f"{decoder.chunk_count} chunks, {decoder.payload_size} payload bytes"
    if complete.error_code is None:
        note.note(f"eventstream: InvokeComplete: success ({size})")
    else:
        code = one_line(complete.error_code)
        note.note(f"eventstream: InvokeComplete: function error {code} ({size})")
    if complete.error_details is not None:
        note.note(f"eventstream: error details: {one_line(complete.error_details)}")
    if complete.log_result is not None:
        try:
            log = complete.log_text or ""
        except ValueError as exc:
            note.note(f"eventstream: log tail: {one_line(str(exc))}")
        else:
            note.note("eventstream: log tail:")
            note.note(terminal_lines(log.rstrip("\n")))


def run(args: argparse.Namespace) -> int:
    out = sys.stdout.buffer
    source = Input(args.file, args.input)
    progress = Progress(args.progress, source.size)
    decoder = ResponseStreamDecoder(args.max_message_size)
    payload = PayloadOutput(out, args.http_integration, progress)
    try:
        try:
            for block in source.blocks():
                for event in decoder.feed(block):
                    if isinstance(event, PayloadChunk):
                        payload.write(event.payload)
                    elif isinstance(event, UnknownEvent):
                        progress.note(
                            f"eventstream: ignored an event of unknown type "
                            f"{event.event_type!r} ({len(event.payload)} payload bytes)"
                        )
                out.flush()
                progress.update(source.bytes_read, decoder.chunk_count)
            decoder.close()
        except ServiceStreamError as exc:
            payload.close()
            out.flush()
            raise CliError(str(exc), EXIT_FUNCTION_ERROR) from None
        except EventStreamError as exc:
            payload.close()
            out.flush()
            raise CliError(str(exc), EXIT_ERROR) from None
        payload.close()
        out.flush()
    finally:
        progress.finish(source.bytes_read, decoder.chunk_count)
        source.close()
    complete = decoder.complete
    assert complete is not None  # close() raised otherwise
    _report_complete(complete, decoder, progress)
    return EXIT_OK if complete.error_code is None else EXIT_FUNCTION_ERROR
