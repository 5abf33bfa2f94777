"""The command-line tool against the library's own decoder, same capture, same run.

``cli: ...`` groups: ``eventstream decode`` and ``eventstream inspect`` (run
in-process through :func:`eventstream._cli.main`, output to /dev/null) on a
capture of Lambda messages with 64-byte payloads, next to
:class:`eventstream.Decoder` reading the same file in the CLI's read blocks.
The target: decode within about 2.7x and inspect within about 6x of the
library (the tool was 10.6x and 24x behind before its reader used the
incremental decoder).

``linear: --resync ...``: ``decode --resync`` over crafted input that has a
valid prelude every 12 bytes, each claiming a 64 KiB message whose CRC does
not hold; x8 is 8 times the bytes.  The time ratio should be about 8 (target:
at most 10); a scan that checksums each candidate's claimed length is
quadratic there.
"""

from __future__ import annotations

import contextlib
import struct
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from eventstream import Decoder
from eventstream._cli import main
from eventstream._cli._input import READ_BLOCK

from .reporting import add_rates, record
from .workloads import KIB, SMOKE, Stream, scaled

CAPTURE = Stream("lambda 64 B payloads", 64, scaled(300_000, 200), 0)
ROUNDS = 1 if SMOKE else 3


@pytest.fixture(scope="module")
def capture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "capture.bin"
    path.write_bytes(CAPTURE.data)
    return path


@contextlib.contextmanager
def _output_to_devnull() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    with open("/dev/null", "w") as sink:
        sys.stdout = sys.stderr = sink
        try:
            yield
        finally:
            sys.stdout, sys.stderr = saved


def _library(path: Path) -> int:
    decoder = Decoder()
    count = 0
    with open(path, "rb") as source:
        while block := source.read(READ_BLOCK):
            count += len(decoder.feed(block))
    decoder.close()
    return count


def _cli(*argv: str) -> int:
    with _output_to_devnull():
        return main(list(argv))


@pytest.mark.parametrize("tool", ["library", "decode", "inspect"])
def test_cli_throughput(benchmark: object, capture: Path, tool: str) -> None:
    group = f"cli: {CAPTURE.count} {CAPTURE.label}"
    record(
        benchmark,
        group,
        implementation=tool,
        messages=CAPTURE.count,
        size=len(CAPTURE.data),
    )
    if tool == "library":
        result = benchmark.pedantic(_library, (capture,), rounds=ROUNDS)  # type: ignore[attr-defined]
        assert result == CAPTURE.count
    else:
        args = (tool, "--progress", "never", str(capture))
        status = benchmark.pedantic(_cli, args, rounds=ROUNDS)  # type: ignore[attr-defined]
        assert status == 0
    add_rates(benchmark)


def many_valid_preludes(size: int, claimed: int = 64 * KIB) -> bytes:
    """``size`` bytes of back-to-back preludes whose CRC holds, each claiming ``claimed`` bytes."""
    head = struct.pack(">II", claimed, 0)
    prelude = head + struct.pack(">I", zlib.crc32(head))
    return (prelude * (size // len(prelude) + 1))[:size]


RESYNC_SIZES = {"x1": scaled(256 * KIB, 16 * KIB), "x8": scaled(2048 * KIB, 128 * KIB)}


@pytest.mark.parametrize("label", list(RESYNC_SIZES))
def test_resync_linear(benchmark: object, tmp_path: Path, label: str) -> None:
    data = many_valid_preludes(RESYNC_SIZES[label])
    path = tmp_path / "preludes.bin"
    path.write_bytes(data)
    record(
        benchmark,
        "linear: --resync over a valid prelude every 12 bytes",
        implementation="eventstream decode --resync",
        messages=0,
        size=len(data),
        stream=label,
    )
    args = ("decode", "--resync", "--progress", "never", str(path))
    status = benchmark.pedantic(_cli, args, rounds=ROUNDS)  # type: ignore[attr-defined]
    assert status == 3  # everything skipped
    add_rates(benchmark)
