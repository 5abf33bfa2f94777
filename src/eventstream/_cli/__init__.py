"""The ``eventstream`` command-line tool: decode, encode, inspect, lambda, invoke, verify.

Standard library only.  Each command lives in its own module; this one
parses the command line and turns every failure into one line on stderr and
an exit status (see ``_errors``).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import Callable
from urllib.parse import urlsplit

from .. import DEFAULT_MAX_MESSAGE_SIZE, __version__
from .._crc import CRC32_BACKEND
from .._feedgate import FEED_GATE
from ._errors import (
    EXIT_BROKEN_PIPE,
    EXIT_ERROR,
    EXIT_FUNCTION_ERROR,
    EXIT_OK,
    EXIT_SKIPPED,
    EXIT_USAGE,
    CliError,
)
from ._input import FORMS
from ._json_form import PAYLOAD_FORMS
from ._progress import PROGRESS_MODES
from ._service_form import add_service_options
from ._terminal import one_line

__all__ = ["main"]

# Each command's help lists the statuses it can exit with.
_STATUS_LINES = {
    EXIT_OK: "0 done",
    EXIT_ERROR: "1 bad input (the one-line error names the byte offset), or output not written",
    EXIT_USAGE: "2 bad usage",
    EXIT_SKIPPED: "3 --resync skipped bytes (each range reported on stderr)",
    EXIT_FUNCTION_ERROR: "4 the function or the service reported an error "
    "(decode: with --service)",
    EXIT_BROKEN_PIPE: "141 the reader of stdout went away (as a tool killed by SIGPIPE)",
}
_COMMAND_STATUSES = {
    "decode": (
        EXIT_OK,
        EXIT_ERROR,
        EXIT_USAGE,
        EXIT_SKIPPED,
        EXIT_FUNCTION_ERROR,
        EXIT_BROKEN_PIPE,
    ),
    "inspect": (EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_SKIPPED, EXIT_BROKEN_PIPE),
    "encode": (EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BROKEN_PIPE),
    "lambda": (EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FUNCTION_ERROR, EXIT_BROKEN_PIPE),
    "invoke": (EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_FUNCTION_ERROR, EXIT_BROKEN_PIPE),
    "verify": (EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_BROKEN_PIPE),
}


def _epilog(statuses: tuple[int, ...]) -> str:
    return "exit status:\n" + "".join(f"  {_STATUS_LINES[s]}\n" for s in statuses)


_EPILOG = _epilog(tuple(_STATUS_LINES))

_UNITS = {
    "": 1, "b": 1,
    "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30,
    "kb": 10**3, "mb": 10**6, "gb": 10**9,
}  # fmt: skip
_SIZE = re.compile(r"\s*(0[xX][0-9a-fA-F]+|\d+)\s*([A-Za-z]*)\s*")


def parse_size(text: str) -> int:
    """A byte count: plain (``65536``, ``0x10000``) or with a unit (``64KiB``, ``1MB``)."""
    match = _SIZE.fullmatch(text)
    unit = _UNITS.get(match.group(2).lower()) if match is not None else None
    if match is None or unit is None:
        raise argparse.ArgumentTypeError(
            f"not a size: {text!r}; expected bytes (65536), or a number with a unit: "
            "KiB, MiB, GiB (powers of 1024) or kB, MB, GB (powers of 1000), e.g. 64MiB"
        )
    return int(match.group(1), 0) * unit


def _message_size(text: str) -> int:
    value = parse_size(text)
    if not 16 <= value <= 0xFFFF_FFFF:
        raise argparse.ArgumentTypeError(f"must be 16..4294967295 bytes (4 GiB - 1), got {value}")
    return value


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def _endpoint_url(text: str) -> str:
    """``--endpoint-url``'s check (an argparse ``type``): http(s)://HOST[:PORT], port 0..65535."""
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when it is asked for
    except ValueError:
        valid = False
    else:
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    if not valid:
        raise argparse.ArgumentTypeError(
            f"expected http(s)://HOST[:PORT] with a port 0..65535, got {text!r}"
        )
    return text


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
        metavar="SIZE",
        help="refuse messages longer than this: bytes, or with a unit (64MiB, 1KiB, 1MB); "
        f"default {DEFAULT_MAX_MESSAGE_SIZE // (1 << 20)}MiB",
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
        epilog=_epilog(_COMMAND_STATUSES[name]),
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
        help="payload form: auto (the default: text if UTF-8, else base64), text, base64, "
        "json, hex",
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
    _lambda_output_options(lam)

    invoke = _command_parser(
        commands,
        "invoke",
        help="call a function with InvokeWithResponseStream: payload to stdout as it streams",
        description="Call InvokeWithResponseStream, signed with botocore's credentials and "
        "region (the sigv4 extra), and show the response as `lambda` shows a capture: the "
        "payload to stdout as it arrives, the completion to stderr.",
    )
    invoke.add_argument("function", metavar="FUNCTION", help="name, partial ARN or ARN")
    invoke.add_argument(
        "--payload",
        default="",
        help="the function's input: text (sent as UTF-8), or @FILE for a file's bytes",
    )
    invoke.add_argument("--qualifier", help="a version or alias")
    invoke.add_argument(
        "--log-type", choices=("None", "Tail"), help="Tail: the last 4 KB of the log, on stderr"
    )
    invoke.add_argument("--region", help="default: botocore's configured region")
    invoke.add_argument(
        "--endpoint-url",
        type=_endpoint_url,
        metavar="URL",
        help="default: https://lambda.REGION.amazonaws.com",
    )
    invoke.add_argument(
        "--max-message-size",
        type=_message_size,
        default=DEFAULT_MAX_MESSAGE_SIZE,
        metavar="SIZE",
        help="refuse messages longer than this (as for decode)",
    )
    invoke.add_argument(
        "--progress", choices=PROGRESS_MODES, default="never", help=argparse.SUPPRESS
    )
    _lambda_output_options(invoke)

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


