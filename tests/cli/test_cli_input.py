"""``--input raw|hex|base64|escaped|auto``: the textual dump forms.

The decoders are checked in-process on random bytes cut into random pieces
(incremental decoding must not depend on where a read block ends), then
through the real entry point on the bundled dumps, stdin included.
"""

from __future__ import annotations

import base64
import functools
import json
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from eventstream._cli._errors import CliError
from eventstream._cli._input import detect_form, make_form
from eventstream.testing import splits

from .cli_run import fixture, run, stderr_lines

RAW = fixture("lambda-stream.bin").read_bytes()


def python_repr_lines(data: bytes, width: int) -> bytes:
    """``repr(data)`` wrapped every ``width`` characters, as a terminal paste may be."""
    text = repr(data)
    return "\n".join(text[i : i + width] for i in range(0, len(text), width)).encode()


def quoted_lines(data: bytes, width: int) -> bytes:
    """One quoted JSON string per line of ``width`` bytes, indented."""
    return b"".join(
        b"    " + json.dumps(data[i : i + width].decode("latin-1")).encode() + b"\n"
        for i in range(0, len(data), width)
    )


DUMPS = {
    "hex": lambda data: data.hex().encode(),
    "hex-spaced": lambda data: data.hex(" ", 4).upper().encode() + b"\n",
    "base64": lambda data: base64.encodebytes(data),
    "base64-unpadded": lambda data: base64.b64encode(data).rstrip(b"="),
    "base64-urlsafe": lambda data: base64.urlsafe_b64encode(data),
    "escaped-json": lambda data: json.dumps(data.decode("latin-1")).encode(),
    "escaped-json-bare": lambda data: json.dumps(data.decode("latin-1")).encode()[1:-1],
    "escaped-repr": lambda data: python_repr_lines(data, 37),
    "escaped-quoted-lines": lambda data: quoted_lines(data, 9),
    "escaped-latin1-utf8": lambda data: json.dumps(
        data.decode("latin-1"), ensure_ascii=False
    ).encode("utf-8"),
}


def decode_pieces(form_name: str, pieces: list[bytes]) -> bytes:
    form = make_form(form_name)
    return b"".join(form.feed(piece) for piece in pieces) + form.close()


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(DUMPS)), st.binary(max_size=300), st.data())
def test_forms_decode_any_bytes_in_any_pieces(name: str, data: bytes, draw: st.DataObject) -> None:
    dump = DUMPS[name](data)
    # A bare dump that starts like a quoted literal is read as one (the form's
    # rule: a line opening with a quote gives the text between its quotes).
    assume(name != "escaped-json-bare" or re.match(rb"\s*b?['\"]", dump) is None)
    pieces = draw.draw(splits(dump))
    form_name = name.split("-")[0]
    assert decode_pieces(form_name, pieces) == data


@pytest.mark.parametrize("name", sorted(DUMPS))
def test_detect_form_of_every_dump_of_a_capture(name: str) -> None:
    assert detect_form(DUMPS[name](RAW)) == name.split("-")[0]


def test_long_escaped_line_is_decoded_in_pieces() -> None:
    # One line far longer than the piece size: decoded as it comes, with a
    # closing quote at the very end.
    data = bytes(range(256)) * 2000
    dump = json.dumps(data.decode("latin-1")).encode()
    pieces = [dump[i : i + 65536] for i in range(0, len(dump), 65536)]
    form = make_form("escaped")
    early = form.feed(pieces[0]) + form.feed(pieces[1])
    assert len(early) > 30_000  # not held until the line ends
    assert early + b"".join(form.feed(p) for p in pieces[2:]) + form.close() == data


@pytest.mark.parametrize(
    ("form", "dump", "expected"),
    [
        ("hex", b"0000 00zz", "byte b'z' at input offset 7 is not a hex digit"),
        ("hex", b"000", "odd number of hex digits"),
        ("base64", b"AAA*", "byte b'*' at input offset 3 is not a base64 character"),
        ("base64", b"AA==AAAA", "'=' padding in the middle"),
        ("base64", b"AAAAA", "ends with a lone character"),
        ("escaped", b"\\x00\\q", "unknown escape \\q at line 1"),
        ("escaped", b"ok\n\\u0100", "\\u0100 at line 2 is not a byte"),
        ("escaped", "\u20ac".encode(), "character U+20AC at line 1 is not a byte"),
        ("escaped", "\ufffd".encode(), "U+FFFD (replacement character)"),
        ("escaped", b"\\x00\\", "the text ends with a backslash"),
        ("escaped", b"\xff", "not UTF-8 text"),
    ],
)
def test_form_errors(form: str, dump: bytes, expected: str) -> None:
    with pytest.raises(CliError) as caught:
        decode_pieces(form, [dump])
    assert expected in str(caught.value)


def test_detect_form() -> None:
    assert detect_form(RAW[:100]) == "raw"
    assert detect_form(b"") == "raw"
    assert detect_form(b"0000007d 0000005a\n") == "hex"
    assert detect_form(b"AAAAfQAAAFrv3kP9Czpldm") == "base64"
    assert detect_form(b'b"\\x00\\x00"') == "escaped"
    with pytest.raises(CliError, match="cannot tell the input form"):
        detect_form(b"hello, world")


@functools.cache
def raw_output(command: str) -> bytes:
    result = run(command, fixture("lambda-stream.bin"))
    assert result.returncode == 0
    return result.stdout


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("lambda-stream.hex", "hex"),
        ("lambda-stream.b64", "base64"),
        ("lambda-stream.escaped.txt", "escaped"),
    ],
)
def test_every_command_reads_the_bundled_dumps(name: str, form: str) -> None:
    for command, option in [
        ("decode", form),
        ("decode", "auto"),
        ("inspect", form),
        ("lambda", "auto"),
    ]:
        result = run(command, "--input", option, fixture(name))
        assert result.returncode == 0, result.stderr
        assert result.stdout == raw_output(command)
    # And from stdin.
    piped = run("decode", "--input", "auto", stdin=fixture(name).read_bytes())
    assert piped.stdout == raw_output("decode")


def test_raw_is_the_default_and_auto_reads_raw() -> None:
    assert run("decode", "--input", "auto", fixture("lambda-stream.bin")).stdout == (
        run("decode", fixture("lambda-stream.bin")).stdout
    )
    # A hex dump read as raw bytes is not a stream.
    result = run("decode", fixture("lambda-stream.hex"))
    assert result.returncode == 1
    assert "checksum mismatch" in stderr_lines(result)[0]


def test_input_errors_exit_1_with_one_line() -> None:
    result = run("decode", "--input", "hex", stdin=b"00 0g")
    assert result.returncode == 1
    assert stderr_lines(result) == [
        "eventstream: error: --input hex: byte b'g' at input offset 4 is not a hex digit or "
        "whitespace"
    ]
    auto = run("inspect", "--input", "auto", stdin=b"hello, world")
    assert auto.returncode == 1
    assert "cannot tell the input form" in stderr_lines(auto)[0]
