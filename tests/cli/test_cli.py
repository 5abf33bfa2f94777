"""The command-line tool: usage, decode's JSON form, encode, and the decode | encode round trip.

Every test runs the real entry point in a subprocess (see ``cli_run``).
"""

from __future__ import annotations

import base64
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eventstream as es
from eventstream._crc import CRC32_BACKEND
from eventstream._feedgate import FEED_GATE
from eventstream.testing import messages

from .cli_run import CONSOLE_SCRIPT, fixture, json_lines, live, run, stderr_lines

TOKENS = [b'{"token": "Hello"}\n', b'{"token": ", world"}\n', b'{"token": "!"}\n']

#: One header of every wire type, so every stream in the round trip has all ten.
ALL_TYPES = es.Message(
    [
        ("t", True),
        ("f", False),
        ("b", es.Byte(-128)),
        ("s", es.Short(32767)),
        ("i", es.Integer(-(2**31))),
        ("l", es.Long(2**63 - 1)),
        ("ba", b"\x00\xff\x10"),
        ("str", "h\u00e9llo \u2603 \U0001f600 \u2028\x85"),
        ("ts", es.Timestamp(1732406400123)),
        ("u", uuid.UUID("01234567-89ab-cdef-0123-456789abcdef")),
    ],
    b"\xff\xfe binary",
)


def test_usage_and_exit_status_2() -> None:
    helped = run("--help")
    assert helped.returncode == 0
    for command in ("decode", "encode", "inspect", "lambda"):
        assert command.encode() in helped.stdout
    assert b"exit status" in helped.stdout
    for command in ("decode", "encode", "inspect", "lambda"):
        sub = run(command, "--help")
        assert sub.returncode == 0 and b"\n  2 bad usage\n" in sub.stdout
    version = run("--version")
    assert (
        version.returncode == 0
        and version.stdout.strip()
        == f"eventstream {es.__version__} (feed: {FEED_GATE}, crc32: {CRC32_BACKEND})".encode()
    )
    assert run().returncode == 2  # no command
    assert run("frobnicate").returncode == 2
    bad_size = run("decode", "--max-message-size", "15", fixture("lambda-stream.bin"))
    assert bad_size.returncode == 2 and b"16..4294967295" in bad_size.stderr
    assert run("decode", "--input", "morse").returncode == 2
    assert run("inspect", "--hex-limit", "-1").returncode == 2


def test_missing_file_is_a_one_line_error() -> None:
    result = run("decode", "/nonexistent/capture.bin")
    assert result.returncode == 1
    assert stderr_lines(result) == [
        "eventstream: error: cannot open /nonexistent/capture.bin: No such file or directory"
    ]


def test_decode_fixture() -> None:
    result = run("decode", fixture("lambda-stream.bin"))
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    data = fixture("lambda-stream.bin").read_bytes()
    assert [r["payload"].encode() for r in records] == [*TOKENS, b"{}"]
    assert {r["payload_encoding"] for r in records} == {"text"}
    # Offsets and lengths are the wire's: each record's bytes decode to its content.
    offset = 0
    for record in records:
        assert record["offset"] == offset
        wire = data[offset : offset + record["total_length"]]
        message = es.decode(wire)
        assert record["headers_length"] == len(es.encode_headers(message.headers))
        assert record["headers"] == [
            {"name": name, "type": "string", "value": value}
            for name, value in message.headers.items()
        ]
        offset += record["total_length"]
    assert offset == len(data)
    assert [r["headers"][0]["value"] for r in records] == ["PayloadChunk"] * 3 + ["InvokeComplete"]


def test_decode_max_message_size() -> None:
    # The largest message of the fixture is 127 bytes: a cap of 127 passes, 126 stops there.
    assert run("decode", "--max-message-size", "127", fixture("lambda-stream.bin")).returncode == 0
    capped = run("decode", "--max-message-size", "0x7e", fixture("lambda-stream.bin"))
    assert capped.returncode == 1
    assert len(json_lines(capped.stdout)) == 1
    assert stderr_lines(capped) == [
        "eventstream: error: bad message at offset 125: message of 127 bytes exceeds "
        "max_message_size=126 "
        "(at byte offset 125)"
    ]


