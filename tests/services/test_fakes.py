"""eventstream.testing: fake service streams, and boto3 reading them offline."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import boto3
import pytest
from botocore.exceptions import EventStreamError as BotocoreEventStreamError

from eventstream.services import load_stream
from eventstream.testing import fake_stream, random_event, stub_event_stream


def client(service: str) -> Any:
    return boto3.client(
        service,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )


def test_fake_streams_are_byte_exact_and_decode_to_their_events() -> None:
    events = [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "Hi"}}},
        {"messageStop": {"stopReason": "end_turn"}},
        {
            "metadata": {
                "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
                "metrics": {"latencyMs": 3},
            }
        },
    ]
    body = fake_stream("bedrock-runtime", "ConverseStream", events)
    assert body == fake_stream("bedrock-runtime", "ConverseStream", events)
    stream = load_stream("bedrock-runtime", "ConverseStream")
    decoder = stream.decoder()
    assert [e.as_boto3() for e in decoder.feed(body)] == events
    decoder.close()


def test_boto3_reads_an_invoke_model_with_response_stream_fake() -> None:
    bedrock = client("bedrock-runtime")
    chunks = [
        {"chunk": {"bytes": b'{"completion": "Hel"}'}},
        {"chunk": {"bytes": b'{"completion": "lo"}'}},
    ]
    with stub_event_stream(
        bedrock, "invoke_model_with_response_stream", chunks, chunk_size=7
    ) as stub:
        response = bedrock.invoke_model_with_response_stream(modelId="anthropic.test", body=b"{}")
        assert list(response["body"]) == chunks
    assert len(stub.requests) == 1
    assert stub.requests[0].url.endswith("/model/anthropic.test/invoke-with-response-stream")
    # Leaving the block removed the stub: a second one answers now, not the first.
    other = [{"chunk": {"bytes": b"{}"}}]
    with stub_event_stream(bedrock, "InvokeModelWithResponseStream", other):
        response = bedrock.invoke_model_with_response_stream(modelId="anthropic.test", body=b"{}")
        assert list(response["body"]) == other


def test_boto3_sees_a_modeled_exception_in_the_fake() -> None:
    bedrock = client("bedrock-runtime")
    events = [
        {"messageStart": {"role": "assistant"}},
        {"throttlingException": {"message": "slow down"}},
    ]
    with stub_event_stream(bedrock, "ConverseStream", events):
        stream = bedrock.converse_stream(modelId="m", messages=[])["stream"]
        iterator = iter(stream)
        assert next(iterator) == {"messageStart": {"role": "assistant"}}
        with pytest.raises(BotocoreEventStreamError, match="throttlingException"):
            next(iterator)


def test_boto3_reads_kinesis_subscribe_to_shard_with_its_initial_response() -> None:
    kinesis = client("kinesis")
    record = {
        "Records": [
            {
                "SequenceNumber": "1",
                "ApproximateArrivalTimestamp": dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc),
                "Data": b"payload",
                "PartitionKey": "pk",
            }
        ],
        "ContinuationSequenceNumber": "1",
        "MillisBehindLatest": 0,
    }
    with stub_event_stream(kinesis, "subscribe_to_shard", [{"SubscribeToShardEvent": record}]):
        response = kinesis.subscribe_to_shard(
            ConsumerARN="arn:aws:kinesis:us-east-1:123456789012:stream/s/consumer/c:1",
            ShardId="shardId-000000000000",
            StartingPosition={"Type": "LATEST"},
        )
        assert list(response["EventStream"]) == [{"SubscribeToShardEvent": record}]


def test_boto3_reads_s3_select_and_lambda_fakes() -> None:
    s3 = client("s3")
    events = [
        {"Records": {"Payload": b"a,b\n"}},
        {"Stats": {"Details": {"BytesScanned": 4, "BytesProcessed": 4, "BytesReturned": 4}}},
        {"End": {}},
    ]
    with stub_event_stream(s3, "select_object_content", events):
        response = s3.select_object_content(
            Bucket="b", Key="k", Expression="select * from s3object", ExpressionType="SQL",
            InputSerialization={"CSV": {}}, OutputSerialization={"CSV": {}},
        )  # fmt: skip
        assert list(response["Payload"]) == events
    lam = client("lambda")
    events = [{"PayloadChunk": {"Payload": b"hi"}}, {"InvokeComplete": {}}]
    with stub_event_stream(lam, "invoke_with_response_stream", events):
        response = lam.invoke_with_response_stream(FunctionName="f")
        assert list(response["EventStream"]) == events


def test_random_fakes_for_every_bedrock_stream_read_back_through_boto3() -> None:
    bedrock = client("bedrock-runtime")
    stream = load_stream("bedrock-runtime", "ConverseStream")
    rng = random.Random(11)
    events = [random_event(stream, rng) for _ in range(20)]
    with stub_event_stream(bedrock, "converse_stream", events, chunk_size=5):
        assert list(bedrock.converse_stream(modelId="m", messages=[])["stream"]) == events
