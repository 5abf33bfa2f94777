"""What a Decoder takes as a piece, and what it keeps of it.

A piece is read once per call (one view, or one copy), before any of the
decoder's state, and nothing of it is kept after the call but copies of the
bytes it needs: not by a stored error's traceback either, so a failed feed()
neither pins a large piece in memory nor keeps an mmap from closing.  Wrong
arguments (a str piece, a float cap) and input after close() get clear errors.
"""

from __future__ import annotations

import gc
import mmap
import sys
import tempfile
import weakref
from collections.abc import Iterator
from typing import Any, Callable

import pytest

import eventstream as es
from eventstream import aws_lambda
from eventstream._feedgate import python_feed
from eventstream.testing import raw_frame

GOOD = es.encode(es.Message({":event-type": "Chunk"}, b"good"))
BAD = raw_frame(b"\x00")  # both CRCs hold, the header block does not parse
LARGE = es.encode(es.Message({":event-type": "Chunk"}, bytes(40_000)))

FEEDS: dict[str, Callable[[es.Decoder], Callable[[Any], list[es.Message]]]] = {
    "feed": lambda decoder: decoder.feed,
    "python feed": python_feed,
    "feed_frames": lambda decoder: decoder.feed_frames,  # type: ignore[dict-item]
}


class Piece(bytearray):
    """A bytearray that can be weakly referenced."""


@pytest.fixture(autouse=True)
def _no_cycle_collection() -> Iterator[None]:
    # A reference cycle must not be what frees a piece: with the collector
    # off, only plain reference counting can.
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _feed_and_forget(feed: Callable[[Any], object], piece: object) -> object:
    try:
        return feed(piece)
    except es.EventStreamError as exc:
        return type(exc)


@pytest.mark.parametrize("how", sorted(FEEDS))
@pytest.mark.parametrize(
    "data", [BAD, GOOD + BAD, GOOD[:7] + BAD], ids=["now", "deferred", "held"]
)
def test_a_failed_feed_keeps_no_reference_to_the_piece(how: str, data: bytes) -> None:
    decoder = es.Decoder()
    feed = FEEDS[how](decoder)
    if data.startswith(GOOD[:7]) and not data.startswith(GOOD):
        feed(GOOD[:7])  # a buffered message, completed by the bad piece
        data = GOOD[7:] + BAD
    piece = Piece(data)
    ref = weakref.ref(piece)
    _feed_and_forget(feed, piece)
    del piece
    assert ref() is None, "the decoder still holds the piece that failed it"
    assert decoder.failed and decoder.error is not None
    assert decoder.error.__traceback__ is None
    with pytest.raises(es.EventStreamError):  # and it still refuses input
        feed(b"x")


def test_the_response_stream_decoder_keeps_no_reference_to_the_piece() -> None:
    decoder = aws_lambda.ResponseStreamDecoder()
    piece = Piece(BAD)
    ref = weakref.ref(piece)
    _feed_and_forget(decoder.feed, piece)
    del piece
    assert ref() is None
    assert decoder.failed
    with pytest.raises(es.DecoderFailedError):
        decoder.feed(b"")


@pytest.mark.parametrize("data", [BAD, GOOD + BAD], ids=["now", "deferred"])
def test_an_mmap_can_be_closed_after_a_failed_feed(data: bytes) -> None:
    with tempfile.TemporaryFile() as file:
        file.write(data)
        file.flush()
        mapped = mmap.mmap(file.fileno(), 0)
        decoder = es.Decoder()
        _feed_and_forget(decoder.feed, mapped)
        assert decoder.failed
        mapped.close()  # BufferError if a view of it were still alive
        assert mapped.closed


def test_a_raised_error_is_a_copy_of_the_stored_one() -> None:
    decoder = es.Decoder()
    with pytest.raises(es.InvalidHeaderError) as caught:
        decoder.feed(BAD)
    stored = decoder.error
    assert stored is not None and stored.__traceback__ is None
    assert type(caught.value) is type(stored)
    assert (str(caught.value), caught.value.offset, caught.value.message_offset) == (
        str(stored),
        stored.offset,
        stored.message_offset,
    )


# -- one read of a piece's buffer per call (objects that export it from Python code) --

