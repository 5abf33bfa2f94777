"""The speed-ups of issue 6 give exactly the answers of the plain paths.

Shared header blocks on the encoder side, the decoder's one-append path for a
piece that does not complete the buffered message, the completion of a
buffered message from the front of the next piece, and the state a failure
leaves.  (Timing is the benchmarks' business, never a test's.)
"""

from __future__ import annotations

import array
import struct
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream import _decoder, _format, _headers
from eventstream.testing import header_names, header_values, raw_frame

header_maps = st.dictionaries(header_names(), header_values(), max_size=8)

LAMBDA = {
    ":event-type": "PayloadChunk",
    ":content-type": "application/octet-stream",
    ":message-type": "event",
}


# -- headers built from a dict are shared --


def test_identical_dicts_share_one_headers_object() -> None:
    first = es.Message(dict(LAMBDA), b"1")
    second = es.Message(dict(LAMBDA), b"2")
    assert first.headers is second.headers
    assert es.encode_headers(first.headers) == es.encode_headers(list(LAMBDA.items()))


def test_equal_values_of_other_types_are_other_headers() -> None:
    # True == 1 == Byte(1) == 1.0 and they hash alike; the cache must keep them apart.
    kinds = [
        ({"a": True}, es.HeaderType.BOOL_TRUE),
        ({"a": 1}, es.HeaderType.LONG),
        ({"a": es.Byte(1)}, es.HeaderType.BYTE),
        ({"a": es.Integer(1)}, es.HeaderType.INTEGER),
        ({"a": True}, es.HeaderType.BOOL_TRUE),
    ]
    for headers, wire in kinds:
        assert es.Message(headers).headers.wire_type("a") == wire
        assert es.Headers(headers).wire_type("a") == wire
    with pytest.raises(es.EncodeError, match="unsupported header value type float"):
        es.Message({"a": 1.0})


def test_value_subclasses_are_not_served_from_the_cache() -> None:
    class Tagged(str):
        pass

    es.Message({"a": "x"})
    headers = es.Message({"a": Tagged("x")}).headers
    assert type(headers["a"]) is Tagged


def test_the_callers_dict_is_read_once() -> None:
    source = {"a": "x"}
    message = es.Message(source)
    source["a"] = "y"
    assert message.headers["a"] == "x"
    assert es.Message(source).headers["a"] == "y"


def test_refused_headers_are_refused_every_time() -> None:
    too_long = {"s": "x" * (es.MAX_VALUE_BYTES + 1)}
    for _ in range(2):
        message = es.Message(too_long)  # building is fine, as it always was
        with pytest.raises(es.EncodeError, match="over the 32767-byte limit"):
            es.encode(message)


def test_unhashable_values_are_built_every_time() -> None:
    for _ in range(2):
        headers = es.Message({"raw": bytearray(b"\x01\x02")}).headers
        assert headers["raw"] == b"\x01\x02" and type(headers["raw"]) is bytes


def test_the_cache_is_bounded() -> None:
    for i in range(3 * _headers._SHARED_ENTRIES):
        es.Message({"n": es.Integer(i)})
    assert len(_headers._SHARED) <= _headers._SHARED_ENTRIES
    big = {"big": "x" * (_headers._SHARED_BLOCK_BYTES + 1)}
    assert es.Message(big).headers is not es.Message(big).headers


@given(header_maps)
def test_dict_headers_match_the_uncached_path(headers: dict[str, es.HeaderValue]) -> None:
    uncached = es.Headers(list(headers.items()))
    for _ in range(2):  # the second time from the cache
        cached = es.Message(headers).headers
        assert cached.typed_items() == uncached.typed_items()
        assert es.encode_headers(cached) == es.encode_headers(uncached)


