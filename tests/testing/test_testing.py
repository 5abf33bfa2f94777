"""eventstream.testing: the helpers keep their promises."""

from __future__ import annotations

import random
import struct
import subprocess
import sys
import zlib

import pytest
from hypothesis import find, given
from hypothesis import strategies as st

import eventstream as es
from eventstream import testing as t
from eventstream.aws_lambda import (
    HttpIntegrationSplitter,
    IncompleteStreamError,
    InvokeComplete,
    PayloadChunk,
    ResponseStreamDecoder,
)


def crcs_hold(frame: bytes) -> bool:
    prelude_crc, message_crc = struct.unpack(">I", frame[8:12])[0], frame[-4:]
    return prelude_crc == zlib.crc32(frame[:8]) and message_crc == struct.pack(
        ">I", zlib.crc32(frame[:-4])
    )


@given(st.sampled_from(t.MUTATION_KINDS), t.messages(max_headers=4), st.randoms())
def test_every_mutation_keeps_crcs_and_raises_its_error(
    kind: str, message: es.Message, rng: random.Random
) -> None:
    mutation = t.mutate(message, rng, kind)
    assert mutation.kind == kind
    assert crcs_hold(mutation.data)
    assert t.fix_checksums(mutation.data) == mutation.data
    with pytest.raises(mutation.error) as info:
        es.decode(mutation.data)
    assert type(info.value) is mutation.error
    assert info.value.offset is not None
    assert mutation.offset <= info.value.offset < len(mutation.data)
    # The stream decoder, after a good message, reports the same error.
    good = es.encode(message)
    decoder = es.Decoder()
    with pytest.raises(mutation.error) as info2:
        assert decoder.feed(good + mutation.data) == [message]
        decoder.close()
    assert type(info2.value) is mutation.error
    assert info2.value.offset == len(good) + info.value.offset


def test_mutations_are_deterministic_and_kinds_are_checked() -> None:
    message = es.Message({"a": "b", "n": es.Short(3)}, b"payload")
    assert t.mutate(message, random.Random(5)) == t.mutate(message, random.Random(5))
    with pytest.raises(ValueError, match="unknown mutation kind 'nope'"):
        t.mutate(message, random.Random(0), "nope")
    # With no headers to break, one is added first.
    empty = es.Message()
    for kind in t.MUTATION_KINDS:
        mutation = t.mutate(empty, random.Random(1), kind)
        with pytest.raises(mutation.error):
            es.decode(mutation.data)


def test_invalid_utf8_sequences_are_invalid() -> None:
    for bad in t.INVALID_UTF8:
        for text in ("", "a", "\u00e9"):
            with pytest.raises(UnicodeDecodeError):
                (text.encode() + bad + text.encode()).decode("utf-8")


def test_raw_frame_and_header() -> None:
    block = t.raw_header(b"h", 7, b"\x00\x02hi")
    frame = t.raw_frame(block, b"body")
    assert es.decode(frame) == es.Message({"h": "hi"}, b"body")
    lying = t.raw_frame(block, total_length=99, headers_length=7)
    assert struct.unpack(">II", lying[:8]) == (99, 7) and crcs_hold(lying)


@given(t.streams(), st.data())
def test_fix_checksums_repairs_any_crc_damage(stream: t.Stream, data: st.DataObject) -> None:
    damaged = bytearray(stream.data)
    offset = 0
    for message in stream.messages:  # scribble over both CRCs of every message
        size = len(es.encode(message))
        damaged[offset + 8 : offset + 12] = data.draw(st.binary(min_size=4, max_size=4))
        damaged[offset + size - 4 : offset + size] = b"\xaa\xbb\xcc\xdd"
        offset += size
    assert t.fix_checksums(bytes(damaged)) == stream.data


def test_fix_checksums_stops_at_an_impossible_length() -> None:
    frame = bytearray(t.raw_frame(b"", total_length=10))  # below the minimum
    frame[8:12] = b"\x00\x00\x00\x00"
    fixed = t.fix_checksums(bytes(frame) + b"tail")
    assert fixed[8:12] == struct.pack(">I", zlib.crc32(fixed[:8]))
    assert fixed[12:] == bytes(frame[12:]) + b"tail"
    with pytest.raises(es.InvalidLengthError):
        es.decode(fixed)
    assert t.fix_checksums(b"short") == b"short"


@given(t.corruptions())
def test_corruptions_damage_and_only_codec_errors_come_out(corruption: t.Corruption) -> None:
    assert corruption.kind in t.CORRUPTION_KINDS
    t.check_decoder(corruption.data)


def test_corruption_kinds() -> None:
    data = es.encode(es.Message({"a": 1}, b"xyz"))
    rng = random.Random(3)
    for _ in range(50):
        for kind in t.CORRUPTION_KINDS:
            damaged = t.corrupt(data, rng, kind)
            assert damaged.kind == kind
            if kind != "overwrite_garbage":
                assert damaged.data != data
            if kind == "truncate":
                assert data.startswith(damaged.data) and len(damaged.data) < len(data)
            if kind == "bit_flips":
                diff = sum(bin(a ^ b).count("1") for a, b in zip(data, damaged.data))
                assert len(damaged.data) == len(data) and 1 <= diff <= 3
    with pytest.raises(ValueError, match="at least one byte"):
        t.corrupt(b"", rng)
    with pytest.raises(ValueError, match="unknown corruption kind"):
        t.corrupt(data, rng, "nope")


