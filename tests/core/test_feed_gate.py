"""The compiled fast path of Decoder.feed (_cfeed.c) gives the Python path's answers.

The compiled ``FeedGate.feed`` handles one case itself (a bytes or bytearray
piece that leaves the buffered message incomplete) and calls
``Decoder._feed_py`` for all others; these tests hold both to the same
messages, errors and state on every kind of piece, check the C code for
leaks and reference counts, and check the choice between the two.  Where the
module is not built both sides are the Python path; ``.ci/run`` sets
``EVENTSTREAM_REQUIRE_COMPILED=1`` so that CI cannot pass that way unnoticed.
"""

from __future__ import annotations

import array
import gc
import os
import subprocess
import sys
import tracemalloc
import weakref
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream import _feedgate
from eventstream._message import BytesLike
from eventstream.testing import messages

from ..conftest import FIXTURES

COMPILED = _feedgate.FEED_GATE == "compiled"

LAMBDA = {
    ":event-type": "PayloadChunk",
    ":content-type": "application/octet-stream",
    ":message-type": "event",
}


def _built() -> bool:
    """Whether eventstream._cfeed imports (whether or not it is used)."""
    try:
        import eventstream._cfeed  # noqa: F401
    except ImportError:
        return False
    return True


def test_the_gate_in_use_is_the_one_built() -> None:
    built = _built()
    forced_pure = os.environ.get("EVENTSTREAM_PURE_PYTHON", "") not in ("", "0")
    assert (built and not forced_pure) == COMPILED
    if os.environ.get("EVENTSTREAM_REQUIRE_COMPILED") == "1":
        assert COMPILED, "eventstream._cfeed was not built or not used"
    if COMPILED:
        assert "feed" not in es.Decoder.__dict__  # the compiled base's feed is used
        assert es.Decoder.feed.__doc__ is not None
        assert "return the messages it completed" in es.Decoder.feed.__doc__
    else:
        assert es.Decoder.feed is es.Decoder._feed_py


@pytest.mark.parametrize("value", ["1", "yes"])
def test_eventstream_pure_python_selects_the_python_gate(value: str) -> None:
    # In a fresh interpreter, as the choice is made at import.
    script = (
        "import eventstream as es, eventstream._feedgate as g\n"
        "assert g.FEED_GATE == 'python', g.FEED_GATE\n"
        "assert es.Decoder.feed is es.Decoder._feed_py\n"
        "data = open(r'%s', 'rb').read()\n"
        "d = es.Decoder(); n = 0\n"
        "for i in range(len(data)): n += len(d.feed(data[i:i+1]))\n"
        "d.close(); print(n)\n"
    ) % (FIXTURES / "lambda-stream.bin")
    env = dict(os.environ, EVENTSTREAM_PURE_PYTHON=value)
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    expected = len(es.Decoder().feed((FIXTURES / "lambda-stream.bin").read_bytes()))
    assert int(out.stdout) == expected > 0


def test_eventstream_pure_python_0_keeps_the_default() -> None:
    script = "import eventstream._feedgate as g; print(g.FEED_GATE)"
    env = dict(os.environ, EVENTSTREAM_PURE_PYTHON="0")
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == ("compiled" if _built() else "python")


# -- the same answers both ways --


def _python_feed(decoder: es.Decoder) -> Callable[[object], list[es.Message]]:
    return decoder._feed_py  # type: ignore[return-value]


def _compiled_feed(decoder: es.Decoder) -> Callable[[object], list[es.Message]]:
    return decoder.feed  # type: ignore[return-value]


def _outcome(error: BaseException | None) -> tuple[object, ...] | None:
    if error is None:
        return None
    return type(error), str(error), getattr(error, "offset", None)


def _trace(
    feed_of: Callable[[es.Decoder], Callable[[object], list[es.Message]]],
    pieces: list[object],
    max_message_size: int = es.DEFAULT_MAX_MESSAGE_SIZE,
) -> list[object]:
    """What each call returned or raised, and the decoder's state after it."""
    decoder = es.Decoder(max_message_size)
    feed = feed_of(decoder)
    trace: list[object] = []
    for piece in pieces:
        try:
            result: object = feed(piece)
        except Exception as exc:
            result = _outcome(exc)
        trace.append((result, decoder.offset, decoder.buffered, decoder.failed))
    try:
        decoder.close()
        trace.append("closed")
    except Exception as exc:
        trace.append(_outcome(exc))
    return trace


