"""``--progress auto|always|never``: the bar on stderr, on a terminal, for long inputs."""

from __future__ import annotations

import io
import os
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
    assert b"] 100%  9.0 MiB / 9.0 MiB  9 messages" in seen  # the final state is shown
    assert seen.endswith(b"\r")  # and erased at the end


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


def test_unknown_size_shows_after_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(_progress.time, "monotonic", lambda: now[0])

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    bar = Progress("auto", None, screen)
    bar.update(1000, 1)
    assert screen.getvalue() == ""  # not yet long
    now[0] += 1.5
    bar.update(3 * 1024 * 1024, 12345)
    assert screen.getvalue() == "\r3.0 MiB read  12,345 messages"
    now[0] += 0.01
    bar.update(4 * 1024 * 1024, 12346)
    assert screen.getvalue() == "\r3.0 MiB read  12,345 messages"  # redraws are rate-limited
    bar.note("a note")
    blank = " " * len("3.0 MiB read  12,345 messages")
    assert screen.getvalue().endswith(f"\r{blank}\ra note\n")  # erased, then the note
    bar.finish(5 * 1024 * 1024, 20000)
    blank = " " * len("5.0 MiB read  20,000 messages")
    assert screen.getvalue().endswith(f"\r5.0 MiB read  20,000 messages\r{blank}\r")
