"""``decode``/``encode`` with ``--service S --operation O``: boto3-shaped events as JSON Lines.

One JSON object per event, what boto3 yields for it, typed from the service model
(:mod:`eventstream.services`): blobs as base64, or ``{"$json": value}`` when they
hold a JSON object or array (Bedrock's ``chunk.bytes``; ``--raw-bytes`` keeps
base64), timestamps as ISO 8601. Besides events, a line may be
``{"initial-response": {...}}`` (RPC protocols, first) or ``{"$unknown": {...}}``: an
event the model does not name, as the plain ``decode`` form of the message (headers
and payload), so nothing is dropped. ``encode`` reads the same lines back; a
``$json`` blob is written as compact JSON, so a byte-exact round trip needs
``--raw-bytes``.

A modeled exception or ``error`` message ends ``decode`` with status 4 (after the
events before it); a stream cut before its terminal event with status 1.
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import sys
from typing import TYPE_CHECKING, Any

from .. import EventStreamError, encode
from .._peer_json import PeerJSONError, parse_peer_json
from ..events import ServiceStreamError
from ._errors import EXIT_FUNCTION_ERROR, EXIT_OK, EXIT_USAGE, CliError
from ._json_form import dump_line, message_from_object, message_to_json
from ._run import StreamRun

if TYPE_CHECKING:
    from ..services import StreamModel

UNKNOWN = "$unknown"
INITIAL_RESPONSE = "initial-response"


def add_service_options(parser: argparse.ArgumentParser, decoding: bool) -> None:
    """The options that switch ``decode``/``encode`` to the boto3-shaped form."""
    group = parser.add_argument_group(
        "service form",
        "with --service and --operation: one boto3-shaped event per line, typed from "
        "the service model",
    )
    group.add_argument("--service", metavar="S", help="botocore service name (bedrock-runtime)")
    group.add_argument("--operation", metavar="O", help="operation (ConverseStream)")
    group.add_argument(
        "--direction",
        choices=("output", "input"),
        help="the response stream (default) or the request stream",
    )
    group.add_argument(
        "--model", metavar="PATH", help="a service-2.json to use instead of botocore's"
    )
    if decoding:
        group.add_argument(
            "--raw-bytes",
            action="store_true",
            help="blobs always as base64, even when they hold JSON",
        )


def uses_service_form(args: argparse.Namespace) -> bool:
    """True when the command line asks for the service form (both names are needed).

    An option of one form given to the other is a usage error, not ignored.
    """
    service, operation = getattr(args, "service", None), getattr(args, "operation", None)
    if (service is None) != (operation is None):
        raise CliError("--service and --operation go together", EXIT_USAGE)
    if service is None:
        only, given = (
            "only with --service and --operation",
            _given(args, direction=None, model=None, raw_bytes=False),
        )
    else:
        only, given = "not with --service", _given(args, resync=False, payload=None)
    if given:
        raise CliError(f"{', '.join(given)}: {only}", EXIT_USAGE)
    return service is not None


def _given(args: argparse.Namespace, **unset: object) -> list[str]:
    """The options (of ``unset``: name and value when not given) the command line gave."""
    return [
        "--" + name.replace("_", "-")
        for name, value in unset.items()
        if getattr(args, name, value) != value
    ]


def _stream(args: argparse.Namespace) -> StreamModel:
    # Imported on use: the other commands need no service models.
    from ..services import ServiceModelError, load_stream

    try:
        return load_stream(
            args.service, args.operation, direction=args.direction or "output", model=args.model
        )
    except ServiceModelError as exc:
        raise CliError(str(exc)) from None


def _plain(value: Any) -> Any:
    # The initial response's members: JSON-ready (it is not an event of the union).
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, _dt.datetime):
        return value.isoformat()
    return value


def run_decode(args: argparse.Namespace) -> int:
    from ..services import UnknownEvent

    stream = _stream(args)
    decoder = stream.decoder(args.max_message_size)
    initial_written = False
    with StreamRun(args, resync=False) as run:
        out = run.out
        try:
            for block in run.blocks():
                for event in decoder.feed(block):
                    run.messages += 1
                    if isinstance(event, UnknownEvent):
                        line = {UNKNOWN: message_to_json(event.message, "auto")}
                    else:
                        line = stream.to_json_form(event.as_boto3(), json_blobs=not args.raw_bytes)
                    out.write(dump_line(line))
                if decoder.initial_response is not None and not initial_written:
                    initial_written = True
                    out.write(dump_line({INITIAL_RESPONSE: _plain(decoder.initial_response)}))
            decoder.close()
        except ServiceStreamError as exc:
            run.flush()
            raise CliError(str(exc), EXIT_FUNCTION_ERROR) from None
        except EventStreamError as exc:
            run.flush()
            raise CliError(str(exc)) from None
    return EXIT_OK


def _line_to_bytes(stream: StreamModel, line: str, number: int) -> bytes:
    try:
        obj = parse_peer_json(line)
    except PeerJSONError as exc:
        raise CliError(f"line {number}: not JSON: {exc}") from None
    if not isinstance(obj, dict) or len(obj) != 1:
        raise CliError(f"line {number}: expected an object with one key, the event name")
    ((name, value),) = obj.items()
    try:
        if name == UNKNOWN:
            return encode(message_from_object(value, number))
        if name == INITIAL_RESPONSE:
            return stream.encode_initial_response(value)
        return stream.encode(stream.from_json_form(obj))
    except EventStreamError as exc:
        raise CliError(f"line {number}: {exc}") from None


def run_encode(args: argparse.Namespace) -> int:
    from ._encode import json_lines

    stream = _stream(args)
    out = sys.stdout.buffer
    for number, line in json_lines(args.file, out):
        out.write(_line_to_bytes(stream, line, number))
    return EXIT_OK
