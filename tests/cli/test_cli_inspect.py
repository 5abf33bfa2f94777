"""``eventstream inspect``: the table, the annotated hex dump, and bad messages pinpointed."""

from __future__ import annotations

import re

import pytest

import eventstream as es
from eventstream.testing import raw_frame, raw_header

from .cli_run import fixture, run, stderr_lines

GOOD = es.encode(es.Message({"a": "b"}, b"x"))  # 23 bytes


def rows(output: bytes) -> list[list[str]]:
    """The table rows as [offset, field, rest] (indented header names keep their name)."""
    result = []
    for line in output.decode("utf-8").splitlines():
        match = re.match(r"\s+(\d+)\s{2,}(\S+(?: \S+)?)\s{2,}(.*)$", line)
        if match:
            result.append(list(match.groups()))
    return result


def test_table_of_a_good_stream() -> None:
    result = run("inspect", fixture("lambda-stream.bin"))
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert re.findall(r"^message (\d+) at offset (\d+): (\d+) bytes$", text, re.M) == [
        ("0", "0", "125"),
        ("1", "125", "127"),
        ("2", "252", "121"),
        ("3", "373", "102"),
    ]
    first = rows(result.stdout)[:10]
    assert [(r[0], r[1]) for r in first] == [
        ("0", "total length"),
        ("4", "headers length"),
        ("8", "prelude crc"),
        ("12", "headers"),
        ("12", ":event-type"),
        ("39", ":content-type"),
        ("80", ":message-type"),
        ("102", "payload"),
        ("121", "message crc"),
        ("125", "total length"),
    ]
    assert first[4][2] == 'string "PayloadChunk"'
    assert first[7][2] == r'19 bytes, text: "{\"token\": \"Hello\"}\n"'
    assert text.count("  ok\n") == 8  # two checksums per message, all holding
    assert "WRONG" not in text


def test_every_header_type_is_shown() -> None:
    from .test_cli import ALL_TYPES

    result = run("inspect", stdin=es.encode(ALL_TYPES))
    assert result.returncode == 0, result.stderr
    shown = {r[1]: r[2] for r in rows(result.stdout)}
    assert shown["t"] == "bool_true true"
    assert shown["b"] == "byte -128"
    assert shown["ba"] == "byte_array 0x00ff10"
    assert shown["ts"] == "timestamp 1732406400123 ms (2024-11-24T00:00:00.123+00:00)"
    assert shown["u"] == "uuid 01234567-89ab-cdef-0123-456789abcdef"
    assert shown["payload"] == "9 bytes, binary: ff fe 20 62 69 6e 61 72 79"


def test_message_checksum_error_is_pinpointed() -> None:
    data = bytearray(fixture("lambda-stream.bin").read_bytes())
    data[140] ^= 0x01  # inside message 1's first header name
    result = run("inspect", stdin=bytes(data))
    assert result.returncode == 1
    text = result.stdout.decode()
    assert "bad message at offset 125\n" in text
    bad = {r[1]: r[2] for r in rows(result.stdout.split(b"bad message")[1])}
    assert bad["prelude crc"] == "0x951e109d  ok"
    assert re.fullmatch(
        r"0x9536b899  WRONG: the bytes it covers give 0x[0-9a-f]{8}", bad["message crc"]
    )
    assert "unverified: the message crc is wrong" in bad["headers"]
    assert ":ewent-type" in bad  # the corrupted name, shown as read
    (line,) = stderr_lines(result)
    assert line.startswith(
        "eventstream: error: bad message at offset 125: message checksum mismatch: "
        "the stream says 0x9536b899"
    )
    assert line.endswith("(at byte offset 248)")


def test_prelude_checksum_error_is_pinpointed() -> None:
    data = bytearray(GOOD)
    data[3] ^= 0x40
    result = run("inspect", stdin=bytes(data))
    assert result.returncode == 1
    bad = {r[1]: r[2] for r in rows(result.stdout)}
    assert re.fullmatch(
        r"0x[0-9a-f]{8}  WRONG: the bytes it covers give 0x[0-9a-f]{8}", bad["prelude crc"]
    )
    assert "message crc" not in bad  # the body is not trusted after a bad prelude
    assert stderr_lines(result)[-1].endswith("(at byte offset 8)")