needs_buffer_protocol = pytest.mark.skipif(
    sys.version_info < (3, 12), reason="__buffer__ in Python code needs Python 3.12"
)


class CountingPiece:
    """Exports ``data`` and counts the exports; may feed ``decoder`` from inside one."""

    def __init__(
        self, data: bytes, decoder: es.Decoder | None = None, inner: bytes | None = None
    ) -> None:
        self.data = data
        self.exports = 0
        self.decoder = decoder
        self.inner = inner
        self.inner_result: list[es.Message] = []

    def __buffer__(self, flags: int) -> memoryview:
        self.exports += 1
        if self.inner is not None and self.decoder is not None:
            inner, self.inner = self.inner, None
            self.inner_result = self.decoder.feed(inner)
        return memoryview(self.data)


@needs_buffer_protocol
@pytest.mark.parametrize("how", sorted(FEEDS))
@pytest.mark.parametrize(
    ("before", "piece"),
    [
        (b"", GOOD * 3),  # whole messages, nothing buffered
        (LARGE[:100], LARGE[100:200]),  # stays inside the buffered message
        (LARGE[:100], LARGE[100:] + GOOD),  # completes a large buffered message
        (GOOD[:10], GOOD[10:] + GOOD),  # completes a small one (joined)
        (b"", BAD),  # fails
    ],
    ids=["whole", "inside", "completes-large", "completes-small", "fails"],
)
def test_a_piece_buffer_is_read_once_per_call(how: str, before: bytes, piece: bytes) -> None:
    decoder = es.Decoder()
    feed = FEEDS[how](decoder)
    feed(before)
    counting = CountingPiece(piece)
    _feed_and_forget(feed, counting)
    assert counting.exports == 1


@needs_buffer_protocol
@pytest.mark.parametrize("how", ["feed", "python feed"])
@pytest.mark.parametrize("first", [GOOD, LARGE], ids=["small", "large"])
def test_a_feed_from_inside_a_buffer_export_loses_nothing(how: str, first: bytes) -> None:
    # The export of the outer piece feeds the rest of the first message and
    # the start of the second; the outer piece is the second message's rest.
    second = es.encode(es.Message({":event-type": "Chunk"}, b"second" * 100))
    decoder = es.Decoder()
    feed = FEEDS[how](decoder)
    assert feed(first[:10]) == []
    outer = CountingPiece(second[5:], decoder, inner=first[10:] + second[:5])
    got = feed(outer)
    assert outer.inner_result == [es.decode(first)]
    assert got == [es.decode(second)]
    assert decoder.buffered == 0
    decoder.close()


# -- wrong arguments and input after the end --


@pytest.mark.parametrize("how", sorted(FEEDS))
@pytest.mark.parametrize("piece", ["abc", 7, None, [1, 2]])
def test_a_piece_that_is_not_bytes_like_says_what_is_expected(how: str, piece: object) -> None:
    decoder = es.Decoder()
    feed = FEEDS[how](decoder)
    feed(GOOD[:5])
    with pytest.raises(TypeError, match=r"feed\(\) takes a bytes-like object") as caught:
        feed(piece)
    assert type(piece).__name__ in str(caught.value)
    # The caller's mistake does not fail the decoder.
    assert not decoder.failed
    assert feed(GOOD[5:]) != []


@pytest.mark.parametrize("size", [16.5, 1024.0, "1024", None])
def test_max_message_size_must_be_an_int(size: object) -> None:
    with pytest.raises(TypeError, match="max_message_size must be an int"):
        es.Decoder(size)  # type: ignore[arg-type]


@pytest.mark.parametrize("how", sorted(FEEDS))
@pytest.mark.parametrize("piece", [GOOD, GOOD[:3], b""], ids=["message", "part", "empty"])
def test_feed_after_a_clean_close_is_refused(how: str, piece: bytes) -> None:
    decoder = es.Decoder()
    feed = FEEDS[how](decoder)
    assert len(feed(GOOD)) == 1
    decoder.close()
    for _ in range(2):  # every time, and always as the same error
        with pytest.raises(es.EventStreamError, match=r"feed\(\) after close\(\)") as caught:
            feed(piece)
        assert type(caught.value) is es.EventStreamError
    assert not decoder.failed and decoder.error is None
    decoder.close()  # closing again is harmless
