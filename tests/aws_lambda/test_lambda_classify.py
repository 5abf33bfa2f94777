"""eventstream.events.classify: the service-agnostic :message-type layer."""

from __future__ import annotations

import pickle

import pytest

import eventstream as es
from eventstream.events import (
    ErrorMessage,
    EventMessage,
    ExceptionMessage,
    InitialResponse,
    InvalidEventMessageError,
    ModeledStreamException,
    UnmodeledStreamError,
    classify,
)


def test_event() -> None:
    message = es.Message(
        {":content-type": "application/json", ":event-type": "Stats", ":message-type": "event"},
        b'{"n":1}',
    )
    kind = classify(message)
    assert kind == EventMessage("Stats", "application/json", message)
    assert isinstance(kind, EventMessage)
    assert kind.payload == b'{"n":1}' and kind.headers is message.headers


def test_event_without_content_type() -> None:
    message = es.Message({":message-type": "event", ":event-type": "End"}, b"")
    assert classify(message) == EventMessage("End", None, message)


def test_initial_response() -> None:
    message = es.Message({":event-type": "initial-response", ":message-type": "event"}, b"{}")
    kind = classify(message)
    assert kind == InitialResponse(None, message)
    assert isinstance(kind, InitialResponse) and kind.payload == b"{}"


def test_exception() -> None:
    message = es.Message(
        {":message-type": "exception", ":exception-type": "ValidationException"},
        b'{"message":"bad input"}',
    )
    kind = classify(message, offset=40)
    assert isinstance(kind, ExceptionMessage)
    assert (kind.exception_type, kind.error_message) == ("ValidationException", "bad input")
    error = kind.to_error(40)
    assert isinstance(error, ModeledStreamException) and isinstance(error, es.EventStreamError)
    assert (error.code, error.message, error.offset) == ("ValidationException", "bad input", 40)
    assert error.message_offset == 40
    assert "ValidationException: bad input" in str(error)
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.code, copy.message, copy.payload, copy.offset, copy.message_offset) == (
        error.code,
        error.message,
        error.payload,
        error.offset,
        error.message_offset,
    )


def test_exception_payload_too_big_to_scan_keeps_text_and_payload() -> None:
    payload = b'{"message":"' + b"x" * 70_000 + b'"}'
    message = es.Message({":message-type": "exception", ":exception-type": "Big"}, payload)
    kind = classify(message)
    assert isinstance(kind, ExceptionMessage)
    assert len(kind.error_message) == 64 * 1024
    assert kind.to_error().payload == payload


def test_error() -> None:
    message = es.Message(
        {":error-message": "slow down", ":error-code": "Throttled", ":message-type": "error"}, b""
    )
    kind = classify(message)
    assert kind == ErrorMessage("Throttled", "slow down", message)
    assert isinstance(kind, ErrorMessage)
    error = kind.to_error()
    assert isinstance(error, UnmodeledStreamError)
    assert (error.code, error.message, error.offset) == ("Throttled", "slow down", None)
    no_text = es.Message({":error-code": "X", ":message-type": "error"}, b"")
    assert classify(no_text) == ErrorMessage("X", "", no_text)


@pytest.mark.parametrize(
    ("headers", "mentions"),
    [
        ({}, ":message-type"),
        ({":message-type": "event"}, ":event-type"),
        ({":message-type": "exception"}, ":exception-type"),
        ({":message-type": "error"}, ":error-code"),
        ({":message-type": "something"}, "'something'"),
        ({":message-type": es.Short(1)}, "short"),
        ({":message-type": "event", ":event-type": "E", ":content-type": b"x"}, "byte_array"),
        ({":message-type": "error", ":error-code": "C", ":error-message": False}, "bool"),
    ],
)
def test_invalid(headers: dict[str, es.HeaderValue], mentions: str) -> None:
    with pytest.raises(InvalidEventMessageError) as caught:
        classify(es.Message(headers, b""), offset=7)
    assert mentions in str(caught.value)
    assert caught.value.offset == 7
    assert caught.value.message_offset == 7
