"""A smoke run of benchmarks/: every benchmark once, on small streams, timing nothing.

Keeps the benchmark code from rotting (a renamed API, a decoder that drops
messages: each benchmark checks the message count it gets).  The real runs
are in the README's "Performance" section; no test here measures time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_benchmark_runs_once() -> None:
    pytest.importorskip("pytest_benchmark")
    if not (ROOT / "benchmarks").is_dir():
        pytest.skip("no benchmarks/ beside tests/")
    env = {**os.environ, "EVENTSTREAM_BENCH_SMOKE": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "benchmarks",
            "-q",
            "-p",
            "no:cacheprovider",
            "--benchmark-disable",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout
