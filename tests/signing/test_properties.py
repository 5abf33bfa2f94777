"""Properties of signing: what is signed verifies; any change to the frames,
their order or their number fails at the frame where the change is."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import eventstream as es
from eventstream.signing import Credentials, EventSignatureError, EventSigner, EventVerifier
from eventstream.testing import fix_checksums, messages

# Each example signs and verifies a whole stream: fewer examples than the
# profile's (unless the profile asks for fewer still) keep these fast.
bounded = settings(max_examples=min(40, settings.default.max_examples))

SCOPE_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="/\n"),
    min_size=1,
    max_size=12,
)
KEY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40)
credentials = st.builds(Credentials, KEY_TEXT, KEY_TEXT, st.none() | KEY_TEXT)
zones = st.builds(
    dt.timezone, st.integers(-23 * 60 + 1, 23 * 60 - 1).map(lambda m: dt.timedelta(minutes=m))
)
# Any aware instant SigV4 can name, in any zone, with sub-seconds.
instants = st.datetimes(
    min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=zones
)


class Chain:
    """A signed stream: the frames as sent and what verifying them needs."""

    def __init__(
        self, seed: bytes, keys: Credentials, region: str, service: str, frames: list[es.Message]
    ) -> None:
        self.seed, self.keys, self.region, self.service = seed, keys, region, service
        self.frames = frames
        self.raw = [es.encode(frame) for frame in frames]

    def verifier(self) -> EventVerifier:
        return EventVerifier(self.seed, self.keys, self.region, self.service)


@st.composite
def chains(draw: st.DrawFn, max_events: int = 5) -> Chain:
    seed = draw(st.binary(min_size=1, max_size=48))
    keys = draw(credentials)
    region, service = draw(SCOPE_TEXT), draw(SCOPE_TEXT)
    events = draw(st.lists(messages(max_headers=3, max_payload=64), max_size=max_events))
    times = iter(draw(st.lists(instants, min_size=len(events) + 1, max_size=len(events) + 1)))
    signer = EventSigner(seed, keys, region, service, clock=lambda: next(times))
    frames = [signer.sign(event) for event in events] + [signer.sign_end()]
    return Chain(seed, keys, region, service, frames)


def verify_all(
    verifier: EventVerifier, frames: list[bytes] | list[es.Message]
) -> list[es.Message]:
    """Verify frames in order, as a receiver does: empty payload means end."""
    inner = []
    for frame in frames:
        message = es.decode(frame) if isinstance(frame, bytes) else frame
        if message.payload:
            inner.append(verifier.verify(frame))
        else:
            verifier.verify_end(frame)
    verifier.close()
    return inner


def expect_failure_at(index: int, chain: Chain, frames: list[bytes]) -> EventSignatureError:
    verifier = chain.verifier()
    with pytest.raises(EventSignatureError) as caught:
        for frame in frames:
            try:
                message = es.decode(frame)
            except es.EventStreamError:
                verifier.verify(frame)  # a frame that does not decode fails here
                raise AssertionError("verify() took a frame that does not decode") from None
            if message.payload:
                verifier.verify(frame)
            else:
                verifier.verify_end(frame)
        verifier.close()
    assert caught.value.index == index, str(caught.value)
    return caught.value


@bounded
@given(chains(), st.data())
def test_sign_then_verify(chain: Chain, data: st.DataObject) -> None:
    as_bytes = data.draw(st.booleans())
    inner = verify_all(chain.verifier(), chain.raw if as_bytes else chain.frames)
    assert [es.encode(m) for m in inner] == [frame.payload for frame in chain.frames[:-1]]
    for frame in chain.frames:
        date = frame.headers[":date"]
        assert isinstance(date, es.Timestamp) and date.millis % 1000 == 0


@bounded
@given(chains(), st.data())
def test_any_changed_byte_fails_at_its_frame(chain: Chain, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(chain.raw) - 1), label="frame")
    frame = bytearray(chain.raw[index])
    position = data.draw(st.integers(0, len(frame) - 1), label="byte")
    frame[position] ^= data.draw(st.integers(1, 255), label="xor")
    frames = list(chain.raw)
    frames[index] = bytes(frame)
    expect_failure_at(index, chain, frames)


@bounded
@given(chains(), st.data())
def test_a_changed_envelope_header_with_the_crcs_fixed_fails_at_its_frame(
    chain: Chain, data: st.DataObject
) -> None:
    # A sender (or a proxy) that re-frames what it changes: any byte of the
    # envelope's header block (:date, :chunk-signature, names, types, lengths).
    index = data.draw(st.integers(0, len(chain.raw) - 1), label="frame")
    frame = bytearray(chain.raw[index])
    headers_end = 12 + int.from_bytes(frame[4:8], "big")
    position = data.draw(st.integers(12, headers_end - 1), label="byte")
    frame[position] ^= data.draw(st.integers(1, 255), label="xor")
    frames = list(chain.raw)
    frames[index] = fix_checksums(bytes(frame))
    expect_failure_at(index, chain, frames)


@bounded
@given(chains(), st.data())
def test_a_changed_inner_message_with_the_crcs_fixed_fails_by_its_signature(
    chain: Chain, data: st.DataObject
) -> None:
    # Every CRC, the inner message's and the envelope's, made to hold again:
    # only the signature can tell.
    events = [i for i, frame in enumerate(chain.frames) if frame.payload]
    if not events:
        return
    index = data.draw(st.sampled_from(events), label="frame")
    inner = bytearray(chain.frames[index].payload)
    # Any byte but the inner CRCs (which fixing would only put back).
    crcs = {8, 9, 10, 11, *range(len(inner) - 4, len(inner))}
    position = data.draw(
        st.integers(0, len(inner) - 1).filter(lambda p: p not in crcs), label="byte"
    )
    inner[position] ^= data.draw(st.integers(1, 255), label="xor")
    frames = list(chain.raw)
    frames[index] = es.encode(es.Message(chain.frames[index].headers, fix_checksums(bytes(inner))))
    error = expect_failure_at(index, chain, frames)
    assert error.actual == chain.frames[index].headers[":chunk-signature"]
    assert error.expected is not None and error.expected != error.actual


@bounded
@given(chains(max_events=4), st.data())
def test_reordered_frames_fail_at_the_first_frame_out_of_place(
    chain: Chain, data: st.DataObject
) -> None:
    order = data.draw(st.permutations(range(len(chain.raw))))
    if order == sorted(order):
        order = list(reversed(order))
    if order == sorted(order):  # a single frame cannot be reordered
        return
    first_moved = next(i for i, frame in enumerate(order) if frame != i)
    expect_failure_at(first_moved, chain, [chain.raw[i] for i in order])


@bounded
@given(chains(), st.data())
def test_a_dropped_frame_fails_at_its_place(chain: Chain, data: st.DataObject) -> None:
    dropped = data.draw(st.integers(0, len(chain.raw) - 1))
    error = expect_failure_at(dropped, chain, chain.raw[:dropped] + chain.raw[dropped + 1 :])
    if dropped == len(chain.raw) - 1:
        assert "without the signed empty end frame" in str(error)


@bounded
@given(chains(), credentials, st.data())
def test_another_key_fails_at_the_first_frame(
    chain: Chain, other: Credentials, data: st.DataObject
) -> None:
    if other.secret_key == chain.keys.secret_key:
        other = Credentials(other.access_key, other.secret_key + "x")
    verifier = EventVerifier(chain.seed, other, chain.region, chain.service)
    with pytest.raises(EventSignatureError) as caught:
        verify_all(verifier, chain.raw)
    assert caught.value.index == 0
