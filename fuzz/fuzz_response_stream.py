"""atheris harness for ``eventstream.aws_lambda.ResponseStreamDecoder``.

Run: ``python fuzz/fuzz_response_stream.py CORPUS_DIR [libFuzzer flags]`` (see
fuzz/README.md).  The property (``eventstream.testing.check_response_stream_decoder``):
the codec's property, plus only EventStreamError subclasses escape the Lambda
decoder, it never accepts what the codec rejects, its chunks are the codec's
payloads, and the HTTP-integration splitter raises only HttpIntegrationError.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from eventstream.testing import response_stream_fuzz_target


def main() -> None:
    atheris.Setup(sys.argv, response_stream_fuzz_target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
