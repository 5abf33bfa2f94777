"""One-input fuzz targets: bytes in, property checked, for any byte-level fuzzer.

``fuzz/`` runs them under atheris (libFuzzer); the test suite runs them under
hypothesis; python-afl or ``hypothesis.fuzz_one_input`` work the same way.
An input is a small control header, then the stream::

    byte 0      bit 0: recompute the stream's CRCs first (fix_checksums), so
                       mutations reach the structure instead of dying at a CRC;
                bits 1-3: index into FUZZ_CAPS, the decoder's max_message_size;
                bits 4-7: how many cut offsets follow (0..15)
    2 bytes     per cut: a big-endian uint16 offset where the stream is split
    the rest    the stream, fed in the pieces the cuts make

Any input is valid (a short one is read as if padded with zeros), so a
fuzzer never wastes runs on rejected inputs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from .._format import DEFAULT_MAX_MESSAGE_SIZE, MAX_UINT32
from ._check import check_decoder, check_response_stream_decoder
from ._frames import fix_checksums

__all__ = [
    "FUZZ_CAPS",
    "FuzzInput",
    "decoder_fuzz_target",
    "encode_fuzz_input",
    "parse_fuzz_input",
    "response_stream_fuzz_target",
]

#: The ``max_message_size`` values an input can pick: the default, the
#: smallest allowed, small ones a fuzzer's inputs can exceed, and the largest.
FUZZ_CAPS: tuple[int, ...] = (DEFAULT_MAX_MESSAGE_SIZE, 16, 17, 64, 256, 4096, 65536, MAX_UINT32)


class FuzzInput(NamedTuple):
    """A fuzz input, parsed."""

    stream: bytes
    cuts: tuple[int, ...]
    max_message_size: int
    fix_checksums: bool


def parse_fuzz_input(data: bytes) -> FuzzInput:
    """Read the control header (see the module docs) off ``data``."""
    control = data[0] if data else 0
    count = control >> 4
    raw_cuts = data[1 : 1 + 2 * count].ljust(2 * count, b"\x00")
    cuts = tuple(int.from_bytes(raw_cuts[i : i + 2], "big") for i in range(0, 2 * count, 2))
    stream = bytes(data[1 + 2 * count :])
    fix = bool(control & 1)
    if fix:
        stream = fix_checksums(stream)
    return FuzzInput(stream, cuts, FUZZ_CAPS[(control >> 1) & 7], fix)


def encode_fuzz_input(
    stream: bytes, cuts: Sequence[int] = (), cap_index: int = 0, fix_checksums: bool = False
) -> bytes:
    """The input that :func:`parse_fuzz_input` reads back as these values
    (up to 15 cuts, each 0..65535): how seed corpora are written."""
    if len(cuts) > 15 or not all(0 <= c <= 0xFFFF for c in cuts):
        raise ValueError("at most 15 cuts, each in 0..65535")
    if not 0 <= cap_index < len(FUZZ_CAPS):
        raise ValueError(f"cap_index must be in 0..{len(FUZZ_CAPS) - 1}")
    control = len(cuts) << 4 | cap_index << 1 | int(fix_checksums)
    return bytes((control,)) + b"".join(c.to_bytes(2, "big") for c in cuts) + bytes(stream)


def decoder_fuzz_target(data: bytes) -> None:
    """Fuzz :class:`~eventstream.Decoder`: :func:`check_decoder` on the parsed input."""
    parsed = parse_fuzz_input(data)
    check_decoder(parsed.stream, parsed.cuts, parsed.max_message_size)


def response_stream_fuzz_target(data: bytes) -> None:
    """Fuzz :class:`~eventstream.aws_lambda.ResponseStreamDecoder`:
    :func:`check_response_stream_decoder` on the parsed input."""
    parsed = parse_fuzz_input(data)
    check_response_stream_decoder(parsed.stream, parsed.cuts, parsed.max_message_size)
