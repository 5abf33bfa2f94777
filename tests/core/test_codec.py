"""Encoding and decoding single messages; every structural error behind valid CRCs."""

from __future__ import annotations

import struct

import crcmod.predefined
import pytest
from hypothesis import given

import eventstream as es
from eventstream.testing import messages, raw_frame, raw_header

# An independent CRC-32 implementation (crcmod's table for "crc-32",
# polynomial 0x104C11DB7, reflected, xor-out 0xFFFFFFFF) as the oracle.
CRC32 = crcmod.predefined.mkCrcFun("crc-32")


@given(messages())
def test_encoder_checksums_match_crcmod(message: es.Message) -> None:
    data = es.encode(message)
    total, headers_length, prelude_crc = struct.unpack(">III", data[:12])
    assert total == len(data)
    assert headers_length == len(es.encode_headers(message.headers))
    assert prelude_crc == CRC32(data[:8])
    assert struct.unpack(">I", data[-4:])[0] == CRC32(data[:-4])


def test_known_bytes_of_a_lambda_chunk() -> None:
    message = es.Message(
        {
            ":event-type": "PayloadChunk",
            ":content-type": "application/octet-stream",
            ":message-type": "event",
        },
        b"hello",
    )
    data = es.encode(message)
    block = (
        raw_header(b":event-type", 7, b"\x00\x0cPayloadChunk")
        + raw_header(b":content-type", 7, b"\x00\x18application/octet-stream")
        + raw_header(b":message-type", 7, b"\x00\x05event")
    )
    assert es.encode_headers(message.headers) == block
    assert data == raw_frame(block, b"hello")


def test_encode_headers_accepts_mappings_and_pairs() -> None:
    assert es.encode_headers({"a": True}) == b"\x01a\x00"
    assert es.encode_headers([("a", False)]) == b"\x01a\x01"
    assert es.encode_headers({}) == b""


def test_every_wire_type_encodes_as_specified() -> None:
    import uuid

    cases = [
        (True, b"\x00"),
        (False, b"\x01"),
        (es.Byte(-1), b"\x02\xff"),
        (es.Short(-2), b"\x03\xff\xfe"),
        (es.Integer(1), b"\x04\x00\x00\x00\x01"),
        (es.Long(-(2**63)), b"\x05\x80" + b"\x00" * 7),
        (b"ab", b"\x06\x00\x02ab"),
        ("\u00e9", b"\x07\x00\x02\xc3\xa9"),
        (es.Timestamp(1000), b"\x08" + (1000).to_bytes(8, "big")),
        (uuid.UUID(int=5), b"\x09" + (5).to_bytes(16, "big")),
    ]
    for value, wire in cases:
        assert es.encode_headers({"h": value}) == b"\x01h" + wire
        assert es.decode(raw_frame(b"\x01h" + wire)).headers["h"] == value
        assert type(es.decode(raw_frame(b"\x01h" + wire)).headers["h"]) is type(value)


def test_encoder_limits() -> None:
    es.encode(es.Message({"n" * 255: "x" * 32767, "b": b"\x00" * 32767}))
    with pytest.raises(es.EncodeError, match=r"1\.\.255 bytes"):
        es.Message({"n" * 256: 1})
    with pytest.raises(es.EncodeError, match=r"1\.\.255 bytes"):
        es.Message({"\u00e9" * 128: 1})  # 256 bytes of UTF-8
    with pytest.raises(es.EncodeError, match=r"1\.\.255 bytes"):
        es.Message({"": 1})
    with pytest.raises(es.EncodeError, match="32767-byte limit"):
        es.encode(es.Message({"s": "x" * 32768}))
    with pytest.raises(es.EncodeError, match="32767-byte limit"):
        es.encode(es.Message({"s": "\u00e9" * 16384}))
    with pytest.raises(es.EncodeError, match="32767-byte limit"):
        es.encode(es.Message({"b": b"x" * 32768}))
    with pytest.raises(es.EncodeError, match="not encodable as UTF-8"):
        es.encode(es.Message({"s": "\ud800"}))
    with pytest.raises(es.EncodeError, match="not encodable as UTF-8"):
        es.Message({"\ud800": 1})
    with pytest.raises(es.EncodeError, match="must be str"):
        es.Message({b"n": 1})  # type: ignore[dict-item]
    with pytest.raises(es.EncodeError, match="takes a Message"):
        es.encode(b"")  # type: ignore[arg-type]
    with pytest.raises(es.EncodeError, match="payload must be bytes-like"):
        es.Message({}, "text")  # type: ignore[arg-type]


def test_decoder_accepts_values_the_encoder_refuses() -> None:
    # Exact on read: the uint16 field can say up to 65535, and services send empty values.
    long_value = b"v" * 65535
    m = es.decode(
        raw_frame(raw_header(b"s", 7, b"\xff\xff" + long_value) + raw_header(b"e", 6, b"\x00\x00"))
    )
    assert m.headers["s"] == "v" * 65535 and m.headers["e"] == b""
    with pytest.raises(es.EncodeError):
        es.encode(m)


