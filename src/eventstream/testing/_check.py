"""The property our fuzzers check, as functions anyone can run on any input.

For any bytes, fed in any pieces:

* only :class:`~eventstream.EventStreamError` subclasses come out (anything
  else propagates from here as the crash it is);
* the bytes a decoder holds stay below its ``max_message_size`` (once it
  has failed: no more than it held plus the piece that failed it);
* every decoded message re-encodes to exactly the bytes it was read from,
  unless it holds a string or byte_array value over 32,767 bytes (readable,
  not writable, by design);
* the pieces do not matter: the same messages and the same error (class and
  offset) as one whole feed, and :func:`~eventstream.decode` agrees on each
  message;
* an error points inside the input, and the failed decoder refuses more;
* ``feed()`` agrees with ``feed_frames()``, and the compiled ``feed()``
  (where ``eventstream._cfeed`` is built) with the Python one, message for
  message and in the decoder's ``offset``, ``buffered`` and ``failed`` after
  every piece.

A violation raises ``AssertionError`` saying what broke.
"""

from __future__ import annotations

from collections.abc import Sequence

from .._decoder import Decoder
from .._errors import DecoderFailedError, EncodeError, EventStreamError
from .._format import DEFAULT_MAX_MESSAGE_SIZE, Frame, decode, encode
from .._headers import MAX_VALUE_BYTES
from .._message import Message
from ..aws_lambda import (
    HttpIntegrationError,
    HttpIntegrationSplitter,
    PayloadChunk,
    ResponseStreamDecoder,
    ResponseStreamEvent,
)

__all__ = ["check_decoder", "check_response_stream_decoder"]


def _pieces(data: bytes, cuts: Sequence[int]) -> list[bytes]:
    points = sorted(min(max(c, 0), len(data)) for c in cuts)
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)])]


def _run(
    data: bytes, cuts: Sequence[int], max_message_size: int
) -> tuple[list[Frame], EventStreamError | None]:
    decoder = Decoder(max_message_size)
    frames: list[Frame] = []
    error: EventStreamError | None = None
    held_before = 0
    piece = b""
    try:
        for piece in _pieces(data, cuts):
            held_before = decoder.buffered
            frames += decoder.feed_frames(piece)
            _check_held(decoder, max_message_size, held_before, len(piece))
        decoder.close()
    except EventStreamError as exc:
        error = exc
        _check_held(decoder, max_message_size, held_before, len(piece))
    if error is not None:
        assert decoder.failed and decoder.error is error, "decoder raised but is not failed"
        assert error.offset is not None and 0 <= error.offset <= len(data), (
            f"error offset {error.offset} outside the {len(data)}-byte input: {error!r}"
        )
        try:
            decoder.feed(b"")
        except DecoderFailedError:
            pass
        else:
            raise AssertionError("a failed decoder accepted more input")
    return frames, error


# (offset, buffered, failed) of a decoder after each piece.
_States = list[tuple[int, int, bool]]


def _run_feed(
    data: bytes, cuts: Sequence[int], max_message_size: int, python_feed: bool
) -> tuple[list[Message], EventStreamError | None, _States]:
    """Like :func:`_run` with ``feed()``: the compiled one where it is built,
    or with ``python_feed`` the Python one (``Decoder._feed_py``)."""
    decoder = Decoder(max_message_size)
    feed = decoder._feed_py if python_feed else decoder.feed
    messages: list[Message] = []
    states: _States = []
    error: EventStreamError | None = None
    try:
        for piece in _pieces(data, cuts):
            messages += feed(piece)
            states.append((decoder.offset, decoder.buffered, decoder.failed))
        decoder.close()
    except EventStreamError as exc:
        error = exc
    states.append((decoder.offset, decoder.buffered, decoder.failed))
    return messages, error, states


def _error_key(error: EventStreamError | None) -> tuple[object, ...] | None:
    if error is None:
        return None
    return type(error), str(error), error.offset, error.message_offset


def _check_held(decoder: Decoder, cap: int, held_before: int, piece_size: int) -> None:
    # A working decoder holds only an incomplete message, so less than the
    # cap.  A failed one parses nothing more; it may keep the unread rest of
    # the piece that failed it (never more than it held plus that piece).
    if decoder.failed:
        assert decoder.buffered <= held_before + piece_size, (
            f"failed decoder holds {decoder.buffered} bytes, more than it was given"
        )
    else:
        assert decoder.buffered < cap, f"decoder holds {decoder.buffered} bytes, cap is {cap}"


def _too_long_to_write(message: Message) -> bool:
    for value in message.headers.values():
        size = len(value.encode("utf-8")) if isinstance(value, str) else None
        if isinstance(value, bytes):
            size = len(value)
        if size is not None and size > MAX_VALUE_BYTES:
            return True
    return False


def check_decoder(
    data: bytes, cuts: Sequence[int] = (), max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE
) -> list[Message]:
    """Check the fuzz property of :class:`~eventstream.Decoder` on ``data``
    fed in pieces cut at ``cuts`` (offsets, any order; out-of-range ones are
    clamped).  Returns the messages decoded before any error.
    """
    return _check_decoder(bytes(data), cuts, max_message_size)[0]


def _check_decoder(
    data: bytes, cuts: Sequence[int], max_message_size: int
) -> tuple[list[Message], EventStreamError | None]:
    frames, error = _check_decoder_frames(data, cuts, max_message_size)
    return [frame.message for frame in frames], error


def _check_decoder_frames(
    data: bytes, cuts: Sequence[int], max_message_size: int
) -> tuple[list[Frame], EventStreamError | None]:
    frames, error = _run(data, cuts, max_message_size)
    whole_frames, whole_error = _run(data, (), max_message_size)
    assert frames == whole_frames, "pieces changed the decoded messages"
    assert type(error) is type(whole_error), (
        f"pieces changed the error: {error!r} vs {whole_error!r}"
    )
    if error is not None and whole_error is not None:
        assert error.offset == whole_error.offset, "pieces changed the error offset"
    messages, feed_error, states = _run_feed(data, cuts, max_message_size, python_feed=False)
    assert messages == [frame.message for frame in frames], "feed() and feed_frames() disagree"
    assert _error_key(feed_error) == _error_key(error), (
        f"feed() and feed_frames() disagree: {feed_error!r} vs {error!r}"
    )
    py_messages, py_error, py_states = _run_feed(data, cuts, max_message_size, python_feed=True)
    assert (py_messages, py_states) == (messages, states), (
        "the compiled and Python feed() disagree"
    )
    assert _error_key(py_error) == _error_key(feed_error), (
        f"the compiled and Python feed() disagree: {feed_error!r} vs {py_error!r}"
    )
    expected_offset = 0
    for frame in frames:
        assert frame.offset == expected_offset, "frames are not contiguous"
        raw = data[frame.offset : frame.offset + frame.total_length]
        expected_offset += frame.total_length
        assert decode(raw) == frame.message, "decode() disagrees with the Decoder"
        try:
            again = encode(frame.message)
        except EncodeError:
            assert _too_long_to_write(frame.message), "a decoded message cannot be re-encoded"
            continue
        assert again == raw, "a decoded message re-encodes to other bytes"
    return frames, error


def check_response_stream_decoder(
    data: bytes, cuts: Sequence[int] = (), max_message_size: int = DEFAULT_MAX_MESSAGE_SIZE
) -> list[ResponseStreamEvent]:
    """Check :class:`~eventstream.aws_lambda.ResponseStreamDecoder` on ``data``
    fed in pieces: only ``EventStreamError`` subclasses come out, it never
    accepts a stream the codec rejects, every message before the one that failed
    the stream gives one event (none lost, none twice), its chunks are the codec's
    payloads in order, and the HTTP-integration splitter on those chunks raises only
    ``HttpIntegrationError`` and returns the bytes after the prelude.
    Returns the events decoded before any error.
    """
    data = bytes(data)
    frames, codec_error = _check_decoder_frames(data, cuts, max_message_size)
    messages = [frame.message for frame in frames]
    decoder = ResponseStreamDecoder(max_message_size)
    events: list[ResponseStreamEvent] = []
    error: EventStreamError | None = None
    try:
        for piece in _pieces(data, cuts):
            events += decoder.feed(piece)
        decoder.close()
    except EventStreamError as exc:
        error = exc
    if codec_error is not None:
        assert error is not None, f"accepted a stream the codec rejects: {codec_error!r}"
    assert len(events) <= len(messages), "more events than messages"
    # One event per message, and every message before the one that failed the stream
    # gives its event: none lost, none twice.
    if error is None:
        assert len(events) == len(messages), "a message gave no event"
    elif error.message_offset is not None:
        before = sum(1 for frame in frames if frame.offset < error.message_offset)
        assert len(events) == before, (
            f"{len(events)} events for the {before} messages before the error: {error!r}"
        )
    chunks = [event.payload for event in events if isinstance(event, PayloadChunk)]
    event_chunks = [
        message.payload
        for message, event in zip(messages, events)
        if isinstance(event, PayloadChunk)
    ]
    assert chunks == event_chunks, "chunk payloads differ from the messages' payloads"
    splitter = HttpIntegrationSplitter()
    body = []
    try:
        for chunk in chunks:
            body.append(splitter.feed(chunk))
        splitter.close()
    except HttpIntegrationError:
        return events
    joined = b"".join(chunks)
    assert b"".join(body) == joined[joined.index(b"\x00" * 8) + 8 :], "splitter lost body bytes"
    return events
