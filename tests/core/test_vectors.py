"""The reference SDKs' conformance vectors (fixtures/vectors, see its README).

Negative vectors: we check the prelude CRC, then the lengths, then the
message CRC, and parse headers only after both CRCs hold (so no field of a
corrupt message is ever handed out).  The smithy-rs structural cases were
made without recomputing the message CRC, so in this order they are message
checksum errors; Rust, which parses first, reports the structural error.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from pathlib import Path

import pytest

import eventstream as es

from ..conftest import VECTORS

GO = VECTORS / "aws-sdk-go"
RS = VECTORS / "smithy-rs"


def test_vector_files_are_byte_exact() -> None:
    listed = re.findall(r"^([0-9a-f]{64})  (\S+)$", (VECTORS / "README.md").read_text(), re.M)
    assert len(listed) == 29
    for digest, name in listed:
        assert hashlib.sha256((VECTORS / name).read_bytes()).hexdigest() == digest, name


def _expected_value(wire: int, value: object) -> object:
    if wire in (6, 7, 9):
        raw = base64.b64decode(str(value))
        if wire == 7:
            return raw.decode("utf-8")
        return uuid.UUID(bytes=raw) if wire == 9 else raw
    if wire == 8:
        return es.Timestamp(int(value))  # type: ignore[call-overload]
    return value


@pytest.mark.parametrize("name", sorted(p.name for p in (GO / "encoded/positive").iterdir()))
def test_go_positive(name: str) -> None:
    data = (GO / "encoded/positive" / name).read_bytes()
    expected = json.loads((GO / "decoded/positive" / name).read_text())
    message = es.decode(data)
    assert expected["total_length"] == len(data)
    assert [(n, int(t), v) for n, t, v in message.headers.typed_items()] == [
        (h["name"], h["type"], _expected_value(h["type"], h["value"])) for h in expected["headers"]
    ]
    assert message.payload == base64.b64decode(expected["payload"])
    assert es.encode(message) == data
    assert int.from_bytes(data[8:12], "big") == expected["prelude_crc"] & 0xFFFFFFFF
    assert int.from_bytes(data[-4:], "big") == expected["message_crc"] & 0xFFFFFFFF


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("corrupted_header_len", es.PreludeChecksumError),
        ("corrupted_length", es.PreludeChecksumError),
        ("corrupted_headers", es.MessageChecksumError),
        ("corrupted_payload", es.MessageChecksumError),
    ],
)
def test_go_negative(name: str, error: type[es.EventStreamError]) -> None:
    data = (GO / "encoded/negative" / name).read_bytes()
    hint = (GO / "decoded/negative" / name).read_text()
    assert (
        hint
        == {es.PreludeChecksumError: "Prelude", es.MessageChecksumError: "Message"}[error]
        + " checksum mismatch"
    )
    with pytest.raises(error):
        es.decode(data)
    decoder = es.Decoder()
    with pytest.raises(error):
        decoder.feed(data)
    assert decoder.failed


RUST_VALID = {
    "valid_with_all_headers_and_payload": es.Message(
        [
            ("true", True),
            ("false", False),
            ("byte", es.Byte(50)),
            ("short", es.Short(20000)),
            ("int", es.Integer(500000)),
            ("long", es.Long(50_000_000_000)),
            ("bytes", b"some bytes"),
            ("str", "some str"),
            ("time", es.Timestamp(5_000_000_000)),
            ("uuid", uuid.UUID("b79bc914-de21-4e13-b8b2-bc47e85b7f0b")),
        ],
        b"some payload",
    ),
    "valid_empty_payload": es.Message({"some-header": es.Short(500)}, b""),
    "valid_no_headers": es.Message({}, b"another test payload"),
}


@pytest.mark.parametrize("name", sorted(RUST_VALID))
def test_rust_valid(name: str) -> None:
    data = (RS / name).read_bytes()
    message = es.decode(data)
    assert message == RUST_VALID[name]
    assert es.encode(RUST_VALID[name]) == data


RUST_INVALID: dict[str, tuple[type[es.EventStreamError], str]] = {
    "invalid_prelude_checksum": (es.PreludeChecksumError, "0xdeadbeef.*0x8bb495fb"),
    "invalid_message_checksum": (es.MessageChecksumError, "0xdeadbeef.*0x01a05860"),
    "invalid_headers_length": (es.InvalidLengthError, "headers length 77"),
    "invalid_header_name_length": (es.MessageChecksumError, "message checksum"),
    "invalid_header_value_type": (es.MessageChecksumError, "message checksum"),
    "invalid_header_string_value_length": (es.MessageChecksumError, "message checksum"),
    "invalid_header_string_length_cut_off": (es.MessageChecksumError, "message checksum"),
    # 93-byte frame followed by 30 stray bytes: decode() wants exactly one
    # message; the frame itself fails its message CRC.
    "invalid_header_name_length_too_long": (es.InvalidLengthError, "30 bytes more"),
}


@pytest.mark.parametrize("name", sorted(RUST_INVALID))
def test_rust_invalid(name: str) -> None:
    error, pattern = RUST_INVALID[name]
    data = (RS / name).read_bytes()
    with pytest.raises(error, match=pattern):
        es.decode(data)
    with pytest.raises(es.EventStreamError):
        decoder = es.Decoder()
        decoder.feed(data)
        decoder.close()


def test_rust_name_length_too_long_frame_alone() -> None:
    data = (RS / "invalid_header_name_length_too_long").read_bytes()
    with pytest.raises(es.MessageChecksumError):
        es.decode(data[:93])


def test_every_vector_is_covered() -> None:
    covered = set(RUST_VALID) | set(RUST_INVALID)
    assert covered == {p.name for p in RS.iterdir()}
    go = {p.name for p in (GO / "encoded/negative").iterdir()}
    assert go == {
        "corrupted_header_len",
        "corrupted_length",
        "corrupted_headers",
        "corrupted_payload",
    }


def test_vectors_dir_is_the_copy_in_fixtures() -> None:
    assert Path(VECTORS).is_dir() and (GO / "encoded/positive/all_headers").stat().st_size == 204
