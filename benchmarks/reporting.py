"""What each benchmark records, so a saved run can be summarized (benchmarks/summary.py)."""

from __future__ import annotations

from typing import Any

from eventstream._crc import CRC32_BACKEND
from eventstream._feedgate import FEED_GATE

from .workloads import PYTHON_FEED, STDLIB_CRC


def record(
    benchmark: Any, group: str, *, implementation: str, messages: int, size: int, **extra: object
) -> None:
    """Put the benchmark in ``group`` and note whose code it times and what one call processes.

    ``messages`` and ``size`` (bytes) are per call of the timed function;
    messages/s and MB/s are derived from them after the run.
    """
    benchmark.group = group
    benchmark.extra_info.update(
        implementation=implementation,
        messages=messages,
        bytes=size,
        crc32="zlib" if implementation == STDLIB_CRC else CRC32_BACKEND,
        **extra,
    )
    if not group.startswith("encode"):  # which feed() decoded
        benchmark.extra_info["feed"] = "python" if implementation == PYTHON_FEED else FEED_GATE


def add_rates(benchmark: Any) -> None:
    """Messages/s and MB/s from the median time, once the benchmark has run."""
    if benchmark.stats is None:  # --benchmark-disable: nothing was timed
        return
    median = benchmark.stats.stats.median
    info = benchmark.extra_info
    info["messages_per_s"] = info["messages"] / median
    info["MB_per_s"] = info["bytes"] / median / 1e6