def _same_both_ways(
    pieces: list[object], max_message_size: int = es.DEFAULT_MAX_MESSAGE_SIZE
) -> None:
    compiled = _trace(_compiled_feed, pieces, max_message_size)
    python = _trace(_python_feed, pieces, max_message_size)
    assert compiled == python


def _message(payload_size: int) -> bytes:
    return es.encode(
        es.Message(LAMBDA, bytes(range(256)) * (payload_size // 256) + b"x" * (payload_size % 256))
    )


PIECE_TYPES: dict[str, Callable[[bytes], object]] = {
    "bytes": bytes,
    "bytearray": bytearray,
    "memoryview": memoryview,
    "bytes subclass": type("Tagged", (bytes,), {}),
    "array": lambda b: array.array("B", b),
}


@pytest.mark.parametrize("kind", sorted(PIECE_TYPES))
def test_one_byte_at_a_time_of_every_piece_type(kind: str) -> None:
    data = _message(3000) + _message(0) + _message(70)
    make = PIECE_TYPES[kind]
    _same_both_ways([make(data[i : i + 1]) for i in range(len(data))])


def test_a_piece_that_just_completes_or_just_misses_the_message() -> None:
    data = _message(100) * 2
    size = len(data) // 2
    for cut in (1, 11, 12, 13, size - 1, size, size + 1, size + 12):
        for second in (size - cut - 1, size - cut, size - cut + 1):
            if second >= 0:
                rest = data[cut + second :]
                _same_both_ways([data[:cut], data[cut : cut + second], b"", rest])


def test_empty_pieces_while_buffered_and_not() -> None:
    data = _message(50)
    _same_both_ways([b"", data[:5], b"", bytearray(), data[5:20], b"", data[20:], b""])


def test_pieces_that_are_not_bytes_while_buffered() -> None:
    data = _message(50)
    _same_both_ways([data[:20], "text", 7, None, data[20:]])


def test_after_a_failure_no_byte_is_taken() -> None:
    bad = bytearray(_message(200))
    bad[-1] ^= 1  # message CRC
    good = _message(10)
    _same_both_ways(
        [good + bytes(bad[:30]), *(bytes(bad[i : i + 1]) for i in range(30, len(bad))), b"x"]
    )
    # A bad prelude: fails at its 12th byte, then refuses one more.
    prelude = bytearray(good[:12])
    prelude[9] ^= 1
    _same_both_ways([bytes(prelude[i : i + 1]) for i in range(12)] + [b"x", b""])


def test_the_cap_is_checked_before_any_body_byte() -> None:
    data = _message(5000)
    _same_both_ways([data[i : i + 1] for i in range(40)], max_message_size=4096)


def test_a_stream_cut_short_reports_the_same() -> None:
    data = _message(500)
    _same_both_ways([data[i : i + 1] for i in range(len(data) - 3)])


@given(
    payload_sizes=st.lists(st.integers(0, 3000), min_size=1, max_size=5),
    cuts=st.lists(st.integers(0, 20_000), max_size=40),
    flip=st.one_of(st.none(), st.integers(0, 20_000)),
    kind=st.sampled_from(sorted(PIECE_TYPES)),
)
def test_any_stream_any_pieces_same_both_ways(
    payload_sizes: list[int], cuts: list[int], flip: int | None, kind: str
) -> None:
    data = bytearray(b"".join(_message(n) for n in payload_sizes))
    if flip is not None:
        data[flip % len(data)] ^= 0x20
    points = sorted({c % (len(data) + 1) for c in cuts})
    make = PIECE_TYPES[kind]
    pieces = [make(bytes(data[a:b])) for a, b in zip([0, *points], [*points, len(data)])]
    _same_both_ways(pieces)


@given(messages(max_headers=4, max_payload=300), st.integers(0, 2048))
def test_generated_messages_fed_one_byte_same_both_ways(message: es.Message, flip: int) -> None:
    data = bytearray(es.encode(message) * 2)
    if flip < len(data):
        data[flip] ^= 1
    # One byte at a time for the first 2 KiB (headers can be long), then the rest.
    bytewise = min(len(data), 2048)
    _same_both_ways([bytes(data[i : i + 1]) for i in range(bytewise)] + [bytes(data[bytewise:])])


# -- the C code itself: references, memory, odd states --


def test_a_buffer_with_a_live_view_is_refused_the_same_way() -> None:
    # PyByteArray_Resize refuses while the buffer is exported; the compiled
    # path must fall back to the Python one, which reports it.
    data = _message(100)
    outcomes = []
    for feed_of in (_compiled_feed, _python_feed):
        decoder = es.Decoder()
        feed = feed_of(decoder)
        feed(data[:20])
        with memoryview(decoder._buf), pytest.raises(BufferError) as caught:
            feed(data[20:21])
        outcomes.append((str(caught.value), decoder.buffered, feed(data[20:]), decoder.buffered))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][2] == [es.decode(data)]


@pytest.mark.parametrize("need", [2**70, -(2**70), -1, 0, 10**6, 7.5, "12", None])
def test_odd_need_values_are_handled_as_python_handles_them(need: object) -> None:
    # _need is always an int below 2**32; the compiled path must not trust
    # that, only take its fast path when it holds, and fall back otherwise.
    outcomes = []
    for feed_of in (_compiled_feed, _python_feed):
        decoder = es.Decoder()
        feed = feed_of(decoder)
        feed(_message(100)[:20])
        decoder._need = need  # type: ignore[assignment]
        try:
            result: object = feed(b"x")
        except Exception as exc:
            result = _outcome(exc)
        outcomes.append((result, decoder.buffered))
    assert outcomes[0] == outcomes[1]


def test_the_buffer_fed_to_itself_is_refused_as_python_refuses_it() -> None:
    # `buf += buf` raises BufferError in Python (buf is exported to itself
    # while it would resize); a plain C append would succeed instead.
    outcomes = []
    for feed_of in (_compiled_feed, _python_feed):
        decoder = es.Decoder()
        feed = feed_of(decoder)
        feed(_message(100)[:20])
        with pytest.raises(BufferError) as caught:
            feed(decoder._buf)
        outcomes.append((str(caught.value), bytes(decoder._buf)))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][1] == _message(100)[:20]


