"""``--progress auto|always|never``: the bar on stderr, on a terminal, for long inputs."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import eventstream as es
from eventstream._cli import _progress
from eventstream._cli._progress import Progress

from .cli_run import fixture, run

pty = pytest.importorskip("pty")


def run_on_terminal(*args: str | Path, stdout_too: bool = False) -> bytes:
    """Run the tool with stderr (and maybe stdout) on a pseudo-terminal; return what
    it wrote there."""
    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "eventstream", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=slave if stdout_too else subprocess.DEVNULL,
        stderr=slave,
    )
    os.close(slave)
    seen = bytearray()
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        seen += data
    os.close(master)
    assert process.wait(timeout=60) == 0
    return bytes(seen)


@pytest.fixture(scope="module")
def long_capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A capture over the 8 MiB that makes a file 'long': 9 messages of 1 MiB."""
    path = tmp_path_factory.mktemp("progress") / "long.bin"
    message = es.encode(es.Message({"n": "v"}, b"\x00" * (1024 * 1024)))
    path.write_bytes(message * 9)
    return path


def test_bar_on_a_terminal_for_a_long_file(long_capture: Path) -> None:
    seen = run_on_terminal("inspect", long_capture)
    assert b"\r[" in seen and b"MiB / 9.0 MiB" in seen
    # Erased at the end, and a one-line summary left in its place.
    assert re.search(
        rb"\r +\reventstream: 9 messages, 9\.0 MiB in \d+\.\d s "
        rb"\([\d.]+ [KMG]?i?B/s, [\d,]+ messages/s\)\r\n$",
        seen,
    ), seen[-200:]


def test_no_bar_when_never_or_short_or_not_a_terminal(long_capture: Path) -> None:
    assert run_on_terminal("inspect", "--progress", "never", long_capture) == b""
    assert run_on_terminal("decode", fixture("lambda-stream.bin")) == b""  # short: no bar
    piped = run("inspect", long_capture)  # auto, stderr is a pipe
    assert piped.returncode == 0 and piped.stderr == b""
    # Output to the same terminal: the output is the progress, no bar over it.
    shared = run_on_terminal("inspect", long_capture, stdout_too=True)
    assert b"message 8 at offset" in shared and b"\r[" not in shared


def test_always_draws_even_on_a_pipe() -> None:
    for command in ("decode", "inspect", "lambda"):
        result = run(command, "--progress", "always", fixture("lambda-stream.bin"))
        assert result.returncode == 0
        assert b"\r475 B read  4 messages" in result.stderr or b"475 B / 475 B" in result.stderr
    # Notes (here --resync's) are printed under the bar, on lines of their own.
    resynced = run("decode", "--resync", "--progress", "always", fixture("lambda-garbage.bin"))
    lines = resynced.stderr.split(b"\n")
    skips = [line.split(b"\r")[-1] for line in lines if b"skipped" in line]
    assert [s[: s.index(b"): ") + 1] for s in skips] == [
        b"eventstream: skipped 7 bytes [125, 132)",
        b"eventstream: skipped 37 bytes [380, 417)",
    ]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    now = [100.0]
    monkeypatch.setattr(_progress.time, "monotonic", lambda: now[0])
    return now


def test_unknown_size_shows_after_a_second(clock: list[float]) -> None:
    screen = Terminal()
    bar = Progress("auto", None, screen)
    bar.update(1000, 1)
    assert screen.getvalue() == ""  # not yet long
    clock[0] += 1.5
    bar.update(3 * 1024 * 1024, 12345)
    assert screen.getvalue() == "\r3.0 MiB read  12,345 messages  2.0 MiB/s"
    clock[0] += 0.01
    bar.update(4 * 1024 * 1024, 12346)
    assert screen.getvalue() == "\r3.0 MiB read  12,345 messages  2.0 MiB/s"  # rate-limited
    bar.note("a note")
    blank = " " * len("3.0 MiB read  12,345 messages  2.0 MiB/s")
    assert screen.getvalue().endswith(f"\r{blank}\ra note\n")  # erased, then the note
    clock[0] += 0.99
    bar.update(4 * 1024 * 1024, 16000)
    bar.finish(5 * 1024 * 1024, 20000)
    blank = " " * len("4.0 MiB read  16,000 messages  1.6 MiB/s")
    assert screen.getvalue().endswith(
        f"\r{blank}\reventstream: 20,000 messages, 5.0 MiB in 2.5 s "
        "(2.0 MiB/s, 8,000 messages/s)\n"
    )


@pytest.mark.parametrize("columns", [200, 80, 60, 45, 30])
def test_bar_fits_the_terminal_with_rate_and_time_left(
    clock: list[float], monkeypatch: pytest.MonkeyPatch, columns: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    screen = Terminal()
    total = 100 * 1024 * 1024
    bar = Progress("always", total, screen)
    clock[0] += 10.0
    bar.update(25 * 1024 * 1024, 1_000_000)  # 2.5 MiB/s: 30 s left
    line = screen.getvalue().lstrip("\r")
    assert len(line) <= columns - 1
    assert "25.0 MiB / 100.0 MiB  1,000,000 messages" in line or columns < 50
    if columns >= 80:
        assert line.startswith("[") and "messages  0:30 left" in line
    if columns >= 200:
        assert "0:30 left  2.5 MiB/s" in line
        cells = line.count("#") + line.count("-")
        assert line.count("#") == cells // 4  # 25% filled
