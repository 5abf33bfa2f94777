"""``eventstream decode``: one JSON object per message (JSON Lines), see ``_json_form``."""

from __future__ import annotations

import argparse

from ._errors import EXIT_OK, EXIT_SKIPPED
from ._frames import GoodMessage, skip_note
from ._json_form import PAYLOAD_PIECE, FrameLines
from ._run import StreamRun
from ._service_form import run_decode, uses_service_form


def run(args: argparse.Namespace) -> int:
    if uses_service_form(args):
        return run_decode(args)
    skipped = 0
    lines = FrameLines(args.payload or "auto")
    with StreamRun(args, resync=args.resync, keep_bytes=False) as stream:
        out = stream.out
        for batch in stream.batches():
            records: list[bytes] = []
            for item in batch:
                if isinstance(item, GoodMessage):
                    if len(item.frame.message.payload) <= PAYLOAD_PIECE:
                        records.append(lines.line(item.frame))
                        continue
                    out.write(b"".join(records))
                    records = []
                    lines.write(item.frame, out)
                    continue
                out.write(b"".join(records))
                records = []
                if not args.resync:
                    raise stream.stop(item)
                skipped += 1
                stream.progress.note(skip_note(item))
            out.write(b"".join(records))
            stream.flush()
    return EXIT_SKIPPED if skipped else EXIT_OK