def _lambda_output_options(parser: argparse.ArgumentParser) -> None:
    """What ``lambda`` and ``invoke`` share: how the response is shown."""
    parser.add_argument(
        "--http-integration",
        choices=("auto", "on", "off"),
        default="auto",
        help="split off an HTTP-integration prelude (JSON + 8 NUL bytes) and show it on "
        "stderr: auto (when the payload starts with one), on (require it), off",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="on stderr, only one JSON object: how the stream ended (status success, "
        "function_error or error; exit_status; chunks; payload_bytes; error_code, "
        "error_details, log_result, log_text; http_integration; unknown_events; error)",
    )


def _command(name: str) -> Callable[[argparse.Namespace], int]:
    # Imported on use: `eventstream encode` need not load the inspect code.
    if name == "decode":
        from ._decode import run
    elif name == "encode":
        from ._encode import run
    elif name == "inspect":
        from ._inspect import run
    elif name == "invoke":
        from ._invoke import run
    elif name == "verify":
        from ._verify import run
    else:
        from ._lambda import run
    return run


def main(argv: list[str] | None = None) -> int:
    """Run the tool with ``argv`` (default ``sys.argv[1:]``); return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if sys.stdout is None:
            # Started with stdout closed (`eventstream decode x >&-`).
            raise CliError("cannot write output: stdout is closed")
        status = _command(args.command)(args)
        sys.stdout.flush()
    except CliError as exc:
        _flush_quietly()
        _error(str(exc))
        return exc.status
    except BrokenPipeError:
        # The reader went away (`eventstream decode big | head`): stop quietly,
        # with the status a shell shows for a tool that SIGPIPE ended (128 + 13),
        # not 1, which says the input was bad.  Point stdout at devnull so the
        # interpreter's final flush cannot fail again.
        _drop_stdout()
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        # Reading errors are CliErrors already (the input layer words them);
        # what is left is writing: a full disk (ENOSPC), a dead device (EIO).
        # The unwritten rest is dropped so the interpreter's final flush
        # cannot fail again with a traceback.
        _drop_stdout()
        _error(f"cannot write output: {exc.strerror or exc}")
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    return status


def _error(message: str) -> None:
    # The message may quote the stream (an exception's text): keep it one inert line.
    print(f"eventstream: error: {one_line(message)}", file=sys.stderr)


def _flush_quietly() -> None:
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except OSError:
        _drop_stdout()


def _drop_stdout() -> None:
    """Point stdout at devnull, so what is still buffered goes nowhere, quietly."""
    if sys.stdout is None:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
