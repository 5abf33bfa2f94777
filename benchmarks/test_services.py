"""Service-typed decoding: eventstream.services against botocore's EventStream, same bytes.

A Bedrock ``ConverseStream`` body of text deltas (what a chat completion streams) and
an S3 Select body of 1 KiB records, fed in 4 KiB pieces, decoded to the boto3-shaped
events by both. Compare within a group of one run (``python -m benchmarks.summary``).
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from botocore.eventstream import EventStream
from botocore.parsers import EventStreamJSONParser, EventStreamXMLParser

from eventstream.services import load_stream
from eventstream.testing import fake_stream

from .reporting import add_rates, record
from .workloads import KIB, scaled

_SESSION: Any = None


def _shape(service: str, operation: str, member: str) -> Any:
    global _SESSION
    if _SESSION is None:
        import botocore.session

        _SESSION = botocore.session.get_session()
    model = _SESSION.get_service_model(service).operation_model(operation)
    return model.output_shape.members[member]


def _converse_events(count: int) -> list[dict[str, Any]]:
    rng = random.Random(1)
    words = ["the", "stream", "of", "tokens", "arrives", "word", "by", "word"]
    deltas = [
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": " " + rng.choice(words)}}}
        for _ in range(count)
    ]
    usage = {"inputTokens": 10, "outputTokens": count, "totalTokens": count + 10}
    return [
        {"messageStart": {"role": "assistant"}},
        *deltas,
        {"messageStop": {"stopReason": "end_turn"}},
        {"metadata": {"usage": usage, "metrics": {"latencyMs": 900}}},
    ]


def _select_events(count: int) -> list[dict[str, Any]]:
    return [{"Records": {"Payload": b"x" * (KIB - 1) + b"\n"}} for _ in range(count)] + [
        {"End": {}}
    ]


CASES = {
    "bedrock ConverseStream text deltas": (
        "bedrock-runtime", "ConverseStream", "stream", EventStreamJSONParser,
        _converse_events(scaled(2000, 20)),
    ),
    "s3 SelectObjectContent 1 KiB records": (
        "s3", "SelectObjectContent", "Payload", EventStreamXMLParser,
        _select_events(scaled(500, 10)),
    ),
}  # fmt: skip


class _Body:
    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces

    def stream(self) -> Any:
        return iter(self._pieces)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("implementation", ["eventstream.services", "botocore"])
def test_decode_service_events(benchmark: Any, case: str, implementation: str) -> None:
    service, operation, member, parser_class, events = CASES[case]
    stream = load_stream(service, operation)
    body = fake_stream(stream, events=events)
    pieces = [body[i : i + 4 * KIB] for i in range(0, len(body), 4 * KIB)]
    record(benchmark, f"services: {case}", implementation=implementation,
           messages=len(events), size=len(body))  # fmt: skip
    if implementation == "botocore":
        shape = _shape(service, operation, member)

        def decode() -> list[Any]:
            return list(EventStream(_Body(pieces), shape, parser_class(), operation))
    else:

        def decode() -> list[Any]:
            decoder = stream.decoder()
            out = [event.as_boto3() for piece in pieces for event in decoder.feed(piece)]
            decoder.close()
            return out

    result = benchmark(decode)
    assert result == events  # same answer, or the timing means nothing
    add_rates(benchmark)