def test_an_uninitialized_decoder_raises_and_does_not_crash() -> None:
    for feed_of in (_compiled_feed, _python_feed):
        decoder = es.Decoder.__new__(es.Decoder)
        with pytest.raises(AttributeError):
            feed_of(decoder)(b"x")


def test_pieces_and_results_are_not_leaked() -> None:
    piece = bytes(bytearray(b"ab"))  # one object, fed every call (not an immortal one)
    decoder = es.Decoder()
    feed = decoder.feed
    feed(_message(1 << 20)[:100])
    before = sys.getrefcount(piece)
    for _ in range(10_000):
        feed(piece)
    assert sys.getrefcount(piece) == before
    # Memory: 400,000 more bytes buffered, and nothing else kept.  A leaked
    # list per call would be about 56 bytes each, 11 MB in all.
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(200_000):
            feed(piece)
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert decoder.buffered == 100 + 2 * 210_000
    assert grown < 2 * 400_000


def test_a_subclass_in_a_reference_cycle_is_collected() -> None:
    class Tracked(es.Decoder):
        pass

    decoder = Tracked()
    decoder.feed(_message(100)[:30])
    decoder.me = decoder  # type: ignore[attr-defined]
    ref = weakref.ref(decoder)
    del decoder
    gc.collect()
    assert ref() is None


def test_a_subclass_can_still_override_feed() -> None:
    class Counting(es.Decoder):
        calls = 0

        def feed(self, data: BytesLike) -> list[es.Message]:
            Counting.calls += 1
            return super().feed(data)

    data = _message(30)
    decoder = Counting()
    got = [m for i in range(len(data)) for m in decoder.feed(data[i : i + 1])]
    assert got == [es.decode(data)] and Counting.calls == len(data)


def test_the_fixture_stream_fed_bytewise_is_the_whole_decode() -> None:
    data = Path(FIXTURES / "lambda-stream.bin").read_bytes()
    decoder = es.Decoder()
    got = [m for i in range(len(data)) for m in decoder.feed(data[i : i + 1])]
    decoder.close()
    assert got == es.Decoder().feed(data) and got
