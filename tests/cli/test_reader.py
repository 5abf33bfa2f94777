"""The stream reader under ``decode`` and ``inspect``: resync cost, error lines, memory, pipes."""

from __future__ import annotations

import os
import struct
import sys
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import eventstream as es
from eventstream._cli import main
from eventstream._cli._frames import FrameReader

from .cli_run import json_lines, live, run, stderr_lines


def many_valid_preludes(count: int, claimed: int) -> bytes:
    """Back-to-back preludes whose CRC holds, each claiming ``claimed`` bytes."""
    head = struct.pack(">II", claimed, 0)
    return (head + struct.pack(">I", zlib.crc32(head))) * count


def test_resync_checksums_each_byte_a_bounded_number_of_times(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A valid prelude every 12 bytes, each claiming 64 KiB: a scan that checks
    # each candidate's message CRC from its start checksums ~5,000 x 64 KiB.
    # The claimed bytes are there (zeros, which start no prelude), so each is checked.
    data = (
        many_valid_preludes(5000, 64 * 1024)
        + bytes(64 * 1024)
        + es.encode(es.Message({"k": "v"}, b"after"))
    )
    checksummed = 0

    def counting_crc32(chunk: Any, value: int = 0) -> int:
        nonlocal checksummed
        checksummed += memoryview(chunk).nbytes
        return zlib.crc32(chunk, value)

    import eventstream._cli as cli_package

    # Every CLI module that checksums, imported already (FrameReader's are), patched.
    for name in list(sys.modules):
        module = sys.modules[name]
        if name.startswith(cli_package.__name__) and hasattr(module, "crc32"):
            monkeypatch.setattr(module, "crc32", counting_crc32)
    reader = FrameReader([data[i : i + 4096] for i in range(0, len(data), 4096)], 1 << 20, True)
    items = list(reader)
    assert items[-1].frame.message.payload == b"after"  # type: ignore[union-attr]
    assert [type(i).__name__ for i in items] == ["BadStretch", "GoodMessage"]
    assert checksummed <= 3 * len(data)


def _tiled(data: bytes, size: int) -> Iterator[bytes]:
    return (data[i : i + size] for i in range(0, len(data), size))


@pytest.mark.parametrize("piece", [1, 7, 4096])
def test_resync_finds_the_first_valid_message_among_overlapping_candidates(piece: int) -> None:
    # A candidate whose message CRC fails (claims 40 bytes), then a real
    # message starting inside it: the real one is found, at its offset.
    good = es.encode(es.Message({"k": "v"}, b"real"))
    fake = many_valid_preludes(1, 40)
    data = b"\xff" * 5 + fake + good + good
    items = list(FrameReader(_tiled(data, piece), 1 << 20, True))
    assert [(type(i).__name__) for i in items] == ["BadStretch", "GoodMessage", "GoodMessage"]
    assert items[0].end == 5 + len(fake)  # type: ignore[union-attr]
    assert items[1].frame.offset == 5 + len(fake)  # type: ignore[union-attr]


@pytest.mark.parametrize("piece", [1, 3, 7, 66])
def test_resync_window_holds_at_most_one_message_plus_one_block(piece: int) -> None:
    # A candidate claiming the whole cap whose message CRC fails: it is given up
    # as soon as the window holds its claimed bytes, not a prelude's length later.
    cap = 64
    fake = many_valid_preludes(1, cap)
    good = es.encode(es.Message({}, b"ok"))
    data = b"\xff" + fake + bytes(cap - len(fake) + 20) + good
    reader = FrameReader(_tiled(data, piece), cap, True)
    items = list(reader)
    assert [type(i).__name__ for i in items] == ["BadStretch", "GoodMessage"]
    assert items[1].frame.offset == len(data) - len(good)  # type: ignore[union-attr]
    assert reader.peak_window <= cap + piece


def test_error_line_names_the_message_start_and_the_field() -> None:
    good = es.encode(es.Message({"k": "v"}, b"x" * 100))
    bad = bytearray(good)
    bad[8] ^= 1  # the prelude CRC of the third message
    data = good * 2 + bytes(bad)
    for command in ("decode", "inspect"):
        result = run(command, stdin=data)
        assert result.returncode == 1
        start = 2 * len(good)
        line = stderr_lines(result)[-1]
        assert line.startswith(
            f"eventstream: error: bad message at offset {start}: prelude checksum mismatch"
        ), line
        assert line.endswith(f"(at byte offset {start + 8})")


def _peak(argv: list[str]) -> int:
    saved = sys.stdout
    with open(os.devnull, "w") as sink:
        sys.stdout = sink
        # Once on nothing, so that imports and first-use tables are not counted.
        main([*argv[:-1], os.devnull])
        tracemalloc.start()
        try:
            assert main(argv) == 0
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            sys.stdout = saved


@pytest.mark.parametrize(
    "command",
    [["decode"], ["decode", "--payload", "hex"], ["inspect", "--hex"], ["inspect"]],
    ids=" ".join,
)
@pytest.mark.parametrize("payload", ["binary", "text"])
def test_a_big_message_costs_about_twice_its_size(
    tmp_path: Path, command: list[str], payload: str
) -> None:
    size = 4 << 20
    body = os.urandom(size) if payload == "binary" else b"abc\xc3\xa9" * (size // 5)
    data = es.encode(es.Message({":event-type": "PayloadChunk"}, body))
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    peak = _peak([*command, "--progress", "never", str(path)])
    assert peak <= 2.6 * len(data), f"{peak / len(data):.2f}x"


@pytest.mark.parametrize("command", ["decode", "inspect"])
def test_live_pipe_output_comes_as_messages_arrive(command: str) -> None:
    first = es.encode(es.Message({"k": "first"}, b"1"))
    rest = es.encode(es.Message({"k": "second"}, b"2"))
    early, late = live([command], first, rest)
    assert b"first" in early and b"second" not in early
    assert b"second" in late


def test_decode_output_is_what_the_json_form_gives() -> None:
    # The fast writer's bytes are dump_line(frame_to_json(...))'s, for every payload form.
    from eventstream._cli._json_form import dump_line, frame_to_json

    messages = [
        es.Message({"s": "é\u2028\x85\x7f\x1b", "b": b"\x00\xff", "i": es.Integer(-5)}, b"text"),
        es.Message({}, b"\xff\xfe binary"),
        es.Message({"t": es.Timestamp(1)}, b'{"a": [1, 2]}'),
    ]
    data = b"".join(es.encode(m) for m in messages)
    frames = es.Decoder().feed_frames(data)
    for form in ("auto", "text", "base64", "json", "hex"):
        result = run("decode", "--payload", form, stdin=data)
        assert result.returncode == 0
        expected = b"".join(dump_line(frame_to_json(f, form)) for f in frames)
        assert result.stdout == expected
        assert len(json_lines(result.stdout)) == 3
