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
import io
import json
import sys
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, Callable

from .. import EventStreamError
from .._peer_json import parse_peer_json_prefix
from ..adapters import iter_events
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


def _cannot_be_prelude(held: bytes) -> bool:
    """True once the payload so far starts with a whole JSON value followed by
    something other than whitespace and NUL bytes: then it is no prelude, and
    a streaming JSON payload (``{"token": ...}\\n{...``) is not held back."""
    end = held.find(b"\x00")
    head = held if end < 0 else held[:end]
    try:
        text = head.decode("utf-8")
        _, stop = parse_peer_json_prefix(text)
    except ValueError:  # not UTF-8, or not a whole JSON value yet (or too deep to tell)
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


def _json_report(
    decoder: ResponseStreamDecoder,
    payload: PayloadOutput,
    unknown: list[UnknownEvent],
    error: CliError | None,
) -> dict[str, Any]:
    """``lambda --json``'s one object: how the stream ended, and what came with it."""
    report: dict[str, Any] = {}
    complete = decoder.complete
    if error is not None:
        report["status"] = "error"
        report["error"] = str(error)
    elif complete is not None and complete.error_code is not None:
        report["status"] = "function_error"
    else:
        report["status"] = "success"
    report["exit_status"] = error.status if error is not None else _status(complete)
    report["chunks"] = decoder.chunk_count
    report["payload_bytes"] = decoder.payload_size
    if complete is not None:
        report["error_code"] = complete.error_code
        report["error_details"] = complete.error_details
        report["log_result"] = complete.log_result
        try:
            report["log_text"] = complete.log_text
        except ValueError as exc:
            report["log_text"] = None
            report["log_error"] = str(exc)
    prelude = payload.prelude
    if prelude is not None:
        report["http_integration"] = {
            "status_code": prelude.status_code,
            "headers": prelude.headers,
            "multi_value_headers": prelude.multi_value_headers,
            "cookies": prelude.cookies,
        }
    if unknown:
        report["unknown_events"] = [
            {"event_type": event.event_type, "payload_bytes": len(event.payload)}
            for event in unknown
        ]
    return report


def _status(complete: InvokeComplete | None) -> int:
    return EXIT_OK if complete is None or complete.error_code is None else EXIT_FUNCTION_ERROR


def show_response(
    blocks: Iterable[bytes],
    progress: Progress,
    args: argparse.Namespace,
    bytes_read: Callable[[], int],
    truncation_errors: tuple[type[BaseException], ...] = (),
) -> int:
    """Take an ``InvokeWithResponseStream`` body apart: payload to stdout, the rest to stderr.

    With ``args.json`` the completion (or the error) is one JSON object on
    stderr, and every other note is left out.  Shared by ``lambda`` (a
    capture) and ``invoke`` (a live response, whose client raises one of
    ``truncation_errors`` when the connection drops mid-body).
    """
    out = sys.stdout.buffer
    decoder = ResponseStreamDecoder(args.max_message_size)
    quiet = Progress("never", None, _NullText()) if args.json else progress
    payload = PayloadOutput(out, args.http_integration, quiet)
    unknown: list[UnknownEvent] = []
    error: CliError | None = None

    def flushing(blocks: Iterable[bytes]) -> Iterator[bytes]:
        # What a block gave is passed on before the next is read (which may block).
        for block in blocks:
            yield block
            out.flush()
            progress.update(bytes_read(), decoder.chunk_count)

    try:
        try:
            events = iter_events(
                flushing(blocks), decoder=decoder, truncation_errors=truncation_errors
            )
            with events:
                for event in events:
                    if isinstance(event, PayloadChunk):
                        payload.write(event.payload)
                    elif isinstance(event, UnknownEvent):
                        unknown.append(event)
                        quiet.note(
                            f"eventstream: ignored an event of unknown type "
                            f"{event.event_type!r} ({len(event.payload)} payload bytes)"
                        )
        except ServiceStreamError as exc:
            error = CliError(str(exc), EXIT_FUNCTION_ERROR)
        except EventStreamError as exc:
            error = CliError(str(exc), EXIT_ERROR)
        except CliError as exc:
            error = exc
        try:
            payload.close()
        except CliError as exc:
            error = error or exc
        out.flush()
    finally:
        progress.finish(bytes_read(), decoder.chunk_count)
    if args.json:
        report = _json_report(decoder, payload, unknown, error)
        sys.stderr.write(json.dumps(report) + "\n")
        sys.stderr.flush()
        return int(report["exit_status"])
    if error is not None:
        raise error
    complete = decoder.complete
    assert complete is not None  # close() raised otherwise
    _report_complete(complete, decoder, progress)
    return _status(complete)


class _NullText(io.StringIO):
    """Where ``--json`` sends the notes it leaves out."""

    def write(self, text: str) -> int:
        return len(text)


def json_error(error: CliError) -> int:
    """``--json``'s object for an error before any of the stream was read; the status."""
    report = {"status": "error", "error": str(error), "exit_status": error.status}
    sys.stderr.write(json.dumps(report) + "\n")
    return error.status


def run(args: argparse.Namespace) -> int:
    try:
        source = Input(args.file, args.input)
    except CliError as exc:
        if not args.json:
            raise
        return json_error(exc)
    progress = Progress(args.progress, source.size)
    try:
        return show_response(source.blocks(), progress, args, lambda: source.bytes_read)
    finally:
        source.close()
