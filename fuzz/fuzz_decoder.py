"""atheris harness for ``eventstream.Decoder``: random feeds and splits.

Run: ``python fuzz/fuzz_decoder.py CORPUS_DIR [libFuzzer flags]`` (see fuzz/README.md).
The property (``eventstream.testing.check_decoder``): only EventStreamError
subclasses escape, the decoder holds less than its max_message_size, every
decoded message re-encodes to its bytes, pieces change nothing.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from eventstream.testing import decoder_fuzz_target


def main() -> None:
    atheris.Setup(sys.argv, decoder_fuzz_target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
