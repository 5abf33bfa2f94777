"""The speed-ups of issue 6 give exactly the answers of the plain paths.

Shared header blocks on the encoder side, the decoder's one-append path for a
piece that does not complete the buffered message, the completion of a
buffered message from the front of the next piece, and the state a failure
leaves.  (Timing is the benchmarks' business, never a test's.)
"""

from __future__ import annotations

import array

import pytest
from hypothesis import given

import eventstream as es
from eventstream import _headers

from .framing import raw_frame
from .strategies import header_maps

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


# -- the decoder's paths --

MESSAGE = es.Message(LAMBDA, b"x" * 100)
DATA = es.encode(MESSAGE)


def test_pieces_of_other_buffer_types_while_a_message_is_buffered() -> None:
    decoder = es.Decoder()
    assert decoder.feed(DATA[:3]) == []
    rest = DATA[3:] + DATA + b"\x00" * (-len(DATA[3:] + DATA) % 4)
    words = array.array("I", rest)  # len() counts items, the decoder must count bytes
    assert decoder.feed(words) == [MESSAGE, MESSAGE]
    assert decoder.buffered == len(rest) - 2 * len(DATA) + 3
    decoder = es.Decoder()
    assert decoder.feed(DATA[:3]) == []
    strided = memoryview(bytes(b for byte in DATA[3:] for b in (byte, 0)))[::2]
    assert decoder.feed(strided) == [MESSAGE]  # not a flat buffer: copied, then parsed


def test_a_wrong_type_while_buffered_leaves_the_decoder_usable() -> None:
    decoder = es.Decoder()
    decoder.feed(DATA[:30])
    with pytest.raises(TypeError):
        decoder.feed("text")  # type: ignore[arg-type]
    assert not decoder.failed and decoder.buffered == 30
    assert decoder.feed(DATA[30:]) == [MESSAGE]


@pytest.mark.parametrize("cut", [1, 11, 12, 13, 50, len(DATA) - 1])
def test_a_buffered_message_is_completed_from_the_next_piece(cut: int) -> None:
    decoder = es.Decoder()
    frames = decoder.feed_frames(DATA[:cut])
    frames += decoder.feed_frames(DATA[cut:] + DATA + DATA[:cut])
    assert [f.message for f in frames] == [MESSAGE, MESSAGE]
    assert [f.offset for f in frames] == [0, len(DATA)]
    assert decoder.offset == 2 * len(DATA) and decoder.buffered == cut
    assert decoder.feed(DATA[cut:]) == [MESSAGE]
    decoder.close()


def _corrupt(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


@pytest.mark.parametrize("at", [2, 9, 20, len(DATA) - 2])
def test_a_bad_buffered_message_fails_at_its_start(at: int) -> None:
    bad = _corrupt(DATA, at)
    decoder = es.Decoder()
    assert decoder.feed(DATA + bad[:5]) == [MESSAGE]
    with pytest.raises(es.EventStreamError) as info:
        decoder.feed(bad[5:] + DATA)
    assert info.value.message_offset == len(DATA)
    # What is kept is what an unparsed piece would leave: from the bad message on.
    assert decoder.offset == len(DATA) and decoder.buffered == len(bad) + len(DATA)
    with pytest.raises(es.DecoderFailedError):
        decoder.feed(b"")


def test_a_bad_message_after_a_completed_one_is_deferred() -> None:
    bad = _corrupt(DATA, len(DATA) - 2)
    decoder = es.Decoder()
    decoder.feed(DATA[:40])
    assert decoder.feed(DATA[40:] + DATA + bad + DATA) == [MESSAGE, MESSAGE]
    assert decoder.offset == 2 * len(DATA) and decoder.buffered == len(bad) + len(DATA)
    with pytest.raises(es.MessageChecksumError) as info:
        decoder.close()
    assert info.value.message_offset == 2 * len(DATA)


def test_a_bad_prelude_in_the_buffer_fails_at_once() -> None:
    bad = raw_frame(b"", total=15)
    decoder = es.Decoder()
    decoder.feed(bad[:6])
    with pytest.raises(es.InvalidLengthError, match="below the 16-byte minimum"):
        decoder.feed(bad[6:12] + b"more")
    assert decoder.failed and decoder.offset == 0 and decoder.buffered == 16
