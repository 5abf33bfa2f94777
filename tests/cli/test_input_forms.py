"""Textual input forms: long escaped lines, ``--input auto`` after blank space, dump listings."""

from __future__ import annotations

import base64
import subprocess

import pytest

import eventstream as es
from eventstream._cli._errors import CliError
from eventstream._cli._input import EscapedForm

from .cli_run import fixture, json_lines, run, stderr_lines


@pytest.mark.parametrize("slashes", [16, 17, 31, 32, 40])
@pytest.mark.parametrize("cut", ["whole", "after the quote", "in the run"])
@pytest.mark.parametrize("newline", [True, False])
def test_long_quoted_line_ending_in_backslashes(slashes: int, cut: str, newline: bool) -> None:
    # Over 64 KiB, so the line is decoded in pieces; 2n backslashes are n
    # backslash bytes and the quote closes; 2n+1 escape the quote itself.
    text = '"' + "A" * 70_000 + "\\" * slashes + '"' + ("\n" if newline else "")
    data = text.encode()
    at = {"whole": len(data), "after the quote": 70_002 + slashes, "in the run": 70_009}[cut]
    form = EscapedForm()
    if slashes % 2:  # the quote is escaped: the literal never closes, which is said
        with pytest.raises(CliError, match="opened on line 1 never closes"):
            form.feed(data[:at]) + form.feed(data[at:]) + form.close()
        return
    got = form.feed(data[:at]) + form.feed(data[at:]) + form.close()
    assert got == b"A" * 70_000 + b"\\" * (slashes // 2)


@pytest.mark.parametrize("text", ["'", "'abc", '  b"x\\x41', '"a\\"'])
def test_a_last_line_that_opens_a_quote_it_never_closes_keeps_the_quote(text: str) -> None:
    # No quoted literal after all: the line is taken as it is (it was lost before).
    form = EscapedForm()
    expected = text.replace("\\x41", "A").replace('\\"', '"').encode("latin-1")
    assert form.feed(text.encode()) + form.close() == expected


def _hex_lines(data: bytes) -> bytes:
    text = data.hex()
    return "\n".join(text[i : i + 64] for i in range(0, len(text), 64)).encode() + b"\n"


@pytest.mark.parametrize("blank", [70_000, 5_000])
def test_auto_decides_on_the_first_non_blank_bytes(blank: int) -> None:
    data = fixture("lambda-stream.bin").read_bytes()
    for dump in (base64.b64encode(data) + b"\n", _hex_lines(data)):
        result = run("decode", "--input", "auto", stdin=b" \n" * (blank // 2) + dump)
        assert result.returncode == 0, result.stderr
        assert len(json_lines(result.stdout)) == 4


@pytest.mark.parametrize(
    "tool",
    [["od", "-A", "d", "-t", "x1"], ["od", "-t", "x1"], ["hexdump", "-C"], ["xxd"]],
    ids=lambda tool: " ".join(tool),
)
@pytest.mark.parametrize("form", ["auto", "hex"])
def test_offset_column_listings_are_refused_clearly(tool: list[str], form: str) -> None:
    data = fixture("lambda-stream.bin").read_bytes()
    try:
        listing = subprocess.run(tool, input=data, capture_output=True, check=True).stdout
    except FileNotFoundError:
        pytest.skip(f"{tool[0]} is not installed")
    result = run("decode", "--input", form, stdin=listing)
    assert result.returncode == 1
    assert result.stdout == b""
    (line,) = stderr_lines(result)
    assert "looks like an od, hexdump or xxd listing" in line
    assert "checksum" not in line


def test_plain_od_bytes_are_read() -> None:
    data = fixture("lambda-stream.bin").read_bytes()
    try:
        listing = subprocess.run(
            ["od", "-An", "-v", "-tx1"], input=data, capture_output=True, check=True
        ).stdout
    except FileNotFoundError:
        pytest.skip("od is not installed")
    result = run("decode", "--input", "auto", stdin=listing)
    assert result.returncode == 0
    assert len(json_lines(result.stdout)) == 4


def test_raw_input_that_is_text_suggests_auto() -> None:
    data = es.encode(es.Message({"k": "v"}, b"x"))
    result = run("decode", stdin=base64.b64encode(data) + b"\n")
    assert result.returncode == 1
    assert stderr_lines(result)[-1].endswith(
        "; the input looks like a text dump, not raw bytes: try --input auto"
    )
    # A truly bad raw stream gets no such hint.
    bad = bytearray(data)
    bad[8] ^= 1
    assert "try --input auto" not in run("decode", stdin=bytes(bad)).stderr.decode()
