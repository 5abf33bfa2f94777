"""The typed accessors of common headers, and the public names of the typing and CRC pieces."""

from __future__ import annotations

import zlib

import pytest

import eventstream as es
from eventstream import _crc


def test_common_headers_read_as_str() -> None:
    message = es.decode(
        es.encode(
            es.Message(
                {
                    ":event-type": "PayloadChunk",
                    ":content-type": "application/octet-stream",
                    ":message-type": "event",
                },
                b"x",
            )
        )
    )
    assert message.event_type == "PayloadChunk"
    assert message.content_type == "application/octet-stream"
    assert message.message_type == "event"
    assert message.headers.get_str(":event-type") == "PayloadChunk"


def test_absent_header_is_none() -> None:
    message = es.Message({"other": "x"})
    assert message.event_type is None
    assert message.message_type is None
    assert message.content_type is None
    assert message.headers.get_str("missing") is None


@pytest.mark.parametrize(
    ("value", "wire_name"),
    [
        (b"PayloadChunk", "byte_array"),
        (es.Integer(7), "integer"),
        (True, "bool_true"),
        (es.Timestamp(0), "timestamp"),
    ],
)
def test_wrong_wire_type_is_refused_clearly(value: es.HeaderValueIn, wire_name: str) -> None:
    message = es.decode(es.encode(es.Message({":event-type": value})))
    with pytest.raises(es.InvalidHeaderError) as caught:
        _ = message.event_type
    text = str(caught.value)
    assert "':event-type'" in text
    assert wire_name in text
    assert "expected a string" in text


def test_crc_backend_is_public() -> None:
    assert es.CRC32_BACKEND == _crc.CRC32_BACKEND
    assert es.CRC32_BACKEND in ("zlib-ng", "isal", "zlib")
    assert "CRC32_BACKEND" in es.__all__
    assert (es.CRC32_BACKEND == "zlib") == (_crc.crc32 is zlib.crc32)


def test_input_value_type_is_public() -> None:
    assert "HeaderValueIn" in es.__all__
    # Every decoded value type is also an input type.
    assert set(es.HeaderValue.__args__) <= set(es.HeaderValueIn.__args__)
