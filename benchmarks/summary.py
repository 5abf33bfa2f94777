"""Ratios from a saved benchmark run, as a Markdown table.

    python -m pytest benchmarks --benchmark-group-by=group --benchmark-json=run.json
    python benchmarks/summary.py run.json [more.json ...] [--stat median|min]

For each group: this library's messages/s and MB/s, the reference's
(botocore's decoder, smithy-aws-event-stream's encoder) and how many times
faster this library is.  For a "linear:" group, how many times longer the
stream with 8x the bytes took.  Several runs give one column per run, so the
spread between runs shows.  Only times from the same run are ever divided.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

OURS = "eventstream"


def _load(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """group -> key -> benchmark record, where key is the implementation or stream label."""
    groups: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for bench in json.loads(path.read_text())["benchmarks"]:
        info = bench["extra_info"]
        key = info["stream"] if bench["group"].startswith("linear:") else info["implementation"]
        groups[bench["group"]][key] = bench
    return groups


def _rate(bench: dict[str, Any], stat: str) -> tuple[float, float]:
    seconds = bench["stats"][stat]
    info = bench["extra_info"]
    return info["messages"] / seconds, info["bytes"] / seconds / 1e6


def _ratio(group: dict[str, dict[str, Any]], stat: str) -> tuple[str, float] | None:
    """(what was compared, the ratio) for one group of one run."""
    if "x1" in group and "x8" in group:
        return "time x8 / time x1", group["x8"]["stats"][stat] / group["x1"]["stats"][stat]
    others = [key for key in group if key != OURS]
    if OURS not in group or not others:
        return None
    other = others[0]
    return f"{other}'s time / ours", group[other]["stats"][stat] / group[OURS]["stats"][stat]


def summarize(paths: list[Path], stat: str) -> str:
    runs = [_load(path) for path in paths]
    names = sorted({group for run in runs for group in run})
    header = "| group | eventstream msg/s | eventstream MB/s | compared | " + " | ".join(
        f"ratio (run {i + 1})" for i in range(len(runs))
    )
    lines = [header + " |", "|---" * (4 + len(runs)) + "|"]
    for name in names:
        first = next(run[name] for run in runs if name in run)
        ours = first.get(OURS) or first.get("x1")
        msgs, mbs = _rate(ours, stat) if ours else (float("nan"), float("nan"))
        compared = ""
        cells = []
        for run in runs:
            found = _ratio(run[name], stat) if name in run else None
            if found is None:
                cells.append("-")
            else:
                compared, ratio = found
                cells.append(f"{ratio:.1f}")
        lines.append(
            f"| {name} | {msgs:,.0f} | {mbs:,.1f} | {compared or '-'} | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="pytest-benchmark JSON files")
    parser.add_argument("--stat", default="median", choices=["median", "min", "mean"])
    args = parser.parse_args()
    print(summarize(args.runs, args.stat))


if __name__ == "__main__":
    main()
