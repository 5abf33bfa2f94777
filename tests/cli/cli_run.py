"""Running the command-line tool as a user does: a subprocess through the real entry point."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ..conftest import FIXTURES

#: The console script pip installed next to this interpreter, if it did.
CONSOLE_SCRIPT = Path(sys.executable).with_name("eventstream")


def run(
    *args: str | Path, stdin: bytes = b"", timeout: float = 60
) -> subprocess.CompletedProcess[bytes]:
    """``python -m eventstream ARGS`` with ``stdin``; output captured, never raises."""
    return subprocess.run(
        [sys.executable, "-m", "eventstream", *map(str, args)],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )


def fixture(name: str) -> Path:
    return FIXTURES / name


def json_lines(output: bytes) -> list[dict[str, Any]]:
    assert output.endswith(b"\n") or not output
    return [json.loads(line) for line in output.split(b"\n")[:-1]]


def stderr_lines(result: subprocess.CompletedProcess[bytes]) -> list[str]:
    return result.stderr.decode("utf-8").splitlines()


def live(args: list[str], first: bytes, rest: bytes) -> tuple[bytes, bytes]:
    """Write ``first`` to the tool's stdin and read what it prints while stdin is
    still open; then write ``rest``, close, and read the rest of its output."""
    if sys.platform == "win32":
        pytest.skip("select() on pipes is POSIX only")
    # Buffered as a user's stdout on a pipe is: the tool must flush by itself.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    process = subprocess.Popen(
        [sys.executable, "-m", "eventstream", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(first)
        process.stdin.flush()
        ready, _, _ = select.select([process.stdout], [], [], 30)
        early = os.read(process.stdout.fileno(), 65536) if ready else b""
        process.stdin.write(rest)
        process.stdin.close()
        late = process.stdout.read()
        assert process.wait(timeout=30) == 0
        return early, late
    finally:
        process.kill()
        process.wait()
