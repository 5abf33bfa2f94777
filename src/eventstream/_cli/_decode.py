"""``eventstream decode``: one JSON object per message (JSON Lines), see ``_json_form``."""

from __future__ import annotations

import argparse
import sys

from ._errors import EXIT_OK, EXIT_SKIPPED, CliError
from ._frames import GoodMessage, skip_note
from ._json_form import dump_line, frame_to_json
from ._run import StreamRun
from ._service_form import run_decode, uses_service_form


def run(args: argparse.Namespace) -> int:
    if uses_service_form(args):
        return run_decode(args)
    out = sys.stdout.buffer
    skipped = 0
    with StreamRun(args, resync=args.resync) as stream:
        for item in stream:
            if isinstance(item, GoodMessage):
                out.write(dump_line(frame_to_json(item.frame, args.payload)))
            elif args.resync:
                skipped += 1
                stream.progress.note(skip_note(item))
            else:
                out.flush()
                raise CliError(str(item.problem))
    return EXIT_SKIPPED if skipped else EXIT_OK
