"""botocore's own event-stream parser for an operation, as the peer of the tests."""

from __future__ import annotations

import gzip
from typing import Any

import botocore.session
from botocore.eventstream import EventStream
from botocore.parsers import (
    EventStreamCBORParser,
    EventStreamJSONParser,
    EventStreamXMLParser,
)

from eventstream.services._model import find_model_file

_PARSERS = {
    "json": EventStreamJSONParser,
    "xml": EventStreamXMLParser,
    "cbor": EventStreamCBORParser,
}
_SESSION = botocore.session.get_session()


class _Body:
    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces

    def stream(self) -> Any:
        return iter(self._pieces)


def output_streams() -> list[tuple[str, str]]:
    """Every (service, operation) of the installed botocore with an output event stream.

    Only the models whose text mentions ``eventstream`` are loaded by botocore
    (loading all of them takes many seconds)."""
    found = []
    for service in _SESSION.get_available_services():
        path = find_model_file(service)
        with (gzip.open if path.endswith(".gz") else open)(path, "rb") as file:
            if b'"eventstream"' not in file.read():
                continue
        model = _SESSION.get_service_model(service)
        for operation in model.operation_names:
            output = model.operation_model(operation).output_shape
            if output is not None and any(
                member.serialization.get("eventstream") for member in output.members.values()
            ):
                found.append((service, operation))
    return found


def botocore_events(
    service: str, operation: str, codec: str, body: bytes, member: str
) -> list[Any]:
    """What boto3 yields for ``body`` as the output stream of ``operation``."""
    op = _SESSION.get_service_model(service).operation_model(operation)
    shape = op.output_shape.members[member]
    stream = EventStream(_Body([body]), shape, _PARSERS[codec](), operation)
    return list(stream)
