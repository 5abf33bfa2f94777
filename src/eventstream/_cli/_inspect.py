"""``eventstream inspect``: a table per message, or (``--hex``) an annotated hex dump.

Offsets are decimal stream offsets everywhere, the same numbers the error
messages name.
"""

from __future__ import annotations

import argparse
import itertools
import struct
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from .. import Frame, Headers
from ._errors import EXIT_OK, EXIT_SKIPPED
from ._frames import BadStretch, GoodMessage, Item, skip_note
from ._layout import Field, FrameLayout, message_fields, payload_preview
from ._run import StreamRun
from ._signed import inner_message, signed_envelope
from ._terminal import lines as terminal_lines

_ROW = 16  # bytes per hex dump line
_UINT32 = struct.Struct(">I")


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


def _printable(chunk: bytes | memoryview) -> str:
    return "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)


def hex_dump(
    fields: list[Field], data: bytes | memoryview, base: int, limit: int
) -> Iterator[str]:
    """Each field's bytes, 16 to a line, labelled on its first line.

    The header block's own line is left out when its headers are listed
    (they cover the same bytes).  A field longer than ``limit`` bytes (0: no
    limit) shows its first ``limit`` bytes and says how many are left out.
    Lines are made as they are written, so a big message's dump is never held whole.
    """
    width = max(len(str(base + len(data))), 6)
    listed = {f.start for f in fields if f.depth == 1}
    for f in fields:
        if f.name == "headers" and f.depth == 0 and (listed or f.length == 0):
            if f.verdict:
                yield f"  {f.start:>{width}}  {'':<{_ROW * 3}}   {f.name}: {f.value}  {f.verdict}"
            continue
        raw = data[f.start - base : f.start - base + f.length]
        shown = raw if not limit else raw[:limit]
        label = "  " * f.depth + f"{f.name}: {f.value}" + (f"  {f.verdict}" if f.verdict else "")
        if not shown:
            yield f"  {f.start:>{width}}  {'':<{_ROW * 3}}   {label}"
        for at in range(0, len(shown), _ROW):
            chunk = shown[at : at + _ROW]
            hex_part = " ".join(f"{b:02x}" for b in chunk)
            text = f"|{_printable(chunk)}|"
            note = label if at == 0 else ""
            row = f"  {f.start + at:>{width}}  {hex_part:<{_ROW * 3}} {text:<{_ROW + 2}}  {note}"
            yield row.rstrip()
        if len(raw) > len(shown):
            yield f"  {'':>{width}}  ... {len(raw) - len(shown)} more bytes of {f.name}"


def _encode(lines: Iterable[str]) -> bytes:
    # Peer text in the fields is escaped already; this is the last guard.
    return (terminal_lines("\n".join(lines)) + "\n").encode("utf-8", "backslashreplace")


def _write_lines(out: BinaryIO, lines: Iterator[str]) -> None:
    """Write lines in runs of a few thousand, so that no run is big."""
    while True:
        run = list(itertools.islice(lines, 4096))
        if not run:
            return
        out.write(_encode(run))


_FIXED_NAMES = (
    "total length",
    "headers length",
    "prelude crc",
    "headers",
    "payload",
    "message crc",
)


