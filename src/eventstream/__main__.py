"""``python -m eventstream FILE``: decode a captured stream and print its messages.

A stopgap until the full command-line tool: one line per message with its
offset, headers (name, wire type, value) and payload.
"""

from __future__ import annotations

import sys

from ._decoder import Decoder
from ._errors import EventStreamError

_READ_SIZE = 64 * 1024


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] in ("-h", "--help"):
        print("usage: python -m eventstream FILE|-", file=sys.stderr)
        return 2
    decoder = Decoder()
    count = 0
    try:
        with open(args[0], "rb") if args[0] != "-" else sys.stdin.buffer as stream:
            # Read in pieces: a capture can be larger than memory.
            while piece := stream.read(_READ_SIZE):
                for frame in decoder.feed_frames(piece):
                    headers = ", ".join(
                        f"{name}({wire.name.lower()})={value!r}"
                        for name, wire, value in frame.message.headers.typed_items()
                    )
                    print(f"@{frame.offset}: {headers} | {frame.message.payload!r}")
                    count += 1
            decoder.close()
    except EventStreamError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"{count} messages", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
