"""The incremental Decoder: pieces, end of stream, failure state, the size cap."""

from __future__ import annotations

import array
import tracemalloc

import pytest

import eventstream as es
from eventstream.testing import raw_frame

CHUNK = es.Message(
    {
        ":event-type": "PayloadChunk",
        ":content-type": "application/octet-stream",
        ":message-type": "event",
    },
    b"x" * 64,
)


def stream_of(count: int) -> tuple[list[es.Message], bytes]:
    messages = [
        es.Message({"i": es.Integer(i), "s": "v" * (i % 7)}, bytes([i % 256]) * i)
        for i in range(count)
    ]
    return messages, b"".join(es.encode(m) for m in messages)


def test_one_byte_at_a_time() -> None:
    messages, data = stream_of(40)
    decoder = es.Decoder()
    out = []
    for i in range(len(data)):
        out += decoder.feed(data[i : i + 1])
    decoder.close()
    assert out == messages


def test_big_piece_and_empty_pieces() -> None:
    messages, data = stream_of(100)
    decoder = es.Decoder()
    assert decoder.feed(b"") == []
    assert decoder.feed(data) == messages
    assert decoder.feed(b"") == []
    assert decoder.offset == len(data) and decoder.buffered == 0
    decoder.close()


def test_large_message_fed_byte_by_byte() -> None:
    message = es.Message({"k": "v"}, bytes(range(256)) * 256)  # 64 KiB payload
    data = es.encode(message)
    decoder = es.Decoder()
    got = [m for i in range(len(data)) for m in decoder.feed(data[i : i + 1])]
    assert got == [message]


def test_bytes_like_pieces() -> None:
    messages, data = stream_of(5)
    half = len(data) // 2
    decoder = es.Decoder()
    out = decoder.feed(bytearray(data[:half])) + decoder.feed(memoryview(data)[half:])
    assert out == messages
    # A memoryview of another item size is read as its bytes.
    padded = data + b"\x00" * (-len(data) % 2)
    words = array.array("H", padded)
    decoder = es.Decoder()
    assert decoder.feed(memoryview(words)) == messages
    assert decoder.buffered == len(padded) - len(data)
    # Non-contiguous views are read as their bytes too.
    strided = memoryview(bytes(b for byte in data for b in (byte, 0)))[::2]
    assert es.Decoder().feed(strided) == messages


def test_caller_may_reuse_its_buffer() -> None:
    data = es.encode(CHUNK)
    piece = bytearray(data[:20])
    decoder = es.Decoder()
    assert decoder.feed(piece) == []
    piece[:] = b"\xff" * 20  # the decoder must have copied what it keeps
    assert decoder.feed(data[20:]) == [CHUNK]


def test_frames_report_offsets_and_lengths() -> None:
    messages, data = stream_of(3)
    decoder = es.Decoder()
    frames = decoder.feed_frames(data[:7]) + decoder.feed_frames(data[7:])
    assert [f.message for f in frames] == messages
    offset = 0
    for frame in frames:
        encoded = es.encode(frame.message)
        assert frame.offset == offset and frame.total_length == len(encoded)
        assert frame.headers_length == len(es.encode_headers(frame.message.headers))
        offset += len(encoded)


def test_close_reports_truncation() -> None:
    data = es.encode(CHUNK)
    decoder = es.Decoder()
    decoder.feed(data + data[:5])
    with pytest.raises(
        es.TruncatedStreamError, match="5 bytes of a message; expected a 12-byte prelude"
    ) as info:
        decoder.close()
    assert info.value.offset == len(data)
    decoder = es.Decoder()
    decoder.feed(data + data[:-1])
    with pytest.raises(es.TruncatedStreamError, match=f"expected the {len(data)}-byte message"):
        decoder.close()
    assert decoder.failed
    with pytest.raises(es.DecoderFailedError):
        decoder.feed(data)
    es.Decoder().close()  # nothing fed: a clean end


def test_cap_is_checked_before_the_body_is_buffered() -> None:
    prelude_only = raw_frame(b"", total_length=1 << 20)[:12]
    decoder = es.Decoder(max_message_size=1 << 19)
    with pytest.raises(es.MessageTooLargeError, match="exceeds max_message_size=524288") as info:
        decoder.feed(prelude_only)
    assert info.value.total_length == 1 << 20 and info.value.offset == 0
    # The default cap: 32 MiB.
    assert es.Decoder().max_message_size == es.DEFAULT_MAX_MESSAGE_SIZE == 32 * 1024 * 1024
    with pytest.raises(es.MessageTooLargeError):
        es.Decoder().feed(raw_frame(b"", total_length=32 * 1024 * 1024 + 1)[:12])
    for bad in (15, 2**32):
        with pytest.raises(ValueError, match="max_message_size"):
            es.Decoder(max_message_size=bad)


def test_huge_claim_is_waited_on_without_allocating_it() -> None:
    prelude = raw_frame(b"", total_length=2**32 - 1)[:12]
    decoder = es.Decoder(max_message_size=2**32 - 1)
    tracemalloc.start()
    try:
        assert decoder.feed(prelude) == []
        for _ in range(100):
            assert decoder.feed(b"\x00" * 1000) == []
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert decoder.buffered == 12 + 100_000
    assert peak < 1_000_000  # what was fed, not the 4 GiB claimed
    with pytest.raises(es.TruncatedStreamError):
        decoder.close()


def test_header_cache_shares_identical_blocks_without_mixing_them() -> None:
    a = es.Message({"t": "a"}, b"1")
    b = es.Message({"t": "b"}, b"2")
    out = es.Decoder().feed(b"".join(es.encode(m) for m in (a, b, a, b)))
    assert out == [a, b, a, b]
    assert out[0].headers is out[2].headers


def test_many_distinct_header_blocks_stay_correct() -> None:
    messages = [es.Message({"n": es.Integer(i)}) for i in range(300)]
    data = b"".join(es.encode(m) for m in messages)
    assert es.Decoder().feed(data) == messages
