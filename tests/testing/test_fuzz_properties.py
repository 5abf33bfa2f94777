"""The fuzzers' property, driven by hypothesis: what fuzz/ checks under atheris,
run on every test run whether or not atheris is installed.

The targets are the very functions the atheris harnesses call
(eventstream.testing.decoder_fuzz_target / response_stream_fuzz_target): only
EventStreamError subclasses escape, the decoder holds less than its cap, and
what decodes re-encodes to the same bytes (see eventstream.testing._check).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventstream as es
from eventstream import testing as t

from ..conftest import FIXTURES, VECTORS


@st.composite
def fuzz_inputs(draw: st.DrawFn) -> bytes:
    """Inputs in the fuzz targets' format, built the way a fuzzer's corpus grows:
    valid streams (plain or Lambda), with a structural mutation or a
    corruption spliced in or not, cut anywhere, under any cap."""
    if draw(st.booleans()):
        stream = draw(t.streams(max_messages=4)).data
    else:
        stream = draw(t.lambda_streams(max_body=512)).data
    damage = draw(st.sampled_from(["none", "mutation", "corruption"]))
    if damage == "mutation":
        at = draw(st.integers(0, len(stream)))
        stream = stream[:at] + draw(t.mutations()).data + stream[at:]
    elif damage == "corruption" and stream:
        stream = t.corrupt(stream, draw(st.randoms(use_true_random=False))).data
    cuts = draw(st.lists(st.integers(0, min(len(stream), 0xFFFF)), max_size=15))
    return t.encode_fuzz_input(
        stream, cuts, draw(st.integers(0, len(t.FUZZ_CAPS) - 1)), draw(st.booleans())
    )


@given(fuzz_inputs())
def test_decoder_target_on_structured_inputs(data: bytes) -> None:
    t.decoder_fuzz_target(data)


@given(fuzz_inputs())
def test_response_stream_target_on_structured_inputs(data: bytes) -> None:
    t.response_stream_fuzz_target(data)


@given(st.binary(max_size=1024))
def test_targets_on_raw_bytes(data: bytes) -> None:
    t.decoder_fuzz_target(data)
    t.response_stream_fuzz_target(data)


@given(st.binary(max_size=512))
def test_targets_with_checksums_fixed(data: bytes) -> None:
    # Control byte 1: recompute CRCs, so the random bytes reach the structure.
    t.decoder_fuzz_target(b"\x01" + data)
    t.response_stream_fuzz_target(b"\x01" + data)


@given(t.streams(), st.data())
def test_valid_streams_pass_whole(stream: t.Stream, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(stream.data)), max_size=10))
    assert t.check_decoder(stream.data, cuts) == list(stream.messages)


@given(t.lambda_streams(max_body=512), st.data())
def test_lambda_streams_pass_whole(stream: t.LambdaStream, data: st.DataObject) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(stream.data)), max_size=10))
    assert t.check_response_stream_decoder(stream.data, cuts) == list(stream.events)


@given(t.streams(max_messages=3), t.mutations(), st.data())
def test_a_mutation_in_a_stream_is_reported_where_it_is(
    stream: t.Stream, mutation: t.Mutation, data: st.DataObject
) -> None:
    cuts = data.draw(st.lists(st.integers(0, len(stream.data) + len(mutation.data)), max_size=8))
    decoder = es.Decoder()
    combined = stream.data + mutation.data
    assert t.check_decoder(combined, cuts) == list(stream.messages)
    with pytest.raises(mutation.error) as info:
        assert decoder.feed(stream.data) == list(stream.messages)
        decoder.feed(mutation.data)
        decoder.close()
    assert type(info.value) is mutation.error
    assert info.value.message_offset == len(stream.data)
    assert (
        info.value.offset is not None and info.value.offset >= len(stream.data) + mutation.offset
    )


VECTOR_FILES = sorted(
    p for p in VECTORS.rglob("*") if p.is_file() and "decoded" not in p.parts and p.suffix != ".md"
)


@pytest.mark.parametrize("path", VECTOR_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reference_vectors_as_seeds(path: Path) -> None:
    stream = path.read_bytes()
    for cuts in ([], [1], [12, 13], list(range(0, len(stream), 7))[:15]):
        for fix in (False, True):
            t.decoder_fuzz_target(t.encode_fuzz_input(stream, cuts, fix_checksums=fix))


def test_lambda_capture_as_seed() -> None:
    stream = (FIXTURES / "lambda-stream.bin").read_bytes()
    events = t.check_response_stream_decoder(stream, [5, 40, 41])
    assert len(events) == 4


def test_fuzz_input_format_round_trips() -> None:
    data = t.encode_fuzz_input(b"stream", [3, 0xFFFF], cap_index=3, fix_checksums=False)
    assert t.parse_fuzz_input(data) == t.FuzzInput(b"stream", (3, 0xFFFF), 64, False)
    assert t.parse_fuzz_input(b"") == t.FuzzInput(b"", (), es.DEFAULT_MAX_MESSAGE_SIZE, False)
    assert t.parse_fuzz_input(b"\x20\x01") == t.FuzzInput(
        b"", (256, 0), es.DEFAULT_MAX_MESSAGE_SIZE, False
    )
    with pytest.raises(ValueError, match="at most 15 cuts"):
        t.encode_fuzz_input(b"", list(range(16)))
    with pytest.raises(ValueError, match="cap_index"):
        t.encode_fuzz_input(b"", cap_index=8)
