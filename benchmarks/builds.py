"""The C module built against the stable ABI (abi3) against a full-API build, same run.

    python -m benchmarks.builds [--rounds 3] [--before REV] [--json OUT.json]

Builds ``eventstream._cfeed`` from this checkout twice, into two copies of
the project: with ``EVENTSTREAM_ABI3=1`` (``Py_LIMITED_API`` 3.9, the module
of the ``cp39-abi3`` wheel) and with ``EVENTSTREAM_ABI3=0`` (the full C API
of this interpreter, setup.py's default).  ``--before REV`` adds a third build of the
``_cfeed.c`` of a git revision, with the full API.  Then it runs the one-byte
``feed()`` benchmarks of ``benchmarks/test_decode.py`` on each build in turn,
``--rounds`` times round-robin (the machine is shared: interleaving spreads
its noise over all builds), and prints each build's best time per stream and
its ratio to the full-API build.  Needs a C compiler, setuptools and
pytest-benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The one-byte-per-feed streams of test_decode.py, this library's decoder only.
BENCHMARKS = [
    f"benchmarks/test_decode.py::test_decode[{stream}-eventstream]"
    for stream in (
        "lambda 64 B payloads, fed 1 B",
        "1 KiB payloads, fed 1 B",
        "64 KiB payload, fed 1 B",
    )
]
REFERENCE = "full-api"


def build(work: Path, label: str, abi3: bool, source: bytes | None) -> Path:
    """A copy of the project with ``_cfeed`` built in place; returns its root."""
    tree = work / label
    shutil.copytree(
        ROOT,
        tree,
        ignore=shutil.ignore_patterns(".*", "build", "dist", "*.so", "__pycache__", "*.egg-info"),
    )
    if source is not None:
        (tree / "src" / "eventstream" / "_cfeed.c").write_bytes(source)
    env = {**os.environ, "EVENTSTREAM_ABI3": "1" if abi3 else "0"}
    env.pop("EVENTSTREAM_PURE_PYTHON", None)
    subprocess.run(
        [sys.executable, "setup.py", "-q", "build_ext", "--inplace"],
        cwd=tree,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    built = sorted((tree / "src" / "eventstream").glob("_cfeed*.so"))
    if not built:
        raise SystemExit(f"{label}: _cfeed did not build")
    print(f"built {label}: {built[0].name}", file=sys.stderr)
    return tree


def run(tree: Path, out: Path) -> dict[str, float]:
    """Each benchmark's minimum time (s) on the build in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree / "src"), "EVENTSTREAM_REQUIRE_COMPILED": "1"}
    env.pop("EVENTSTREAM_PURE_PYTHON", None)
    env.pop("EVENTSTREAM_BENCH_SMOKE", None)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--benchmark-only",
            f"--benchmark-json={out}",
            *BENCHMARKS,
        ],
        cwd=tree,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    found = {}
    for bench in json.loads(out.read_text())["benchmarks"]:
        if bench["extra_info"].get("feed") != "compiled":
            raise SystemExit(f"{tree.name}: the benchmark did not use the compiled feed()")
        found[bench["extra_info"]["stream"]] = bench["stats"]["min"]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", metavar="REV", help="also a build of _cfeed.c at REV")
    parser.add_argument("--json", type=Path, help="write the best times here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="eventstream-builds-") as tmp:
        work = Path(tmp)
        trees = {
            "abi3": build(work, "abi3", True, None),
            REFERENCE: build(work, REFERENCE, False, None),
        }
        if args.before:
            old = subprocess.run(
                ["git", "show", f"{args.before}:src/eventstream/_cfeed.c"],
                cwd=ROOT,
                check=True,
                capture_output=True,
            ).stdout
            trees[f"full-api@{args.before}"] = build(work, "before", False, old)
        best: dict[str, dict[str, float]] = {label: {} for label in trees}
        for round_number in range(args.rounds):
            for label, tree in trees.items():
                times = run(tree, work / f"{label}-{round_number}.json")
                for stream, seconds in times.items():
                    best[label][stream] = min(seconds, best[label].get(stream, seconds))
    print(f"| stream | {' | '.join(best)} |")
    print(f"|---|{'---|' * len(best)}")
    for stream in best[REFERENCE]:
        cells = []
        for label in best:
            ratio = best[REFERENCE][stream] / best[label][stream]
            cells.append(f"{best[label][stream] * 1e3:.3f} ms ({ratio:.2f}x)")
        print(f"| {stream} | {' | '.join(cells)} |")
    print(f"\n(best of {args.rounds} rounds; ratio = {REFERENCE} time / this build's time)")
    if args.json:
        args.json.write_text(json.dumps(best, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
