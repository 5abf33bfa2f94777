"""atheris harness for the command-line tool's readers: ``--input`` forms and ``--resync``.

Run: ``python fuzz/fuzz_cli.py CORPUS_DIR [libFuzzer flags]`` (see fuzz/README.md).
Byte 0, bit 0 picks the target; the rest is its input:
``eventstream.testing.cli_input_fuzz_target`` (hex, base64, escaped, auto: only
CliError escapes, pieces change nothing, no more bytes out than in, what a reference
writer wrote reads back, long lines included) or ``resync_fuzz_target`` (the frame
reader tiles the stream exactly with good messages and bad stretches, within its window
bound, and agrees with the codec without resync; at most 8 KiB of stream, so that the
scanner's cost per candidate stays small).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    # The targets import the CLI lazily; import it here so that it is instrumented.
    import eventstream._cli._frames
    import eventstream._cli._input  # noqa: F401
    from eventstream.testing import cli_input_fuzz_target, resync_fuzz_target

TARGETS = (cli_input_fuzz_target, resync_fuzz_target)


def target(data: bytes) -> None:
    if data:
        TARGETS[data[0] & 1](data[1:])


def main() -> None:
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