def test_decode_reads_stdin_with_dash_or_no_file() -> None:
    data = fixture("lambda-stream.bin").read_bytes()
    from_file = run("decode", fixture("lambda-stream.bin")).stdout
    assert run("decode", "-", stdin=data).stdout == from_file
    assert run("decode", stdin=data).stdout == from_file


def test_header_value_forms() -> None:
    result = run("decode", stdin=es.encode(ALL_TYPES))
    assert result.returncode == 0, result.stderr
    (record,) = json_lines(result.stdout)
    assert record["headers"] == [
        {"name": "t", "type": "bool_true", "value": True},
        {"name": "f", "type": "bool_false", "value": False},
        {"name": "b", "type": "byte", "value": -128},
        {"name": "s", "type": "short", "value": 32767},
        {"name": "i", "type": "integer", "value": -(2**31)},
        {"name": "l", "type": "long", "value": 2**63 - 1},
        {"name": "ba", "type": "byte_array", "value": "AP8Q"},
        {"name": "str", "type": "string", "value": "h\u00e9llo \u2603 \U0001f600 \u2028\x85"},
        {
            "name": "ts",
            "type": "timestamp",
            "value": 1732406400123,
            "iso8601": "2024-11-24T00:00:00.123+00:00",
        },
        {"name": "u", "type": "uuid", "value": "01234567-89ab-cdef-0123-456789abcdef"},
    ]
    assert record["payload_encoding"] == "base64"
    assert base64.b64decode(record["payload"]) == b"\xff\xfe binary"


@pytest.mark.parametrize(
    ("form", "payload", "encoding", "shown"),
    [
        ("auto", b'{"a": 1}', "text", '{"a": 1}'),
        ("auto", b"\x00\xff", "base64", "AP8="),
        ("base64", b"hi", "base64", "aGk="),
        ("hex", b"\x00\xffA", "hex", "00ff41"),
        ("text", b"ok\xff", "text", "ok\udcff"),
        ("json", b'{"a": [1, 2]}', "json", {"a": [1, 2]}),
        ("json", b"not json", "text", "not json"),
        ("json", b"\xff", "base64", "/w=="),
    ],
)
def test_payload_forms(form: str, payload: bytes, encoding: str, shown: object) -> None:
    data = es.encode(es.Message({"k": "v"}, payload))
    result = run("decode", "--payload", form, stdin=data)
    assert result.returncode == 0, result.stderr
    (record,) = json_lines(result.stdout)
    assert (record["payload_encoding"], record["payload"]) == (encoding, shown)
    back = run("encode", stdin=result.stdout)
    assert back.returncode == 0, back.stderr
    if encoding == "json":  # re-serialized compactly, by design
        assert es.decode(back.stdout).payload == b'{"a":[1,2]}'
    else:
        assert back.stdout == data


def test_encode_reads_a_file_and_skips_blank_lines(tmp_path: Path) -> None:
    lines = run("decode", fixture("lambda-stream.bin")).stdout
    path = tmp_path / "messages.jsonl"
    path.write_bytes(b"\n" + lines.replace(b"\n", b"\n\n"))
    result = run("encode", path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == fixture("lambda-stream.bin").read_bytes()


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (b"not json", "line 2: Expecting value"),
        (b"[1]", "line 2: expected a JSON object per line"),
        (b'{"headers": [{"name": "a", "type": "int8", "value": 1}]}', "'type' must be one of"),
        (b'{"headers": [{"name": "a", "type": "byte", "value": 128}]}', "out of range"),
        (b'{"headers": [{"name": "a", "type": "byte", "value": "1"}]}', "expected an integer"),
        (b'{"headers": [{"name": "a", "type": "bool_true", "value": false}]}', "expected true"),
        (b'{"headers": [{"name": "a", "type": "byte_array", "value": "!!"}]}', "not base64"),
        (b'{"headers": [{"name": "a", "type": "uuid", "value": "xyz"}]}', "header 'a' (uuid)"),
        (b'{"headers": [{"name": "a", "type": "string"}]}', "header 'a': no 'value'"),
        (
            b'{"headers": [{"name": "a", "type": "long", "value": 1},'
            b' {"name": "a", "type": "long", "value": 2}]}',
            "duplicate header name 'a'",
        ),
        (b'{"payload_encoding": "rot13", "payload": "x"}', "payload_encoding must be one of"),
        (b'{"payload_encoding": "hex", "payload": "xyz"}', "payload is not hex"),
        (b'{"payload": NaN}', "payload holds NaN or Infinity, which JSON has no form for"),
        (b'{"payload": {"a": [-Infinity]}}', "payload holds NaN or Infinity"),
        (b'{"payload_encoding": "json", "payload": Infinity}', "payload holds NaN or Infinity"),
        (b'{"headers": [{"name": "", "type": "long", "value": 1}]}', "1..255 bytes"),
        (
            b'{"headers": [{"name": "a", "type": "string", "value": "' + b"x" * 40000 + b'"}]}',
            "32767-byte limit",
        ),
    ],
)
def test_encode_errors_name_the_line(line: bytes, expected: str) -> None:
    good = b'{"headers": [], "payload": "ok"}\n'
    result = run("encode", stdin=good + line + b"\n")
    assert result.returncode == 1
    (message,) = stderr_lines(result)
    assert message.startswith("eventstream: error: line 2: ")
    assert expected in message
    assert result.stdout == es.encode(es.Message({}, b"ok"))  # line 1 was written