class _GoodTable:
    """The heading and :func:`table` of a message the decoder accepted, from its frame.

    The same lines as ``table(FrameLayout().fields(frame, data))``.  Everything
    that depends only on the header block and the offset column's width is
    made once, as a %-template; a message then costs one formatting call.
    """

    def __init__(self, layout: FrameLayout) -> None:
        self._layout = layout
        # id(headers) -> (headers, offset column width, rows' offsets, template)
        self._templates: dict[int, tuple[Headers, int, list[int], str]] = {}

    def _template(
        self, headers: Headers, headers_length: int, width: int
    ) -> tuple[list[int], str]:
        cached = self._templates.get(id(headers))
        if cached is not None and cached[0] is headers and cached[1] == width:
            return cached[2], cached[3]
        rows = self._layout.rows(headers)
        nw = max([len(n) for n in _FIXED_NAMES] + [len(row[2]) + 2 for row in rows])
        count = len(rows)
        headers_text = f"{count} header{'s' if count != 1 else ''}, {headers_length} bytes"
        at = f"  %{width}d  "
        lines = [
            "message %d at offset %d: %d bytes",
            f"  {'offset':>{width}}  {'field':<{nw}}  value",
            f"{at}{'total length':<{nw}}  %d",
            f"{at}{'headers length':<{nw}}  %d",
            f"{at}{'prelude crc':<{nw}}  0x%08x  ok",
            f"{at}{'headers':<{nw}}  {headers_text.replace('%', '%%')}",
        ]
        for _, _, name, text in rows:
            row = f"{'  ' + name:<{nw}}  {text}".rstrip()
            lines.append(at + row.replace("%", "%%"))
        lines.append(f"{at}{'payload':<{nw}}  %s")
        lines.append(f"{at}{'message crc':<{nw}}  0x%08x  ok")
        template = "\n".join(lines)
        offsets = [row[0] for row in rows]
        if len(self._templates) >= 256:
            self._templates.clear()
        self._templates[id(headers)] = (headers, width, offsets, template)
        return offsets, template

    def text(self, index: int, frame: Frame, data: bytes | memoryview) -> str:
        """The heading and table, lines joined by newlines (no newline at the end)."""
        base = frame.offset
        total = frame.total_length
        headers_length = frame.headers_length
        message = frame.message
        crc_at = base + total - 4
        width = len(str(crc_at))
        offsets, template = self._template(
            message.headers, headers_length, width if width > 6 else 6
        )
        block = base + 12
        payload = message.payload
        return template % (
            index,
            base,
            total,
            base,
            total,
            base + 4,
            headers_length,
            base + 8,
            _UINT32.unpack_from(data, 8)[0],
            block,
            *[block + at for at in offsets],
            block + headers_length,
            payload_preview(payload),
            crc_at,
            _UINT32.unpack_from(data, total - 4)[0],
        )


class _Report:
    """What ``inspect`` writes for each item."""

    def __init__(self, args: argparse.Namespace) -> None:
        self._args = args
        self._layout = FrameLayout()
        self._good_table = _GoodTable(self._layout)
        self.shown = 0

    def lines(self, item: Item, index: int) -> Iterator[str]:
        """The heading, fields and (for a bad stretch) error line of one item."""
        args = self._args
        if isinstance(item, GoodMessage) and not args.hex:
            if self.shown:
                yield ""
            self.shown += 1
            yield self._good_table.text(index, item.frame, item.data)
            yield from _inner_lines(item, args)
            return
        if isinstance(item, GoodMessage):
            frame = item.frame
            head = f"message {index} at offset {frame.offset}: {frame.total_length} bytes"
            start = frame.offset
            fields = self._layout.fields(frame, item.data)
        else:
            head = f"bad message at offset {item.start}"
            if args.resync:
                head += f": skipped {item.end - item.start} bytes [{item.start}, {item.end})"
            start = item.start
            fields = message_fields(item.data, item.start, item.problem)
        if self.shown:
            yield ""  # a blank line between messages
        self.shown += 1
        yield head
        if args.hex:
            yield from hex_dump(fields, item.data, start, args.hex_limit)
        else:
            yield from table(fields)
        if isinstance(item, BadStretch):
            yield f"  error: {item.problem.detail}"
        else:
            yield from _inner_lines(item, args)


def _inner_lines(item: GoodMessage, args: argparse.Namespace) -> list[str]:
    """For a signed envelope: its signature, then its inner message, indented."""
    envelope = signed_envelope(item)
    if envelope is None:
        return []
    head, fields = inner_message(envelope)
    if args.hex:
        inner = list(hex_dump(fields, envelope.payload, envelope.payload_offset, args.hex_limit))
    else:
        inner = table(fields) if fields else []
    return [f"  {line}" for line in (*head.split("\n"), *inner)]


def run(args: argparse.Namespace) -> int:
    skipped = 0
    report = _Report(args)
    big = args.hex and args.hex_limit == 0
    with StreamRun(args, resync=args.resync) as stream:
        out = stream.out
        for batch in stream.batches():
            first = stream.reader.messages - sum(isinstance(i, GoodMessage) for i in batch)
            lines: list[str] = []
            for item in batch:
                if isinstance(item, GoodMessage):
                    if big:
                        _write_lines(out, report.lines(item, first))
                    else:
                        lines += report.lines(item, first)
                    first += 1
                    continue
                _write_lines(out, itertools.chain(lines, report.lines(item, first)))
                lines = []
                if not args.resync:
                    raise stream.stop(item)
                skipped += 1
                stream.progress.note(skip_note(item))
            if lines:
                out.write(_encode(lines))
            stream.flush()
        if not report.shown:
            out.write(b"0 messages\n")
    return EXIT_SKIPPED if skipped else EXIT_OK
