"""Run the atheris harnesses for a while: ``python fuzz/run.py [--seconds N] [HARNESS...]``.

Each harness (``decoder``, ``response_stream``, ``lambda_layers``, ``headers``,
``cli``; all by default) runs for
``--seconds`` (default 20) on a corpus seeded by make_corpus.py, under
libFuzzer's memory limit (``-rss_limit_mb``, so a decoder that grew past its
cap would be reported as a crash).  Prints the executions each one ran; exits
1 if any found a crash (the input is saved under ``--artifacts``), 2 if
atheris is not installed.  ``--corpus DIR`` keeps the corpus between runs
(new inputs the fuzzer finds are added to it), so long runs can be resumed.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_corpus import write_corpus  # noqa: E402

HARNESSES = {
    "decoder": ("fuzz_decoder.py", "decoder"),
    "response_stream": ("fuzz_response_stream.py", "lambda"),
    "lambda_layers": ("fuzz_lambda_layers.py", "layers"),
    "headers": ("fuzz_headers.py", "headers"),
    "cli": ("fuzz_cli.py", "cli"),
}


def run(name: str, seconds: int, corpus_root: Path, artifacts: Path, extra: list[str]) -> bool:
    script, seeds = HARNESSES[name]
    corpus = corpus_root / name
    if not corpus.is_dir() or not any(corpus.iterdir()):
        write_corpus(corpus, seeds)
    artifacts.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        str(HERE / script),
        f"-max_total_time={seconds}",
        "-max_len=16384",
        "-rss_limit_mb=1024",
        "-timeout=10",
        f"-artifact_prefix={artifacts}/{name}-",
        "-print_final_stats=1",
        *extra,
        str(corpus),
    ]
    started = time.monotonic()
    result = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    done = re.search(r"Done (\d+) runs", output)
    execs = re.search(r"stat::number_of_executed_units:\s*(\d+)", output)
    count = done.group(1) if done else execs.group(1) if execs else "?"
    if result.returncode == 0:
        print(f"== fuzz {name}: {count} executions in {elapsed:.0f} s, no crash")
        return True
    print(f"== fuzz {name}: FAILED after {count} executions (exit {result.returncode})")
    print("\n".join(output.splitlines()[-40:]))
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("harness", nargs="*", help=f"any of {', '.join(HARNESSES)} (default: all)")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument(
        "--corpus", type=Path, help="corpus directory to keep (default: temporary)"
    )
    parser.add_argument("--artifacts", type=Path, default=Path("fuzz-artifacts"))
    parser.add_argument("--libfuzzer", action="append", default=[], help="extra libFuzzer flag")
    args = parser.parse_args()
    unknown = set(args.harness) - set(HARNESSES)
    if unknown:
        parser.error(
            f"unknown harness {', '.join(sorted(unknown))}; expected {', '.join(HARNESSES)}"
        )
    harnesses = args.harness or list(HARNESSES)
    if importlib.util.find_spec("atheris") is None:
        print("atheris is not installed: pip install '.[fuzz]'", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as temporary:
        root = args.corpus or Path(temporary)
        ok = [
            run(h, args.seconds, root, args.artifacts.resolve(), args.libfuzzer) for h in harnesses
        ]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
