"""``eventstream inspect``: a table per message, or (``--hex``) an annotated hex dump.

Offsets are decimal stream offsets everywhere, the same numbers the error
messages name.
"""

from __future__ import annotations

import argparse
import sys
from typing import BinaryIO

from ._errors import EXIT_OK, EXIT_SKIPPED, CliError
from ._frames import BadStretch, GoodMessage, Item, skip_note
from ._layout import Field, message_fields
from ._run import StreamRun
from ._signed import inner_message, signed_envelope

_ROW = 16  # bytes per hex dump line


def table(fields: list[Field]) -> list[str]:
    """Rows of ``offset  field  value  verdict``, offsets right-aligned."""
    width = max([len(str(f.start)) for f in fields] + [6])
    name_width = max([len(f.name) + 2 * f.depth for f in fields] + [5])
    lines = [f"  {'offset':>{width}}  {'field':<{name_width}}  value"]
    for f in fields:
        name = "  " * f.depth + f.name
        verdict = f"  {f.verdict}" if f.verdict else ""
        lines.append(f"  {f.start:>{width}}  {name:<{name_width}}  {f.value}{verdict}".rstrip())
    return lines


def _printable(chunk: bytes) -> str:
    return "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)


def hex_dump(fields: list[Field], data: bytes, base: int, limit: int) -> list[str]:
    """Each field's bytes, 16 to a line, labelled on its first line.

    The header block's own line is left out when its headers are listed
    (they cover the same bytes).  A field longer than ``limit`` bytes (0: no
    limit) shows its first ``limit`` bytes and says how many are left out.
    """
    lines: list[str] = []
    width = max(len(str(base + len(data))), 6)
    listed = {f.start for f in fields if f.depth == 1}
    for f in fields:
        if f.name == "headers" and f.depth == 0 and (listed or f.length == 0):
            if f.verdict:
                lines.append(
                    f"  {f.start:>{width}}  {'':<{_ROW * 3}}   {f.name}: {f.value}  {f.verdict}"
                )
            continue
        raw = data[f.start - base : f.start - base + f.length]
        shown = raw if not limit else raw[:limit]
        label = "  " * f.depth + f"{f.name}: {f.value}" + (f"  {f.verdict}" if f.verdict else "")
        if not shown:
            lines.append(f"  {f.start:>{width}}  {'':<{_ROW * 3}}   {label}")
        for at in range(0, len(shown), _ROW):
            chunk = shown[at : at + _ROW]
            hex_part = " ".join(f"{b:02x}" for b in chunk)
            text = f"|{_printable(chunk)}|"
            note = label if at == 0 else ""
            row = f"  {f.start + at:>{width}}  {hex_part:<{_ROW * 3}} {text:<{_ROW + 2}}  {note}"
            lines.append(row.rstrip())
        if len(raw) > len(shown):
            lines.append(f"  {'':>{width}}  ... {len(raw) - len(shown)} more bytes of {f.name}")
    return lines


def _write(out: BinaryIO, lines: list[str]) -> None:
    out.write(("\n".join(lines) + "\n").encode("utf-8", "backslashreplace"))


def _describe(item: Item, index: int, resync: bool) -> tuple[str, int, list[Field]]:
    """The heading, stream offset and fields of a message or a bad stretch."""
    if isinstance(item, GoodMessage):
        frame = item.frame
        head = f"message {index} at offset {frame.offset}: {frame.total_length} bytes"
        return head, frame.offset, message_fields(item.data, frame.offset)
    head = f"bad message at offset {item.start}"
    if resync:
        head += f": skipped {item.end - item.start} bytes [{item.start}, {item.end})"
    return head, item.start, message_fields(item.data, item.start, item.problem)


def _inner_lines(item: GoodMessage, args: argparse.Namespace) -> list[str]:
    """For a signed envelope: its signature, then its inner message, indented."""
    envelope = signed_envelope(item)
    if envelope is None:
        return []
    head, fields = inner_message(envelope)
    if args.hex:
        inner = hex_dump(fields, envelope.payload, envelope.payload_offset, args.hex_limit)
    else:
        inner = table(fields) if fields else []
    return [f"  {line}" for line in (*head.split("\n"), *inner)]


def run(args: argparse.Namespace) -> int:
    out = sys.stdout.buffer
    skipped = 0
    shown = 0
    with StreamRun(args, resync=args.resync) as stream:
        for item in stream:
            head, start, fields = _describe(item, stream.reader.messages - 1, args.resync)
            if args.hex:
                lines = hex_dump(fields, item.data, start, args.hex_limit)
            else:
                lines = table(fields)
            if isinstance(item, BadStretch):
                lines.append(f"  error: {item.problem}")
            else:
                lines += _inner_lines(item, args)
            # A blank line between messages.
            _write(out, [*([""] if shown else []), head, *lines])
            shown += 1
            if isinstance(item, BadStretch):
                if not args.resync:
                    out.flush()
                    raise CliError(str(item.problem))
                skipped += 1
                stream.progress.note(skip_note(item))
    return EXIT_SKIPPED if skipped else EXIT_OK
