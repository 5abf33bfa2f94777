"""Decoding: this library against botocore's EventStreamBuffer, same bytes, same pieces, same run.

Each group is one stream shape with one benchmark per decoder, so
``--benchmark-group-by=group`` puts the figures to compare side by side and
``python -m benchmarks.summary RUN.json`` prints the ratios.  The machine is
shared: compare within a group of one run, never across runs.
"""

from __future__ import annotations

import pytest

from .reporting import add_rates, record
from .workloads import DECODERS, KIB, MIB, Stream, crc_for, scaled

# The stream shapes of the performance targets (smaller in a smoke run, see workloads.SMOKE).
CHUNKED = [
    Stream("lambda 64 B payloads, fed 4 KiB", 64, scaled(2000, 20), 4 * KIB),
    Stream("1 KiB payloads, fed 4 KiB", KIB, scaled(500, 10), 4 * KIB),
    Stream("64 KiB payloads, fed 4 KiB", 64 * KIB, scaled(16, 2), 4 * KIB),
    Stream("1 MiB payloads, fed 64 KiB", MIB, scaled(4, 1), 64 * KIB),
]
WHOLE = [
    Stream("lambda 64 B payloads, whole buffer", 64, scaled(2000, 20), 0),
    Stream("1 KiB payloads, whole buffer", KIB, scaled(500, 10), 0),
]
# One byte per feed: the same kinds of stream, fewer messages.  botocore
# copies its whole buffer on every add_data, so the 64 KiB message costs it
# O(size**2); that is the "10x botocore byte by byte" target.
BYTEWISE = [
    Stream("lambda 64 B payloads, fed 1 B", 64, scaled(100, 4), 1),
    Stream("1 KiB payloads, fed 1 B", KIB, scaled(16, 2), 1),
    Stream("64 KiB payload, fed 1 B", scaled(64 * KIB, 4 * KIB), 1, 1),
]
# Linearity, ours only: each pair is the same shape with 8x the bytes, so the
# time ratio inside a group should be about 8 (target: at most 10).
LINEAR = {
    "linear: lambda 64 B payloads, fed 1 B": [
        Stream("x1", 64, scaled(100, 4), 1),
        Stream("x8", 64, scaled(800, 32), 1),
    ],
    "linear: one message, fed 1 B": [
        Stream("x1", scaled(64 * KIB, 1 * KIB), 1, 1),
        Stream("x8", scaled(512 * KIB, 8 * KIB), 1, 1),
    ],
}


def _run(benchmark: object, group: str, stream: Stream, decoder_name: str) -> None:
    decode = DECODERS[decoder_name]
    record(
        benchmark,
        group,
        implementation=decoder_name,
        messages=stream.count,
        size=len(stream.data),
        stream=stream.label,
        piece_size=len(stream.pieces[0]),
        message_size=stream.message_size,
    )
    with crc_for(decoder_name):
        count = benchmark(decode, stream.pieces)  # type: ignore[operator]
    assert count == stream.count  # a decoder that drops messages must not look fast
    add_rates(benchmark)


def _cases(streams: list[Stream]) -> list[object]:
    return [
        pytest.param(stream, name, id=f"{stream.label}-{name}")
        for stream in streams
        for name in DECODERS
    ]


@pytest.mark.parametrize(("stream", "decoder_name"), _cases(CHUNKED + WHOLE + BYTEWISE))
def test_decode(benchmark: object, stream: Stream, decoder_name: str) -> None:
    _run(benchmark, f"decode: {stream.label}", stream, decoder_name)


@pytest.mark.parametrize(
    ("group", "stream"),
    [
        pytest.param(group, stream, id=f"{group}-{stream.label}")
        for group, streams in LINEAR.items()
        for stream in streams
    ],
)
def test_decode_linear(benchmark: object, group: str, stream: Stream) -> None:
    _run(benchmark, group, stream, "eventstream")
