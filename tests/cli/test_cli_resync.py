"""``--resync``: skipped ranges reported exactly; without it the first error stops with status 1.
Also the memory bound: a capture is never held whole, and neither is a scan over garbage.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eventstream as es
from eventstream._cli._frames import BadStretch, FrameReader, GoodMessage
from eventstream.testing import messages, raw_frame, raw_header

from .cli_run import fixture, json_lines, run, stderr_lines

SKIP_LINE = re.compile(r"^eventstream: skipped (\d+) bytes \[(\d+), (\d+)\): (.*)$")


def skipped(result: subprocess.CompletedProcess[bytes]) -> list[tuple[int, int]]:
    ranges = []
    for line in stderr_lines(result):
        match = SKIP_LINE.match(line)
        assert match, line
        size, start, end = map(int, match.groups()[:3])
        assert size == end - start
        ranges.append((start, end))
    return ranges


def test_garbage_fixture_without_resync_stops_at_the_first_error() -> None:
    result = run("decode", fixture("lambda-garbage.bin"))
    assert result.returncode == 1
    assert len(json_lines(result.stdout)) == 1  # what came before the error is written
    (line,) = stderr_lines(result)
    assert line.startswith(
        "eventstream: error: bad message at offset 125: prelude checksum mismatch"
    )
    assert line.endswith("(at byte offset 133)")


@pytest.mark.parametrize("command", ["decode", "inspect"])
def test_garbage_fixture_with_resync(command: str) -> None:
    result = run(command, "--resync", fixture("lambda-garbage.bin"))
    assert result.returncode == 3
    assert skipped(result) == [(125, 132), (380, 417)]
    if command == "decode":
        records = json_lines(result.stdout)
        assert [r["offset"] for r in records] == [0, 132, 259, 417]
        # The repaired stream is the original capture.
        repaired = run("encode", stdin=result.stdout)
        assert repaired.stdout == fixture("lambda-stream.bin").read_bytes()
    else:
        text = result.stdout.decode()
        assert "bad message at offset 125: skipped 7 bytes [125, 132)" in text
        assert "bad message at offset 380: skipped 37 bytes [380, 417)" in text


def test_truncated_fixture_with_resync() -> None:
    result = run("decode", "--resync", fixture("lambda-truncated.bin"))
    assert result.returncode == 3
    assert skipped(result) == [(373, 445)]
    assert "stream ended after 72 bytes" in stderr_lines(result)[0]
    assert len(json_lines(result.stdout)) == 3


def test_clean_stream_with_resync_exits_0() -> None:
    result = run("decode", "--resync", fixture("lambda-stream.bin"))
    assert result.returncode == 0 and result.stderr == b""
    assert len(json_lines(result.stdout)) == 4


def test_resync_skips_exactly_a_message_with_a_bad_header() -> None:
    good = es.encode(es.Message({"a": "b"}, b"x"))
    bad = raw_frame(raw_header(b"k", 12, b"x"), b"p")  # both CRCs hold
    result = run("decode", "--resync", stdin=good + bad + good)
    assert result.returncode == 3
    assert skipped(result) == [(len(good), len(good) + len(bad))]
    assert "unknown value type 12" in stderr_lines(result)[0]
    assert [r["offset"] for r in json_lines(result.stdout)] == [0, len(good) + len(bad)]


def test_resync_past_a_valid_prelude_with_a_wrong_body() -> None:
    # Garbage whose first 12 bytes are a valid prelude claiming 1000 bytes: the
    # scan must not trust it, and must find the real message inside its claim.
    prelude = struct.pack(">II", 1000, 0)
    trap = prelude + struct.pack(">I", zlib.crc32(prelude)) + b"\xaa" * 20
    good = es.encode(es.Message({"a": "b"}, b"x" * 100))
    data = good + trap + good * 12  # the 1000 bytes it claims are there
    result = run("decode", "--resync", stdin=data)
    assert result.returncode == 3
    start = len(good)
    assert skipped(result) == [(start, start + len(trap))]
    assert "message checksum mismatch" in stderr_lines(result)[0]
    assert len(json_lines(result.stdout)) == 13
    # Near the end of the stream the claim cannot be checked: still skipped.
    short = run("decode", "--resync", stdin=good + trap + good)
    assert skipped(short) == [(start, start + len(trap))]
    assert "expected the 1000-byte message" in stderr_lines(short)[0]


garbage = st.binary(min_size=1, max_size=40)


@settings(max_examples=6, deadline=None)
@given(
    st.lists(st.tuples(messages(), st.one_of(st.none(), garbage)), min_size=1, max_size=6),
    st.one_of(st.none(), garbage),
)
def test_resync_reports_exactly_the_foreign_ranges(
    parts: list[tuple[es.Message, bytes | None]], lead: bytes | None
) -> None:
    data = bytearray(lead or b"")
    expected_ranges = [(0, len(data))] if lead else []
    offsets = []
    for message, noise in parts:
        offsets.append(len(data))
        data += es.encode(message)
        if noise:
            expected_ranges.append((len(data), len(data) + len(noise)))
            data += noise
    result = run("decode", "--resync", stdin=bytes(data))
    assert result.returncode == (3 if expected_ranges else 0)
    # Noise may run into the next noise only if a message is between, so ranges stay apart.
    assert skipped(result) == expected_ranges
    assert [r["offset"] for r in json_lines(result.stdout)] == offsets


def test_scan_window_is_bounded_by_the_message_cap_plus_a_block() -> None:
    # 8 MiB of garbage (every byte value, so the scan stops everywhere it
    # could) with a real message after it, in 64 KiB blocks; the cap is 4 KiB,
    # so at most 4 KiB + 64 KiB may be held at once.
    block = 64 * 1024
    noise = bytes(range(256)) * (block // 256)
    good = es.encode(es.Message({"a": "b"}, b"x" * 1000))

    def blocks():  # type: ignore[no-untyped-def]
        yield good
        for _ in range(128):
            yield noise
        yield good

    reader = FrameReader(blocks(), max_message_size=4096, resync=True)
    items = list(reader)
    assert [type(i) for i in items] == [GoodMessage, BadStretch, GoodMessage]
    bad = items[1]
    assert isinstance(bad, BadStretch)
    assert (bad.start, bad.end) == (len(good), len(good) + 128 * block)
    assert reader.peak_window <= 4096 + block + len(good)


def test_decoding_a_large_capture_keeps_memory_small(tmp_path: Path) -> None:
    # 48 MiB of 1 MiB messages: the peak RSS must stay far below the capture's size.
    message = es.encode(es.Message({"n": "v"}, bytes(range(256)) * 4096))
    capture = tmp_path / "big.bin"
    with capture.open("wb") as out:
        for _ in range(48):
            out.write(message)
    probe = (
        "import resource, subprocess, sys\n"
        "subprocess.run([sys.executable, '-m', 'eventstream', *sys.argv[1:]],"
        " stdout=subprocess.DEVNULL, check=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )

    def peak_kib(path: Path) -> int:
        out = subprocess.run(
            [sys.executable, "-c", probe, "decode", "--payload", "hex", str(path)],
            capture_output=True,
            check=True,
            timeout=120,
        )
        return int(out.stdout)

    small = peak_kib(fixture("lambda-stream.bin"))
    big = peak_kib(capture)
    # One message (1 MiB) and its hex/JSON forms (~2 MiB each) plus a read block.
    assert big - small < 24 * 1024, (small, big)
