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

The targets of the layers around the codec (HTTP-integration splitter, error
replies, header dicts, the CLI's input forms and ``--resync`` reader) read the same
control byte and cuts; the low four bits of the control byte mean what each
target's docstring says, and their properties are in ``_layer_checks``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from .._errors import EncodeError
from .._format import DEFAULT_MAX_MESSAGE_SIZE, MAX_UINT32
from .._values import Byte, Integer, Long, Short, Timestamp
from ._check import check_decoder, check_response_stream_decoder
from ._frames import fix_checksums
from ._layer_checks import (
    check_cli_input,
    check_error_response,
    check_header_dict,
    check_http_integration,
    check_resync,
    write_form,
)

__all__ = [
    "CLI_INPUT_FORMS",
    "FUZZ_CAPS",
    "HTTP_PRELUDE_CAPS",
    "RESYNC_CAPS",
    "RESYNC_MAX_INPUT",
    "FuzzInput",
    "cli_input_fuzz_target",
    "decoder_fuzz_target",
    "encode_fuzz_input",
    "error_response_fuzz_target",
    "header_dict_fuzz_target",
    "http_integration_fuzz_target",
    "parse_fuzz_input",
    "response_stream_fuzz_target",
    "resync_fuzz_target",
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


def _split_input(data: bytes) -> tuple[int, tuple[int, ...], bytes]:
    """The control byte, the cuts it announces, and the rest of ``data``."""
    control = data[0] if data else 0
    count = control >> 4
    raw_cuts = data[1 : 1 + 2 * count].ljust(2 * count, b"\x00")
    cuts = tuple(int.from_bytes(raw_cuts[i : i + 2], "big") for i in range(0, 2 * count, 2))
    return control, cuts, bytes(data[1 + 2 * count :])


def parse_fuzz_input(data: bytes) -> FuzzInput:
    """Read the control header (see the module docs) off ``data``."""
    control, cuts, stream = _split_input(data)
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


# --- the layers around the codec ------------------------------------------------------

#: ``max_prelude_size`` values the HTTP-integration target picks from.
HTTP_PRELUDE_CAPS: tuple[int, ...] = (16 * 1024, 2, 24, 256)


def http_integration_fuzz_target(data: bytes) -> None:
    """Fuzz :class:`~eventstream.aws_lambda.HttpIntegrationSplitter`: control bits 0-1
    pick ``max_prelude_size`` from :data:`HTTP_PRELUDE_CAPS`; the rest is the joined
    payload, fed in the pieces the cuts make."""
    control, cuts, payload = _split_input(data)
    check_http_integration(payload, cuts, HTTP_PRELUDE_CAPS[control & 3])


def _header_lines(block: bytes) -> list[tuple[bytes, bytes]]:
    pairs = []
    for line in block.split(b"\n"):
        name, _, value = line.partition(b":")
        pairs.append((name, value))
    return pairs


def error_response_fuzz_target(data: bytes) -> None:
    """Fuzz :func:`~eventstream.aws_lambda.error_from_response`.

    Control bits 0-1: the headers as ``str`` pairs, ``bytes`` pairs, a ``str`` dict or a
    ``bytes`` dict; bits 2-3: the body as ``bytes``, ``str``, ``memoryview`` or ``None``.
    Then the status (uint16), the length of the header block (one byte), the header
    block (``name:value`` lines), and the body.
    """
    control, _, rest = _split_input(data)
    status = int.from_bytes(rest[:2].ljust(2, b"\x00"), "big")
    size = rest[2] if len(rest) > 2 else 0
    raw_pairs = _header_lines(rest[3 : 3 + size])
    raw_body = rest[3 + size :]
    text_pairs = [(n.decode("latin-1"), v.decode("latin-1")) for n, v in raw_pairs]
    headers: Any = (text_pairs, raw_pairs, dict(text_pairs), dict(raw_pairs))[control & 3]
    body: Any = (
        raw_body,
        raw_body.decode("utf-8", "surrogateescape"),
        memoryview(raw_body),
        None,
    )[(control >> 2) & 3]
    check_error_response(status, headers, body)


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
# Milliseconds from the epoch to the ends of datetime's range (years 1 and 9999).
_DATETIME_MS = (-62_135_596_800_000, 253_402_300_799_999)


def _header_value(kind: int, raw: bytes) -> Any:
    number = int.from_bytes(raw, "big", signed=True)
    kind &= 15
    if kind == 0:
        return bool(raw[:1] and raw[0] & 1)
    if 1 <= kind <= 4:
        return (Byte, Short, Integer, Long)[kind - 1](number)  # may be out of range
    if kind == 5:
        return number
    if kind in (6, 7, 8):
        return (bytes, bytearray, memoryview)[kind - 6](raw)
    if kind == 9:
        return raw.decode("utf-8", "surrogateescape")  # lone surrogates too
    if kind == 10:
        return Timestamp(number)  # may be out of int64 range
    if kind == 11:
        return uuid.UUID(bytes=raw[:16].ljust(16, b"\x00"))
    if kind in (12, 13):
        low, high = _DATETIME_MS
        moment = _EPOCH + datetime.timedelta(milliseconds=low + number % (high - low))
        return moment if kind == 12 else moment.replace(tzinfo=None)  # naive: refused
    if kind == 14:
        return float(len(raw))  # not a header type: refused
    return raw.decode("latin-1")


def header_dict_fuzz_target(data: bytes) -> None:
    """Fuzz building and encoding headers from a dict of Python values.

    After the control byte (unused but for the cuts), records: a kind byte, a name
    length byte, the name, a value length byte, the value.  Kind bits 0-3 pick the
    value's type (every accepted one, out-of-range sized ints and timestamps, naive
    datetimes, floats); bit 4 reads the name as latin-1 instead of UTF-8 with
    surrogates; bit 5 makes the name ``bytes`` (refused); bit 6 doubles the name;
    bit 7 repeats the value 200 times (past the 32,767-byte value limit).
    """
    _, _, rest = _split_input(data)
    pairs: list[tuple[Any, Any]] = []
    pos = 0
    while pos < len(rest):
        kind = rest[pos]
        name_size = rest[pos + 1] if pos + 1 < len(rest) else 0
        raw_name = rest[pos + 2 : pos + 2 + name_size]
        pos += 2 + name_size
        value_size = rest[pos] if pos < len(rest) else 0
        raw_value = rest[pos + 1 : pos + 1 + value_size]
        pos += 1 + value_size
        if kind & 64:
            raw_name += raw_name
        if kind & 128:
            raw_value *= 200
        name: Any = raw_name
        if not kind & 32:
            name = raw_name.decode("latin-1" if kind & 16 else "utf-8", "surrogateescape")
        try:
            value = _header_value(kind, raw_value)
        except EncodeError:
            continue  # a sized int or timestamp out of range, refused as it should be
        pairs.append((name, value))
    check_header_dict(pairs, b"")


#: The ``--input`` forms the CLI input target picks from.
CLI_INPUT_FORMS: tuple[str, ...] = ("hex", "base64", "escaped", "auto")
# Inputs are repeated past this size to reach the escaped form's long-line path.
_LONG_LINE = 70 * 1024


def _longer(data: bytes, control: int, size: int) -> bytes:
    """``data`` repeated until ``size`` (what ``data`` measures) passes ``_LONG_LINE``,
    when control bit 3 asks for it."""
    if not control & 8 or not data or not size:
        return data
    return data * -(-_LONG_LINE // size)


def cli_input_fuzz_target(data: bytes) -> None:
    """Fuzz the CLI's ``--input`` forms.

    Control bits 0-1 pick the form from :data:`CLI_INPUT_FORMS`; bit 3 repeats the
    rest until the text passes 70 KiB (one long line unless it holds line breaks).
    Bit 2 clear: the rest is the text, read in the pieces the cuts make.
    Bit 2 set: the rest is bytes,
    written in the form by :func:`write_form` (hex for ``auto``; the number of cuts
    picks the layout), which must read back as those bytes.
    """
    control, cuts, rest = _split_input(data)
    form = CLI_INPUT_FORMS[control & 3]
    if not control & 4:
        check_cli_input(form, _longer(rest, control, len(rest)), cuts)
        return
    writer = "hex" if form == "auto" else form
    text = write_form(writer, rest, len(cuts))
    if control & 8 and rest:
        # Long enough as text, however much the form expands the bytes.
        rest = _longer(rest, control, len(text))
        text = write_form(writer, rest, len(cuts))
    got = check_cli_input(form, text, cuts)
    assert got == rest, f"--input {form} read {got!r} back, not the bytes written"


#: The ``max_message_size`` values the resync target picks from.
RESYNC_CAPS: tuple[int, ...] = (16, 17, 64, 256, 1024, 4096, 16384, 65536)
#: The resync target looks at this many bytes of a stream at most: scanning costs up to
#: the stream's size per candidate offset, so the bound keeps each run fast.
RESYNC_MAX_INPUT = 8192


def resync_fuzz_target(data: bytes) -> None:
    """Fuzz the CLI's frame reader with and without ``--resync``: control bit 0
    recomputes the stream's CRCs first, bits 1-3 pick ``max_message_size`` from
    :data:`RESYNC_CAPS`; the stream (its first :data:`RESYNC_MAX_INPUT` bytes) is read
    in the blocks the cuts make."""
    control, cuts, stream = _split_input(data)
    stream = stream[:RESYNC_MAX_INPUT]
    if control & 1:
        stream = fix_checksums(stream)
    check_resync(stream, cuts, RESYNC_CAPS[(control >> 1) & 7])
