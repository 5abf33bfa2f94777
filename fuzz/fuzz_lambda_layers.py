"""atheris harness for the Lambda layer's parsers of peer data that the stream
harnesses do not reach: the HTTP-integration prelude splitter and error replies.

Run: ``python fuzz/fuzz_lambda_layers.py CORPUS_DIR [libFuzzer flags]`` (see fuzz/README.md).
Byte 0, bit 0 picks the target; the rest is its input:
``eventstream.testing.http_integration_fuzz_target`` (only HttpIntegrationError escapes,
pieces change nothing, no body byte lost, an accepted prelude reads back) or
``error_response_fuzz_target`` (error_from_response never raises, for str or raw-bytes
headers and any body; the error pickles).
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from eventstream.testing import error_response_fuzz_target, http_integration_fuzz_target

TARGETS = (http_integration_fuzz_target, error_response_fuzz_target)


def target(data: bytes) -> None:
    if data:
        TARGETS[data[0] & 1](data[1:])


def main() -> None:
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
