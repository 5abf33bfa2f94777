"""A smoke run of benchmarks/: every benchmark once, on small streams, timing nothing.

Keeps the benchmark code from rotting (a renamed API, a decoder that drops
messages: each benchmark checks the message count it gets).  The real runs
are in the README's "Performance" section; no test here measures time.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from eventstream._feedgate import FEED_GATE

ROOT = Path(__file__).resolve().parents[2]


def _smoke_run(*options: str) -> None:
    """pytest on benchmarks/ with small streams (EVENTSTREAM_BENCH_SMOKE=1); it must pass."""
    pytest.importorskip("pytest_benchmark")
    if not (ROOT / "benchmarks").is_dir():
        pytest.skip("no benchmarks/ beside tests/")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "benchmarks", "-q", "-p", "no:cacheprovider", *options],
        cwd=ROOT,
        env={**os.environ, "EVENTSTREAM_BENCH_SMOKE": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_every_benchmark_runs_once() -> None:
    _smoke_run("--benchmark-disable")


def test_summary_reads_a_saved_run(tmp_path: Path) -> None:
    """One tiny timed run saved as JSON, then summary.py's table of it."""
    saved = tmp_path / "run.json"
    _smoke_run(
        "--benchmark-min-rounds=1",
        "--benchmark-max-time=0.001",
        "--benchmark-warmup=off",
        f"--benchmark-json={saved}",
    )
    table = subprocess.run(
        [sys.executable, "benchmarks/summary.py", str(saved), str(saved)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert table[0].startswith("| group | variant | CRC-32 | feed |")
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in table[2:]]
    assert {"decode: 64 KiB payload, fed 1 B", "linear: one message, fed 1 B"} <= {
        row[0] for row in rows
    }
    has_reference = importlib.util.find_spec("botocore") is not None
    for group, variant, _crc, feed, *_, first, second in rows:
        if group.startswith("encode:"):
            assert feed == "-", (group, variant)
        else:
            assert feed == ("python" if variant == "eventstream-python-feed" else FEED_GATE)
        if group.startswith("linear:") or (group.startswith("decode:") and has_reference):
            # The same run given twice: the same ratio, twice.
            assert first == second and float(first) > 0, (group, variant)
