"""``eventstream encode``: JSON Lines (``decode``'s output) back to the wire bytes.

Reads line by line, so memory holds one message at a time.
"""

from __future__ import annotations

import argparse
import sys

from .. import EventStreamError, encode
from ._errors import EXIT_OK, CliError
from ._json_form import message_from_json


def run(args: argparse.Namespace) -> int:
    out = sys.stdout.buffer
    if args.file == "-":
        source = sys.stdin.buffer
    else:
        try:
            source = open(args.file, "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise CliError(f"cannot open {args.file}: {exc.strerror}") from None
    try:
        for number, raw in enumerate(source, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CliError(f"line {number}: not UTF-8 ({exc.reason})") from None
            if not line.strip():
                continue
            message = message_from_json(line, number)
            try:
                out.write(encode(message))
            except EventStreamError as exc:
                raise CliError(f"line {number}: {exc}") from None
    finally:
        if source is not sys.stdin.buffer:
            source.close()
    return EXIT_OK
