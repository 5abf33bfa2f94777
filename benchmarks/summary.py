"""Ratios from saved benchmark runs, as a Markdown table.

    python -m pytest benchmarks --benchmark-group-by=group --benchmark-json=run1.json
    python benchmarks/summary.py run1.json [run2.json ...] [--stat min|median|mean]

One row per group and variant of this library: its messages/s and MB/s (in
the first run), the CRC-32 and the feed() (compiled or Python) it used, and
per run how many times less time it took than the reference in the same
group (botocore's decoder, smithy-aws-event-stream's encoder).  For a
"linear:" group, how many times longer the stream with 8x the bytes took.
Only times from the same run are ever divided.  The default statistic is the
minimum, the least disturbed by other work on a shared machine.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

REFERENCES = ("botocore", "smithy")

Group = dict[str, dict[str, Any]]  # key (implementation, or x1/x8 in a linear group) -> record


def _load(path: Path) -> dict[str, Group]:
    groups: dict[str, Group] = defaultdict(dict)
    for bench in json.loads(path.read_text())["benchmarks"]:
        info = bench["extra_info"]
        linear = bench["group"].startswith("linear:")
        groups[bench["group"]][info["stream"] if linear else info["implementation"]] = bench
    return groups


def _ratio(group: Group, key: str, stat: str) -> float | None:
    """The reference's time over ``key``'s, or x8's over x1's in a linear group."""
    if key == "x1":
        x8 = group.get("x8")
        return x8["stats"][stat] / group["x1"]["stats"][stat] if x8 else None
    reference = next((group[name] for name in REFERENCES if name in group), None)
    if reference is None or key not in group:
        return None
    return float(reference["stats"][stat] / group[key]["stats"][stat])


def summarize(paths: list[Path], stat: str) -> str:
    runs = [_load(path) for path in paths]
    columns = " | ".join(f"run {i + 1}" for i in range(len(runs)))
    lines = [
        f"| group | variant | CRC-32 | feed | msg/s | MB/s | compared | {columns} |",
        "|---" * (7 + len(runs)) + "|",
    ]
    for name in sorted({group for run in runs for group in run}):
        first = next(run[name] for run in runs if name in run)
        for key in sorted(k for k in first if k not in REFERENCES and k != "x8"):
            bench = first[key]
            info = bench["extra_info"]
            seconds = bench["stats"][stat]
            msgs, mbs = info["messages"] / seconds, info["bytes"] / seconds / 1e6
            if key == "x1":
                compared, variant = "time x8 / time x1", "eventstream"
            else:
                reference = next((r for r in REFERENCES if r in first), "-")
                compared, variant = f"{reference} time / ours", key
            cells = []
            for run in runs:
                ratio = _ratio(run[name], key, stat) if name in run else None
                cells.append("-" if ratio is None else f"{ratio:.1f}")
            feed = info.get("feed", "-")  # encoding, or a run saved before the compiled feed
            row = [
                name,
                variant,
                info["crc32"],
                feed,
                f"{msgs:,.0f}",
                f"{mbs:,.1f}",
                compared,
                *cells,
            ]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="pytest-benchmark JSON files")
    parser.add_argument("--stat", default="min", choices=["min", "median", "mean"])
    args = parser.parse_args()
    print(summarize(args.runs, args.stat))


if __name__ == "__main__":
    main()
