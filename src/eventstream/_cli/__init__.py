"""The ``eventstream`` command-line tool: decode, encode, inspect, lambda, verify.

Standard library only.  Each command lives in its own module; this one
parses the command line and turns every failure into one line on stderr and
an exit status (see ``_errors``).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from .. import DEFAULT_MAX_MESSAGE_SIZE, __version__
from .._crc import CRC32_BACKEND
from .._feedgate import FEED_GATE
from ._errors import EXIT_ERROR, CliError
from ._input import FORMS
from ._json_form import PAYLOAD_FORMS
from ._progress import PROGRESS_MODES
from ._service_form import add_service_options

__all__ = ["main"]

_EPILOG = """\
exit status: 0 done; 1 bad input (the one-line error names the byte offset);
2 bad usage; 3 --resync skipped bytes (each range reported on stderr);
4 lambda: the function or the service reported an error.
"""


def _message_size(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 16 <= value <= 0xFFFF_FFFF:
        raise argparse.ArgumentTypeError(f"must be 16..4294967295, got {value}")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _stream_options(parser: argparse.ArgumentParser, resync: bool) -> None:
    parser.add_argument(
        "file", nargs="?", default="-", metavar="FILE", help="the capture; - or none: stdin"
    )
    parser.add_argument(
        "--input",
        choices=FORMS,
        default="raw",
        help="the capture's form: raw bytes (default), a hex, base64 or escaped-string "
        "dump, or auto (tell from the first bytes)",
    )
    parser.add_argument(
        "--max-message-size",
        type=_message_size,
        default=DEFAULT_MAX_MESSAGE_SIZE,
        metavar="BYTES",
        help=f"refuse messages longer than this (default {DEFAULT_MAX_MESSAGE_SIZE})",
    )
    parser.add_argument(
        "--progress",
        choices=PROGRESS_MODES,
        default="auto",
        help="progress bar on stderr: auto (when stderr is a terminal and stdout is not, "
        "for long inputs), always, never",
    )
    if resync:
        parser.add_argument(
            "--resync",
            action="store_true",
            help="after a bad stretch, skip to the next valid message, report the skipped "
            "byte range on stderr, and go on",
        )


def _command_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help: str,
    description: str,
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help,
        description=description,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="eventstream",
        description="Show, convert and check captured application/vnd.amazon.eventstream streams.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # Which optional speed-ups this install uses: worth a line in a bug report.
    version = f"eventstream {__version__} (feed: {FEED_GATE}, crc32: {CRC32_BACKEND})"
    parser.add_argument("--version", action="version", version=version)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    decode = _command_parser(
        commands,
        "decode",
        help="one JSON object per message (JSON Lines)",
        description="Write one JSON object per message: offset, lengths, headers (name, "
        "wire type, value) and payload.",
    )
    _stream_options(decode, resync=True)
    decode.add_argument(
        "--payload",
        choices=PAYLOAD_FORMS,
        default="auto",
        help="payload form: auto (text if UTF-8, else base64), text, base64, json, hex",
    )
    add_service_options(decode, decoding=True)

    encode = _command_parser(
        commands,
        "encode",
        help="JSON Lines (decode's output) back to the wire bytes",
        description="Read decode's JSON Lines and write the messages' wire bytes to stdout.",
    )
    encode.add_argument(
        "file", nargs="?", default="-", metavar="FILE", help="JSON Lines; - or none: stdin"
    )
    add_service_options(encode, decoding=False)

    inspect = _command_parser(
        commands,
        "inspect",
        help="a readable table per message, checksums checked",
        description="Show each message's fields with offsets and checksum verdicts; on a bad "
        "message, which field at which offset is wrong and what was expected.",
    )
    _stream_options(inspect, resync=True)
    inspect.add_argument(
        "--hex", action="store_true", help="an annotated hex dump instead of the table"
    )
    inspect.add_argument(
        "--hex-limit",
        type=_non_negative,
        default=256,
        metavar="BYTES",
        help="with --hex, show at most this many bytes of each field (0: all; default 256)",
    )

    lam = _command_parser(
        commands,
        "lambda",
        help="a Lambda InvokeWithResponseStream body: payload to stdout, completion to stderr",
        description="Write the joined PayloadChunk bytes to stdout and the InvokeComplete "
        "event (error, log tail) to stderr.",
    )
    _stream_options(lam, resync=False)
    lam.add_argument(
        "--http-integration",
        choices=("auto", "on", "off"),
        default="auto",
        help="split off an HTTP-integration prelude (JSON + 8 NUL bytes) and show it on "
        "stderr: auto (when the payload starts with one), on (require it), off",
    )
    verify = _command_parser(
        commands,
        "verify",
        help="check a captured signed input stream's signature chain and end frame",
        description="Check every signed envelope of a request body against the chain that "
        "starts at the request's signature (--seed), and the final empty frame; report the "
        "first frame that fails (index, offset, what differs).",
    )
    _stream_options(verify, resync=False)
    verify.add_argument(
        "--seed",
        required=True,
        metavar="HEX",
        help="the request's signature (the hex after Signature= in its Authorization header)",
    )
    verify.add_argument("--region", required=True, help="the signing region, e.g. us-east-1")
    verify.add_argument("--service", required=True, help="the signing name, e.g. transcribe")
    verify.add_argument(
        "--access-key", metavar="ID", help="default: $AWS_ACCESS_KEY_ID (not part of the chain)"
    )
    verify.add_argument(
        "--secret-key", metavar="KEY", help="default: $AWS_SECRET_ACCESS_KEY (preferred)"
    )
    return parser


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    # Imported on use: `eventstream encode` need not load the inspect code.
    if name == "decode":
        from ._decode import run
    elif name == "encode":
        from ._encode import run
    elif name == "inspect":
        from ._inspect import run
    elif name == "verify":
        from ._verify import run
    else:
        from ._lambda import run
    return run


def main(argv: list[str] | None = None) -> int:
    """Run the tool with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status = _command(args.command)(args)
        sys.stdout.flush()
    except CliError as exc:
        _flush_quietly()
        print(f"eventstream: error: {exc}", file=sys.stderr)
        return exc.status
    except BrokenPipeError:
        # The reader went away (`eventstream decode big | head`): stop quietly.
        # Point stdout at devnull so the interpreter's final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    return status


def _flush_quietly() -> None:
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