@pytest.mark.parametrize("size", [0, 2047, 2048, 2049, 100_000])
def test_both_ways_of_computing_the_message_crc(size: int) -> None:
    # Up to _format._ONE_CRC_MAX the CRC is taken over the joined bytes, above over the parts.
    data = es.encode(es.Message(LAMBDA, bytes(range(256)) * (size // 256) + b"z" * (size % 256)))
    assert data[8:12] == struct.pack(">I", zlib.crc32(data[:8]))
    assert data[-4:] == struct.pack(">I", zlib.crc32(data[:-4]))
    assert len(data) == 16 + 90 + size
    assert 2047 <= _format._ONE_CRC_MAX < 100_000  # the sizes above take both ways


# -- the decoder's paths --
# A piece that completes a buffered message takes one of two ways: joined to
# the buffer when both are small (up to _decoder._JOIN_MAX bytes), else the
# message is completed alone and the rest parsed straight from the piece.
# Each test runs both ways, through feed() (with its one-append fast path)
# and feed_frames().

SMALL = es.Message(LAMBDA, b"x" * 100)
LARGE = es.Message(LAMBDA, bytes(range(256)) * 80)  # 20 KiB: the second way
assert len(es.encode(LARGE)) > _decoder._JOIN_MAX
SIZES = pytest.mark.parametrize("message", [SMALL, LARGE], ids=["small", "large"])
FEEDS = pytest.mark.parametrize("frames", [False, True], ids=["feed", "feed_frames"])


def _feed(decoder: es.Decoder, piece: object, frames: bool) -> list[es.Message]:
    if frames:
        return [f.message for f in decoder.feed_frames(piece)]  # type: ignore[arg-type]
    return decoder.feed(piece)  # type: ignore[arg-type]


@SIZES
def test_pieces_of_other_buffer_types_while_a_message_is_buffered(message: es.Message) -> None:
    data = es.encode(message)
    decoder = es.Decoder()
    assert decoder.feed(data[:3]) == []
    rest = data[3:] + data + b"\x00" * (-len(data[3:] + data) % 4)
    words = array.array("I", rest)  # len() counts items, the decoder must count bytes
    assert decoder.feed(words) == [message, message]
    assert decoder.buffered == len(rest) - 2 * len(data) + 3
    decoder = es.Decoder()
    assert decoder.feed(data[:3]) == []
    strided = memoryview(bytes(b for byte in data[3:] for b in (byte, 0)))[::2]
    assert decoder.feed(strided) == [message]  # not a flat buffer: copied, then parsed


def test_a_wrong_type_while_buffered_leaves_the_decoder_usable() -> None:
    data = es.encode(SMALL)
    decoder = es.Decoder()
    decoder.feed(data[:30])
    with pytest.raises(TypeError):
        decoder.feed("text")  # type: ignore[arg-type]
    assert not decoder.failed and decoder.buffered == 30
    assert decoder.feed(data[30:]) == [SMALL]


@SIZES
@FEEDS
@pytest.mark.parametrize("cut", [1, 11, 12, 13, 50, -1])
def test_a_buffered_message_is_completed_from_the_next_piece(
    message: es.Message, frames: bool, cut: int
) -> None:
    data = es.encode(message)
    cut %= len(data)
    decoder = es.Decoder()
    got = decoder.feed_frames(data[:cut]) + decoder.feed_frames(data[cut:] + data + data[:cut])
    assert [f.message for f in got] == [message, message]
    assert [f.offset for f in got] == [0, len(data)]
    assert decoder.offset == 2 * len(data) and decoder.buffered == cut
    assert _feed(decoder, data[cut:-1], frames) == []
    assert _feed(decoder, data[-1:] + data[:5], frames) == [message]
    assert decoder.offset == 3 * len(data) and decoder.buffered == 5
    assert _feed(decoder, data[5:], frames) == [message]
    decoder.close()


def _corrupt(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


@SIZES
@FEEDS
@pytest.mark.parametrize("at", [2, 9, 20, -2])
def test_a_bad_buffered_message_fails_at_its_start(
    message: es.Message, frames: bool, at: int
) -> None:
    data = es.encode(message)
    bad = _corrupt(data, at % len(data))
    decoder = es.Decoder()
    assert _feed(decoder, data + bad[:5], frames) == [message]
    with pytest.raises(es.EventStreamError) as info:
        _feed(decoder, bad[5:] + data, frames)
    assert info.value.message_offset == len(data)
    # What is kept is what an unparsed piece would leave: from the bad message on.
    assert decoder.offset == len(data) and decoder.buffered == len(bad) + len(data)
    with pytest.raises(es.DecoderFailedError):
        _feed(decoder, b"", frames)


@SIZES
@FEEDS
def test_a_bad_message_after_a_completed_one_is_deferred(
    message: es.Message, frames: bool
) -> None:
    data = es.encode(message)
    bad = _corrupt(data, len(data) - 2)
    decoder = es.Decoder()
    _feed(decoder, data[:40], frames)
    assert _feed(decoder, data[40:] + data + bad + data, frames) == [message, message]
    assert decoder.offset == 2 * len(data) and decoder.buffered == len(bad) + len(data)
    with pytest.raises(es.MessageChecksumError) as info:
        decoder.close()
    assert info.value.message_offset == 2 * len(data)


@FEEDS
@pytest.mark.parametrize("extra", [4, 2 * _decoder._JOIN_MAX])
def test_a_bad_prelude_in_the_buffer_fails_at_once(frames: bool, extra: int) -> None:
    bad = raw_frame(b"", total_length=15)
    decoder = es.Decoder()
    _feed(decoder, bad[:6], frames)
    with pytest.raises(es.InvalidLengthError, match="below the 16-byte minimum"):
        _feed(decoder, bad[6:12] + b"m" * extra, frames)
    assert decoder.failed and decoder.offset == 0 and decoder.buffered == 12 + extra


@SIZES
def test_one_byte_at_a_time_then_a_big_piece(message: es.Message) -> None:
    data = es.encode(message)
    decoder = es.Decoder()
    got = [m for i in range(30) for m in decoder.feed(data[i : i + 1])]
    got += decoder.feed(data[30:] + data * 3)
    assert got == [message] * 4


@FEEDS
def test_a_failed_decoder_refuses_even_one_byte(frames: bool) -> None:
    data = es.encode(SMALL)
    decoder = es.Decoder()
    decoder.feed(data + data[:50])
    with pytest.raises(es.TruncatedStreamError):
        decoder.close()
    with pytest.raises(es.DecoderFailedError):
        _feed(decoder, b"x", frames)
    assert decoder.buffered == 50
    bad = _corrupt(data, 20)
    decoder = es.Decoder()
    assert _feed(decoder, data[:10], frames) == []
    assert _feed(decoder, data[10:] + bad + data[:5], frames) == [SMALL]  # error deferred
    with pytest.raises(es.MessageChecksumError):
        _feed(decoder, b"x", frames)
    with pytest.raises(es.DecoderFailedError):
        _feed(decoder, b"x", frames)
    assert decoder.buffered == len(bad) + 5
