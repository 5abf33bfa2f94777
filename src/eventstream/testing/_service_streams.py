"""Fake event streams for any operation, and a way to make boto3 read them offline.

:func:`fake_stream` writes the body a service would send for a list of boto3-shaped
events (byte-exact: the same bytes every time, the ``initial-response`` first for RPC
protocols). :func:`stub_event_stream` makes a boto3 client answer one operation with
such a body, through botocore's ``before-send`` event (botocore emits it just before
sending a request; a handler that returns a response replaces the network call), so
code that iterates ``response["body"]`` or ``response["stream"]`` runs unchanged::

    client = boto3.client("bedrock-runtime", region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    with stub_event_stream(client, "converse_stream", [
        {"messageStart": {"role": "assistant"}},
        {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "Hi"}}},
        {"messageStop": {"stopReason": "end_turn"}},
    ]) as stub:
        response = client.converse_stream(modelId="m", messages=[])
        events = list(response["stream"])
    assert stub.requests[0].url.endswith("/model/m/converse-stream")
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Union

from ..services import StreamModel, load_stream

#: One item of a fake stream: a boto3-shaped event (or modeled exception) dict, or
#: bytes already encoded (``stream.encode_error(...)``, a deliberately broken message).
StreamItem = Union[Mapping[str, Any], bytes]

EVENT_STREAM_CONTENT_TYPE = "application/vnd.amazon.eventstream"


def fake_stream(
    service: str | StreamModel,
    operation: str | None = None,
    events: Sequence[StreamItem] = (),
    *,
    initial_response: Mapping[str, Any] | None = None,
    model: str | os.PathLike[str] | dict[str, Any] | None = None,
) -> bytes:
    """The response body ``service``'s ``operation`` sends for ``events``.

    ``service`` is a name (with ``operation``) or a :class:`StreamModel`. For RPC
    protocols (Kinesis ``SubscribeToShard``) the body opens with the
    ``initial-response`` boto3 requires, carrying ``initial_response``'s members.
    """
    if isinstance(service, StreamModel):
        stream = service
    else:
        if operation is None:
            raise TypeError("fake_stream() needs the operation with a service name")
        stream = load_stream(service, operation, model=model)
    parts = []
    if stream.sends_initial_response:
        parts.append(stream.encode_initial_response(initial_response))
    for item in events:
        parts.append(bytes(item) if isinstance(item, (bytes, bytearray)) else stream.encode(item))
    return b"".join(parts)


class _Body:
    """What botocore reads an event-stream response from (``raw.stream()``)."""

    def __init__(self, data: bytes, chunk_size: int) -> None:
        self._data = data
        self._chunk_size = chunk_size

    def stream(self, *args: Any, **kwargs: Any) -> Iterator[bytes]:
        for start in range(0, len(self._data), self._chunk_size):
            yield self._data[start : start + self._chunk_size]

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        return self._data

    def close(self) -> None:
        pass


class StubbedEventStream:
    """A registered stub: ``requests`` holds every request it answered; ``remove()``
    (or leaving the ``with`` block) unregisters it. ``body`` may be replaced between
    calls."""

    def __init__(
        self, client: Any, event_name: str, body: bytes, chunk_size: int, status: int
    ) -> None:
        self._client = client
        self._event_name = event_name
        self.body = body
        self.chunk_size = chunk_size
        self.status = status
        self.requests: list[Any] = []
        client.meta.events.register(event_name, self._respond)

    def _respond(self, request: Any, **kwargs: Any) -> Any:
        # botocore is there: the client is one of its.
        response_class = importlib.import_module("botocore.awsrequest").AWSResponse
        self.requests.append(request)
        headers = {"content-type": EVENT_STREAM_CONTENT_TYPE, "x-amzn-requestid": "stub"}
        return response_class(request.url, self.status, headers, _Body(self.body, self.chunk_size))

    def remove(self) -> None:
        """Stop answering; later calls go to the network again."""
        self._client.meta.events.unregister(self._event_name, self._respond)

    def __enter__(self) -> StubbedEventStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


def stub_event_stream(
    client: Any,
    operation: str,
    events: Sequence[StreamItem] | bytes,
    *,
    initial_response: Mapping[str, Any] | None = None,
    chunk_size: int = 64,
    status: int = 200,
) -> StubbedEventStream:
    """Make ``client`` (a boto3/botocore client) answer ``operation`` (API or Python
    name) with a fake event stream, offline. ``events`` is a list of boto3-shaped events
    (see :func:`fake_stream`) or a whole body as bytes; the body is handed to botocore
    in ``chunk_size`` pieces. The model is the client's service's, as installed."""
    service_model = client.meta.service_model
    api_name = client.meta.method_to_api_mapping.get(operation, operation)
    operation_model = service_model.operation_model(api_name)
    if isinstance(events, (bytes, bytearray)):
        body = bytes(events)
    else:
        stream = load_stream(service_model.service_name, api_name)
        body = fake_stream(stream, events=events, initial_response=initial_response)
    event_name = f"before-send.{service_model.service_id.hyphenize()}.{operation_model.name}"
    return StubbedEventStream(client, event_name, body, chunk_size, status)