@settings(max_examples=8, deadline=None)
@given(st.lists(st.lists(messages(), max_size=4), min_size=1, max_size=4))
def test_decode_encode_round_trip_is_byte_exact(streams: list[list[es.Message]]) -> None:
    # Several random streams, concatenated (a stream of streams is a stream),
    # each with a message holding all ten header types.
    data = b"".join(es.encode(m) for stream in streams for m in [ALL_TYPES, *stream])
    decoded = run("decode", stdin=data)
    assert decoded.returncode == 0, decoded.stderr
    assert decoded.stdout.count(b"\n") == sum(len(s) + 1 for s in streams)
    assert len(decoded.stdout.decode("utf-8").splitlines()) == decoded.stdout.count(b"\n")
    encoded = run("encode", stdin=decoded.stdout)
    assert encoded.returncode == 0, encoded.stderr
    assert encoded.stdout == data


@pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="console script not installed")
def test_console_script_pipeline(tmp_path: Path) -> None:
    # The README's pipeline, through the installed console script and a shell pipe.
    script = str(CONSOLE_SCRIPT)
    source = fixture("lambda-stream.bin")
    result = subprocess.run(
        f"'{script}' decode '{source}' | '{script}' encode",
        shell=True,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == source.read_bytes()


def test_broken_pipe_is_quiet() -> None:
    data = b"".join(es.encode(es.Message({"i": es.Integer(i)}, b"x" * 1000)) for i in range(3000))
    result = subprocess.run(
        f"'{sys.executable}' -m eventstream decode | head -n 1",
        shell=True,
        input=data,
        capture_output=True,
        timeout=60,
    )
    assert result.stdout.count(b"\n") == 1
    assert b"Traceback" not in result.stderr and b"Error" not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["decode", "inspect", "lambda"])
def test_full_disk_is_a_one_line_error(command: str) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "eventstream", command, str(fixture("lambda-stream.bin"))],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert result.returncode == 1
    assert stderr_lines(result) == [
        "eventstream: error: cannot write output: No space left on device"
    ]


@pytest.mark.skipif(sys.platform == "win32", reason="closes fd 1 with a POSIX shell")
def test_closed_stdout_is_a_one_line_error() -> None:
    result = subprocess.run(
        f"'{sys.executable}' -m eventstream decode '{fixture('lambda-stream.bin')}' >&-",
        shell=True,
        stderr=subprocess.PIPE,
        timeout=60,
    )
    assert result.returncode == 1
    assert stderr_lines(result) == ["eventstream: error: cannot write output: stdout is closed"]


def test_encode_passes_a_live_pipe_on_as_it_arrives() -> None:
    first = es.encode(es.Message({"k": "first"}, b"1"))
    rest = es.encode(es.Message({"k": "second"}, b"2"))
    lines = run("decode", stdin=first + rest).stdout
    cut = lines.index(b"\n") + 1
    # The second line arrives in two pieces: nothing of it is written until it ends.
    early, late = live(["encode"], lines[:cut] + lines[cut : cut + 10], lines[cut + 10 :])
    assert (early, late) == (first, rest)