# Every malformed header block, each behind correct CRCs: (block, error, message, offset in block).
NAME = b"\x01h"
BAD_BLOCKS = [
    (b"\x00\x00", es.InvalidHeaderError, "name length is 0", 0),
    (b"\x05ab", es.InvalidHeaderError, "name of 5 bytes runs past", 0),
    (b"\x02\xff\xfe\x00", es.InvalidHeaderError, "name is not valid UTF-8", 1),
    (b"\x01h", es.InvalidHeaderError, "no value type byte", 2),
    (NAME + b"\x0a", es.InvalidHeaderError, "unknown value type 10", 2),
    (NAME + b"\xff", es.InvalidHeaderError, "unknown value type 255", 2),
    (NAME + b"\x02", es.InvalidHeaderError, "byte value needs 1 bytes", 3),
    (NAME + b"\x03\x00", es.InvalidHeaderError, "short value needs 2 bytes", 3),
    (NAME + b"\x04\x00\x00\x00", es.InvalidHeaderError, "integer value needs 4", 3),
    (NAME + b"\x05" + b"\x00" * 7, es.InvalidHeaderError, "long value needs 8", 3),
    (NAME + b"\x08" + b"\x00" * 7, es.InvalidHeaderError, "timestamp value needs 8", 3),
    (NAME + b"\x09" + b"\x00" * 15, es.InvalidHeaderError, "uuid value needs 16", 3),
    (NAME + b"\x06\x00", es.InvalidHeaderError, "length field runs past", 3),
    (NAME + b"\x07\x00\x05abc", es.InvalidHeaderError, "value of 5 bytes runs past", 3),
    (NAME + b"\x06\xff\xff", es.InvalidHeaderError, "value of 65535 bytes runs past", 3),
    (NAME + b"\x07\x00\x02\xc3\x28", es.InvalidHeaderError, "string value is not valid UTF-8", 5),
    (NAME + b"\x07\x00\x01\xed", es.InvalidHeaderError, "string value is not valid UTF-8", 5),
    (NAME + b"\x00" + NAME + b"\x01", es.DuplicateHeaderError, "duplicate header name 'h'", 3),
]


@pytest.mark.parametrize(("block", "error", "text", "at"), BAD_BLOCKS)
def test_crc_valid_malformed_headers_are_rejected(
    block: bytes, error: type[es.EventStreamError], text: str, at: int
) -> None:
    # A payload after the block: a decoder that read past the block's end
    # would find bytes there and could "succeed".
    data = raw_frame(block, b"\x00\x10payload-bytes-here")
    with pytest.raises(error, match=text) as info:
        es.decode(data)
    assert info.value.offset == 12 + at
    assert info.value.message_offset == 0
    # The stream decoder reports the same error at the stream offset.
    decoder = es.Decoder()
    ok = es.encode(es.Message({"a": 1}))
    assert len(decoder.feed(ok + data)) == 1  # the good message first, the error deferred
    with pytest.raises(error, match=text) as info:
        decoder.close()
    assert info.value.offset == len(ok) + 12 + at
    assert info.value.message_offset == len(ok)


def test_deferred_error_keeps_good_messages() -> None:
    ok = es.encode(es.Message({"a": 1}, b"good"))
    bad = raw_frame(b"\x00")
    decoder = es.Decoder()
    assert [m.payload for m in decoder.feed(ok + ok + bad)] == [b"good", b"good"]
    assert decoder.failed and isinstance(decoder.error, es.InvalidHeaderError)
    with pytest.raises(es.InvalidHeaderError):
        decoder.feed(b"")
    with pytest.raises(es.DecoderFailedError, match="already failed") as info:
        decoder.feed(ok)
    assert info.value.original is decoder.error and info.value.__cause__ is decoder.error
    with pytest.raises(es.DecoderFailedError):
        decoder.close()


@pytest.mark.parametrize(
    ("total", "headers_length", "text"),
    [
        (0, 0, "below the 16-byte minimum"),
        (15, 0, "below the 16-byte minimum"),
        (16, 1, "headers length 1 runs past the end of a 16-byte message"),
        (20, 2**32 - 1, "runs past"),
    ],
)
def test_bad_lengths(total: int, headers_length: int, text: str) -> None:
    data = raw_frame(b"", total_length=total, headers_length=headers_length)
    with pytest.raises(es.InvalidLengthError, match=text):
        es.decode(data)
    with pytest.raises(es.InvalidLengthError, match=text):
        es.Decoder().feed(data)


def test_decode_wants_exactly_one_message() -> None:
    data = es.encode(es.Message({"a": "b"}, b"payload"))
    with pytest.raises(es.TruncatedStreamError, match="12-byte prelude"):
        es.decode(data[:11])
    with pytest.raises(es.TruncatedStreamError, match=f"announces a {len(data)}-byte message"):
        es.decode(data[:-1])
    with pytest.raises(es.InvalidLengthError, match="1 bytes more") as info:
        es.decode(data + b"\x00")
    assert info.value.offset == len(data)
    with pytest.raises(es.TruncatedStreamError):
        es.decode(b"")
    assert es.decode(bytearray(data)) == es.decode(memoryview(data)) == es.decode(data)


def test_checksum_errors_say_both_values() -> None:
    data = bytearray(es.encode(es.Message({"a": "b"}, b"payload")))
    data[-1] ^= 1
    with pytest.raises(es.MessageChecksumError) as info:
        es.decode(bytes(data))
    assert info.value.offset == len(data) - 4
    assert info.value.actual == info.value.expected ^ 1
    assert f"0x{info.value.actual:08x}" in str(info.value)
    data[-1] ^= 1
    data[9] ^= 0x80
    with pytest.raises(es.PreludeChecksumError) as info2:
        es.decode(bytes(data))
    assert info2.value.offset == 8 and isinstance(info2.value, es.ChecksumError)


def test_errors_are_value_errors() -> None:
    for cls in (
        es.PreludeChecksumError,
        es.InvalidHeaderError,
        es.TruncatedStreamError,
        es.EncodeError,
        es.MessageTooLargeError,
        es.DecoderFailedError,
    ):
        assert issubclass(cls, es.EventStreamError) and issubclass(cls, ValueError)
