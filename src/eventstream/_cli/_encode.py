"""``eventstream encode``: JSON Lines (``decode``'s output) back to the wire bytes.

Reads line by line, so memory holds one message at a time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator

from .. import EventStreamError, encode
from ._errors import EXIT_OK, CliError
from ._json_form import message_from_json
from ._service_form import run_encode, uses_service_form


def json_lines(path: str) -> Iterator[tuple[int, str]]:
    """The non-blank lines of ``path`` (``-``: stdin) with their numbers, one at a time."""
    if path == "-":
        source = sys.stdin.buffer
    else:
        try:
            source = open(path, "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise CliError(f"cannot open {path}: {exc.strerror}") from None
    try:
        for number, raw in enumerate(source, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise CliError(f"line {number}: not UTF-8 ({exc.reason})") from None
            if line.strip():
                yield number, line
    finally:
        if source is not sys.stdin.buffer:
            source.close()


def run(args: argparse.Namespace) -> int:
    if uses_service_form(args):
        return run_encode(args)
    out = sys.stdout.buffer
    for number, line in json_lines(args.file):
        message = message_from_json(line, number)
        try:
            out.write(encode(message))
        except EventStreamError as exc:
            raise CliError(f"line {number}: {exc}") from None
    return EXIT_OK
