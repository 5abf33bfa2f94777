"""Encoding: this library against smithy-aws-event-stream's encoder (Python 3.12+), same run.

Both build a new message from a plain dict of headers and a payload and
return its bytes, as a sender does for each event; the bytes are checked
equal before timing.  botocore has no event-stream encoder.
"""

from __future__ import annotations

from typing import Any

import pytest

from .reporting import add_rates, record
from .workloads import ENCODERS, KIB, LAMBDA_HEADERS, MIB, crc_for, scaled

PAYLOADS = {
    "lambda 64 B payload": b"x" * 64,
    "1 KiB payload": b"x" * KIB,
    "1 MiB payload": b"x" * scaled(MIB, 64 * KIB),
}
# Each timed call encodes this many messages, so a call lasts long enough to
# time well even for the small ones.
BATCH = {"lambda 64 B payload": 100, "1 KiB payload": 100, "1 MiB payload": 1}


def _encode_batch(encode: Any, headers: dict[str, Any], payload: bytes, batch: int) -> int:
    size = 0
    for _ in range(batch):
        size += len(encode(headers, payload))
    return size


@pytest.mark.parametrize(
    ("label", "encoder_name"),
    [pytest.param(label, name, id=f"{label}-{name}") for label in PAYLOADS for name in ENCODERS],
)
def test_encode(benchmark: Any, label: str, encoder_name: str) -> None:
    encode = ENCODERS[encoder_name]
    payload = PAYLOADS[label]
    headers = dict(LAMBDA_HEADERS)
    expected = ENCODERS["eventstream"](headers, payload)
    assert encode(headers, payload) == expected  # same bytes, or the race means nothing
    batch = BATCH[label]
    record(
        benchmark,
        f"encode: {label}",
        implementation=encoder_name,
        messages=batch,
        size=batch * len(expected),
    )
    with crc_for(encoder_name):
        size = benchmark(_encode_batch, encode, headers, payload, batch)
    assert size == batch * len(expected)
    add_rates(benchmark)
