"""Hypothesis properties of the codec."""

from __future__ import annotations

import contextlib

from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream.testing import messages, raw_frame, splits


@given(messages())
def test_encode_then_decode_is_identity(message: es.Message) -> None:
    decoded = es.decode(es.encode(message))
    assert decoded == message
    assert decoded.headers.typed_items() == message.headers.typed_items()


@given(messages())
def test_decode_then_encode_gives_the_same_bytes(message: es.Message) -> None:
    data = es.encode(message)
    assert es.encode(es.decode(data)) == data


@given(st.data(), st.lists(messages(), max_size=6))
def test_any_partition_gives_the_same_messages(
    data: st.DataObject, batch: list[es.Message]
) -> None:
    stream = b"".join(es.encode(m) for m in batch)
    pieces = data.draw(splits(stream))
    assert b"".join(pieces) == stream
    decoder = es.Decoder()
    out = [m for piece in pieces for m in decoder.feed(piece)]
    decoder.close()
    assert out == batch


@given(st.data(), messages())
def test_any_single_bit_flip_is_rejected(data: st.DataObject, message: es.Message) -> None:
    encoded = bytearray(es.encode(message))
    bit = data.draw(st.integers(0, len(encoded) * 8 - 1))
    encoded[bit // 8] ^= 1 << (bit % 8)
    try:
        es.decode(bytes(encoded))
    except es.EventStreamError:
        pass
    else:
        raise AssertionError(f"bit {bit} flipped and still decoded")
    decoder = es.Decoder(max_message_size=2**32 - 1)
    try:
        decoder.feed(bytes(encoded))
        decoder.close()
    except es.EventStreamError:
        pass
    else:
        raise AssertionError(f"bit {bit} flipped and the stream decoder took it")


@given(st.binary(max_size=512))
def test_random_bytes_raise_only_event_stream_errors(blob: bytes) -> None:
    with contextlib.suppress(es.EventStreamError):
        es.decode(blob)


@given(st.data(), st.binary(max_size=512))
def test_random_bytes_in_random_pieces(data: st.DataObject, blob: bytes) -> None:
    decoder = es.Decoder()
    try:
        for piece in data.draw(splits(blob)):
            decoder.feed(piece)
        decoder.close()
    except es.EventStreamError:
        assert decoder.failed


@given(st.data(), messages(), st.binary(min_size=1, max_size=64))
def test_crc_valid_garbage_in_the_header_block(
    data: st.DataObject, message: es.Message, junk: bytes
) -> None:
    # Replace part of the header block with junk, recompute both CRCs: the
    # decoder must reject it as a structural error or decode something that
    # re-encodes to exactly those bytes; never anything else.
    block = es.encode_headers(message.headers)
    cut = data.draw(st.integers(0, len(block)))
    frame = raw_frame(block[:cut] + junk, message.payload)
    try:
        decoded = es.decode(frame)
    except (es.InvalidHeaderError, es.InvalidLengthError):
        return
    try:
        again = es.encode(decoded)
    except es.EncodeError:
        return  # e.g. a value over the 32767-byte write limit
    assert again == frame