def test_header_error_and_size_cap_are_pinpointed() -> None:
    bad_header = raw_frame(raw_header(b"k", 12, b"x"), b"p")
    result = run("inspect", stdin=GOOD + bad_header)
    assert result.returncode == 1
    bad = {r[1]: r[2] for r in rows(result.stdout.split(b"bad message")[1])}
    assert bad["headers"].endswith(
        "WRONG at byte offset 37: header 'k': unknown value type 12; expected 0..9"
    )
    assert bad["message crc"].endswith("ok")
    assert stderr_lines(result) == [
        "eventstream: error: bad message at offset 23: header 'k': unknown value type 12; "
        "expected 0..9 (at byte offset 37)"
    ]

    capped = run("inspect", "--max-message-size", "100", fixture("lambda-stream.bin"))
    assert capped.returncode == 1
    first = rows(capped.stdout)[0]
    assert first == [
        "0",
        "total length",
        "125  WRONG: message of 125 bytes exceeds max_message_size=100",
    ]


def test_truncated_stream() -> None:
    result = run("inspect", fixture("lambda-truncated.bin"))
    assert result.returncode == 1
    text = result.stdout.decode()
    assert "bad message at offset 373\n" in text
    assert "60 bytes after the prelude, of the 90 it announces" in text
    assert stderr_lines(result)[-1] == (
        "eventstream: error: bad message at offset 373: stream ended after 72 bytes of a "
        "message; expected the 102-byte message its prelude announces (at byte offset 373)"
    )
    short = run("inspect", stdin=GOOD + b"\x00\x00\x00")
    assert short.returncode == 1
    assert "expected a 12-byte prelude (at byte offset 23)" in stderr_lines(short)[-1]


def test_hex_dump_marks_every_field() -> None:
    result = run("inspect", "--hex", stdin=GOOD)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "message 0 at offset 0: 23 bytes"
    dump = [re.split(r"\s{2,}", line.strip()) for line in lines[1:] if line.strip()]
    assert dump == [
        ["0", "00 00 00 17", "|....|", "total length: 23"],
        ["4", "00 00 00 06", "|....|", "headers length: 6"],
        ["8", "5e 81 31 ce", "|^.1.|", "prelude crc: 0x5e8131ce", "ok"],
        ["12", "01 61 07 00 01 62", "|.a...b|", 'a: string "b"'],
        ["18", "78", "|x|", 'payload: 1 byte, text: "x"'],
        ["19", "84 aa 2e aa", "|....|", "message crc: 0x84aa2eaa", "ok"],
    ]
    # The bytes shown are the message's bytes, in order.
    shown = bytes.fromhex(" ".join(row[1] for row in dump))
    assert shown == GOOD


def test_hex_limit() -> None:
    message = es.encode(es.Message({"a": "b"}, bytes(range(100))))
    limited = run("inspect", "--hex", "--hex-limit", "16", stdin=message).stdout.decode()
    assert "... 84 more bytes of payload" in limited
    default = run("inspect", "--hex", stdin=message).stdout.decode()  # 256 by default
    everything = run("inspect", "--hex", "--hex-limit", "0", stdin=message).stdout.decode()
    assert "more bytes" not in default and default == everything
    offsets = [int(line.split()[0]) for line in everything.splitlines()[1:] if line.strip()]
    assert offsets == [0, 4, 8, 12, 18, 34, 50, 66, 82, 98, 114, 118]  # payload: 16 a line


def test_hex_dump_of_a_bad_message() -> None:
    data = bytearray(GOOD)
    data[-1] ^= 0xFF
    result = run("inspect", "--hex", stdin=bytes(data))
    assert result.returncode == 1
    text = result.stdout.decode()
    assert re.search(
        r"^\s+19  84 aa 2e 55 .*message crc: 0x84aa2e55  "
        r"WRONG: the bytes it covers give 0x84aa2eaa$",
        text,
        re.M,
    )
    assert "  error: message checksum mismatch" in text


@pytest.mark.parametrize(
    ("frame", "field", "reason"),
    [
        (
            raw_frame(b"", total_length=15),
            "total length",
            "total length 15 is below the 16-byte minimum",
        ),
        (raw_frame(b"", headers_length=1), "headers length", "headers length 1 runs past the end"),
    ],
)
def test_impossible_lengths_are_pinpointed(frame: bytes, field: str, reason: str) -> None:
    result = run("inspect", stdin=frame)
    assert result.returncode == 1
    bad = {r[1]: r[2] for r in rows(result.stdout)}
    assert bad[field].split("  WRONG: ")[1].startswith(reason)
    assert bad["prelude crc"].endswith("ok")
