"""atheris harness for building and encoding headers from a dict of Python values.

Run: ``python fuzz/fuzz_headers.py CORPUS_DIR [libFuzzer flags]`` (see fuzz/README.md).
The target, ``eventstream.testing.header_dict_fuzz_target``: every accepted value type
and some refused ones (out-of-range sized ints and timestamps, huge ints, naive
datetimes, floats, bytes names, lone surrogates, over-long names and values); only
EncodeError escapes, what encodes decodes to the same headers and wire types, a dict
(through the shared-headers cache) and its pairs give the same bytes.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from eventstream.testing import header_dict_fuzz_target


def main() -> None:
    atheris.Setup(sys.argv, header_dict_fuzz_target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