def decode_lambda(stream: t.LambdaStream, pieces: list[bytes]) -> list[object]:
    decoder = ResponseStreamDecoder()
    events = [event for piece in pieces for event in decoder.feed(piece)]
    decoder.close()
    return events


@given(t.lambda_streams(), st.data())
def test_lambda_streams_decode_to_their_events(
    stream: t.LambdaStream, data: st.DataObject
) -> None:
    events = decode_lambda(stream, data.draw(t.splits(stream.data)))
    assert events == list(stream.events)
    assert stream.complete is not None and events[-1] == stream.complete
    assert b"".join(e.payload for e in stream.events if isinstance(e, PayloadChunk)) == (
        stream.payload
    )
    if stream.http_prelude is None:
        assert stream.payload == stream.body
    else:
        splitter = HttpIntegrationSplitter()
        body = b"".join(splitter.feed(e.payload) for e in events if isinstance(e, PayloadChunk))
        splitter.close()
        assert splitter.prelude == stream.http_prelude and body == stream.body


def test_build_lambda_stream_chunking_and_cut_short() -> None:
    stream = t.build_lambda_stream(b"abcdefg", [2, 3, 100])
    assert [e.payload for e in stream.events[:-1]] == [b"ab", b"cde", b"fg"]  # type: ignore[union-attr]
    assert stream.complete == InvokeComplete()
    assert [e.payload for e in t.build_lambda_stream(b"abcde", [2]).events[:-1]] == [  # type: ignore[union-attr]
        b"ab",
        b"cde",
    ]
    cut = t.build_lambda_stream(b"abc", cut_short=True)
    assert cut.complete is None and len(cut.events) == 1
    with pytest.raises(IncompleteStreamError):
        decode_lambda(cut, [cut.data])
    with pytest.raises(ValueError, match="at least 1"):
        t.build_lambda_stream(b"abc", [0])


def test_random_lambda_streams_are_realistic_and_deterministic() -> None:
    assert t.random_lambda_stream(random.Random(7)) == t.random_lambda_stream(random.Random(7))
    seen = set()
    for seed in range(40):
        stream = t.random_lambda_stream(random.Random(seed), max_body=2048)
        assert decode_lambda(stream, [stream.data]) == list(stream.events)
        complete = stream.complete
        assert complete is not None
        if complete.log_result is not None:
            assert len(complete.log_text or "") <= 4096
        seen.add(
            (complete.error_code is None, complete.log_result is None, stream.http_prelude is None)
        )
    assert len(seen) == 8  # every combination of error, log tail and HTTP prelude occurs


@pytest.mark.parametrize(
    ("strategy", "condition"),
    [
        (t.header_names(), lambda n: len(n.encode()) == 255 and not n.isascii()),
        (t.header_names(), lambda n: not n.isascii() and len(n) < 60),
        (t.header_values(es.HeaderType.STRING), lambda v: len(v.encode()) == 32767),
        (t.header_values(es.HeaderType.BYTE_ARRAY), lambda v: v == b""),
        (t.header_values(es.HeaderType.LONG), lambda v: v == -(2**63)),
        (t.header_values(es.HeaderType.BYTE), lambda v: v == 127),
        (t.header_values(es.HeaderType.TIMESTAMP), lambda v: v.millis < -62135596800000),
        (t.header_values(es.HeaderType.TIMESTAMP), lambda v: v.millis >= 253402300800000),
        (t.header_values(), lambda v: isinstance(v, es.Timestamp) and v.millis == 2**63 - 1),
    ],
)
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
def test_strategies_reach_the_edges(
    strategy: st.SearchStrategy[object], condition: object
) -> None:
    find(strategy, condition)  # type: ignore[arg-type]


@given(t.header_values(es.HeaderType.TIMESTAMP))
def test_timestamp_edges_outside_datetime_raise_overflow(value: es.Timestamp) -> None:
    if -62135596800000 <= value.millis < 253402300800000:
        value.to_datetime()
    else:
        with pytest.raises(OverflowError):
            value.to_datetime()


@pytest.mark.parametrize("wire_type", list(es.HeaderType))
def test_header_values_have_their_wire_type(wire_type: es.HeaderType) -> None:
    @given(t.header_values(wire_type))
    def check(value: es.HeaderValue) -> None:
        assert es.Headers({"h": value}).wire_type("h") is wire_type

    check()


def test_check_decoder_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    data = es.encode(es.Message({"a": 1}))
    assert t.check_decoder(data, [3, 9]) == [es.Message({"a": 1})]
    import eventstream.testing._check as check

    monkeypatch.setattr(check, "encode", lambda message: b"other bytes")
    with pytest.raises(AssertionError, match="re-encodes to other bytes"):
        t.check_decoder(data)


def test_without_hypothesis_only_the_strategies_are_missing() -> None:
    script = """
import random, sys
sys.modules["hypothesis"] = None  # makes `import hypothesis` fail
import eventstream as es, eventstream.testing as t
m = t.mutate(es.Message({"a": 1}), random.Random(0), "empty_name")
t.check_decoder(t.corrupt(m.data, random.Random(0)).data)
t.random_lambda_stream(random.Random(0))
try:
    t.messages
except ImportError as exc:
    print("ImportError:", exc)
"""
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert "ImportError: eventstream.testing's hypothesis strategies need hypothesis" in out
    assert "pip install 'eventstream-codec[testing]'" in out
