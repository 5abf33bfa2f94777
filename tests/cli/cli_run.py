"""Running the command-line tool as a user does: a subprocess through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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
