"""``eventstream encode``: JSON Lines (``decode``'s output) back to the wire bytes.

Reads line by line, so memory holds one message at a time.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import BinaryIO

from .. import EventStreamError, encode
from ._errors import EXIT_OK, CliError
from ._input import Input
from ._json_form import message_from_json
from ._service_form import run_encode, uses_service_form


def json_lines(path: str, out: BinaryIO) -> Iterator[tuple[int, str]]:
    """The non-blank lines of ``path`` (``-``: stdin) with their numbers, one at a time.

    The input is read as it arrives (a live pipe's lines are not held back
    for more), and ``out`` is flushed before each read, which may block: what
    the lines read so far gave is passed on first.
    """
    source = Input(path, "raw")
    pieces: list[bytes] = []  # the line being read, when a block did not end it
    number = 0
    try:
        for block in source.blocks():
            if b"\n" not in block:
                pieces.append(block)
                continue
            pieces.append(block)
            *complete, rest = b"".join(pieces).split(b"\n")
            pieces = [rest] if rest else []
            for raw in complete:
                number += 1
                line = _text(raw, number)
                if line.strip():
                    yield number, line
            out.flush()
        if pieces:
            line = _text(b"".join(pieces), number + 1)
            if line.strip():
                yield number + 1, line
    finally:
        source.close()


def _text(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"line {number}: not UTF-8 ({exc.reason})") from None


def run(args: argparse.Namespace) -> int:
    if uses_service_form(args):
        return run_encode(args)
    out = sys.stdout.buffer
    for number, line in json_lines(args.file, out):
        message = message_from_json(line, number)
        try:
            out.write(encode(message))
        except EventStreamError as exc:
            raise CliError(f"line {number}: {exc}") from None
    return EXIT_OK
