"""EventSigner and EventVerifier: the envelope, the end frame, clocks and credentials."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Iterator

import pytest

import eventstream as es
from eventstream.signing import (
    Credentials,
    CredentialsSource,
    EventSignatureError,
    EventSigner,
    EventVerifier,
    event_signature,
)

UTC = dt.timezone.utc
SEED = bytes(range(32))
KEYS = Credentials("AKID", "secret")
EVENT = es.Message({":event-type": "AudioEvent", ":message-type": "event"}, b"pcm bytes")


def ticking(
    start: dt.datetime, step: dt.timedelta = dt.timedelta(seconds=1)
) -> Iterator[dt.datetime]:
    while True:
        yield start
        start += step


def signer(credentials: CredentialsSource = KEYS) -> EventSigner:
    clock = ticking(dt.datetime(2026, 12, 1, 3, 0, 0, 250_000, tzinfo=UTC))
    return EventSigner(SEED, credentials, "us-east-1", "transcribe", clock=lambda: next(clock))


def verifier() -> EventVerifier:
    return EventVerifier(SEED, KEYS, "us-east-1", "transcribe")


def test_envelope_layout_and_chain() -> None:
    s = signer()
    assert s.signature == SEED and not s.ended
    first = s.sign(EVENT)
    assert list(first.headers) == [":date", ":chunk-signature"]
    assert first.headers[":date"] == es.Timestamp.from_datetime(
        dt.datetime(2026, 12, 1, 3, 0, 0, tzinfo=UTC)
    )
    assert first.payload == es.encode(EVENT)
    assert first.headers[":chunk-signature"] == s.signature
    assert s.signature == event_signature(
        SEED,
        es.encode_headers([(":date", first.headers[":date"])]),
        es.encode(EVENT),
        dt.datetime(2026, 12, 1, 3, 0, 0, tzinfo=UTC),
        KEYS,
        "us-east-1",
        "transcribe",
    )
    # The same event as bytes signs the same way, chained on the first.
    second = s.sign(bytearray(es.encode(EVENT)))
    assert second.payload == first.payload
    assert second.headers[":chunk-signature"] != first.headers[":chunk-signature"]
    end = s.sign_end()
    assert end.payload == b"" and s.ended


def test_sign_after_sign_end_is_refused() -> None:
    s = signer()
    s.sign_end()
    with pytest.raises(es.EncodeError, match=r"sign\(\) after sign_end\(\)"):
        s.sign(EVENT)
    with pytest.raises(es.EncodeError, match="already"):
        s.sign_end()


def test_naive_clock_is_refused() -> None:
    s = EventSigner(SEED, KEYS, "r", "s", clock=lambda: dt.datetime(2026, 1, 1))
    with pytest.raises(es.EncodeError, match=r"aware datetime.*naive"):
        s.sign(EVENT)
    assert s.signature == SEED  # nothing was signed


def test_clock_in_another_zone_is_converted_to_utc() -> None:
    zone = dt.timezone(dt.timedelta(hours=9))
    s = EventSigner(SEED, KEYS, "r", "s", clock=lambda: dt.datetime(2026, 1, 1, 8, 0, tzinfo=zone))
    frame = s.sign(EVENT)
    # 08:00+09:00 is the day before in UTC: the key and scope follow UTC.
    assert frame.headers[":date"] == es.Timestamp.from_datetime(
        dt.datetime(2025, 12, 31, 23, 0, tzinfo=UTC)
    )
    v = EventVerifier(SEED, KEYS, "r", "s")
    assert v.verify(frame) == EVENT


def test_default_clock_is_now_in_whole_seconds() -> None:
    before = dt.datetime.now(UTC).replace(microsecond=0)
    frame = EventSigner(SEED, KEYS, "r", "s").sign(EVENT)
    after = dt.datetime.now(UTC)
    date = frame.headers[":date"]
    assert isinstance(date, es.Timestamp) and date.millis % 1000 == 0
    assert before <= date.to_datetime() <= after


def test_credentials_function_is_called_per_frame_and_rolls_over() -> None:
    rolled = [Credentials("AKID", "secret"), Credentials("AKID2", "secret2", "tok")]
    calls: list[int] = []

    def current() -> Credentials:
        calls.append(1)
        return rolled[0] if len(calls) <= 1 else rolled[1]

    s = signer(credentials=current)
    frames = [s.sign(EVENT), s.sign(EVENT), s.sign_end()]
    assert len(calls) == 3
    # A verifier with the same rollover accepts the chain; one with the old key only fails at 1.
    seen: list[int] = []

    def verifier_keys() -> Credentials:
        seen.append(1)
        return rolled[0] if len(seen) <= 1 else rolled[1]

    v = EventVerifier(SEED, verifier_keys, "us-east-1", "transcribe")
    v.verify(frames[0])
    v.verify(frames[1])
    v.verify_end(frames[2])
    v.close()
    stale = verifier()
    stale.verify(frames[0])
    with pytest.raises(EventSignatureError) as caught:
        stale.verify(frames[1])
    assert caught.value.index == 1


def test_credentials_function_returning_garbage() -> None:
    s = signer(lambda: ("AKID", "secret"))  # type: ignore[arg-type,return-value]
    with pytest.raises(es.EncodeError, match="returned tuple, not Credentials"):
        s.sign(EVENT)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("00" * 32, KEYS, "r", "s"), "bytes.fromhex"),
        ((b"", KEYS, "r", "s"), "non-empty bytes"),
        ((SEED, ("a", "b"), "r", "s"), "Credentials or a function"),
        ((SEED, KEYS, "", "s"), "region"),
        ((SEED, KEYS, "r", "a/b"), "service"),
        ((SEED, KEYS, "r\n", "s"), "region"),
    ],
)
def test_bad_construction(args: tuple[object, ...], match: str) -> None:
    for cls in (EventSigner, EventVerifier):
        with pytest.raises(es.EncodeError, match=match):
            cls(*args)  # type: ignore[arg-type]


def test_bad_events() -> None:
    s = signer()
    with pytest.raises(es.EncodeError, match="cannot be empty"):
        s.sign(b"")
    with pytest.raises(es.EncodeError, match="not str"):
        s.sign("text")  # type: ignore[arg-type]
    with pytest.raises(es.EncodeError, match="clock"):
        EventSigner(SEED, KEYS, "r", "s", clock=5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("field", "value"), [("access_key", ""), ("secret_key", None), ("session_token", "")]
)
def test_bad_credentials(field: str, value: object) -> None:
    fields: dict[str, object] = {"access_key": "a", "secret_key": "b", field: value}
    with pytest.raises(es.EncodeError, match=field):
        Credentials(**fields)  # type: ignore[arg-type]


def test_secrets_stay_out_of_repr() -> None:
    assert "hush" not in repr(Credentials("AKID", "hush", "hush-token"))


# -- the verifier --


def stream(n: int = 3) -> list[es.Message]:
    s = signer()
    return [s.sign(es.Message({"n": i}, b"x" * i)) for i in range(n)] + [s.sign_end()]


def test_verify_returns_inner_messages_and_tracks_offsets() -> None:
    frames = stream()
    v = verifier()
    body = b""
    for i, frame in enumerate(frames[:-1]):
        assert v.verify(es.encode(frame) if i % 2 else frame) == es.Message({"n": i}, b"x" * i)
        body += es.encode(frame)
        assert v.frames == i + 1 and v.offset == len(body)
    v.verify_end(frames[-1])
    v.close()
    assert v.ended and v.signature == frames[-1].headers[":chunk-signature"]


def test_offsets_count_bytes_of_a_wide_memoryview() -> None:
    # A memoryview of 4-byte items: its len() counts items, the offsets count bytes.
    frames = [es.encode(frame) for frame in stream(5)[:-1]]
    v = verifier()
    position = wide = 0
    for data in frames:
        if len(data) % 4 == 0:
            v.verify(memoryview(data).cast("I"))
            wide += 1
        else:
            v.verify(data)
        position += len(data)
        assert v.offset == position
    assert wide > 0


def test_signature_errors_survive_pickling() -> None:
    frames = stream()
    v = verifier()
    with pytest.raises(EventSignatureError) as caught:
        v.verify(frames[1])
    error = caught.value
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is EventSignatureError and str(copy) == str(error)
    assert (copy.index, copy.reason, copy.offset, copy.message_offset) == (
        error.index,
        error.reason,
        error.offset,
        error.message_offset,
    )
    assert (copy.expected, copy.actual) == (error.expected, error.actual)
    assert error.expected is not None


def test_end_frame_rules() -> None:
    frames = stream()
    v = verifier()
    with pytest.raises(
        EventSignatureError, match="end frame must have an empty payload"
    ) as caught:
        v.verify_end(frames[0])
    assert caught.value.index == 0
    for frame in frames[:-1]:
        v.verify(frame)
    with pytest.raises(EventSignatureError, match=r"frame 3: the payload is empty.*verify_end"):
        v.verify(frames[-1])
    with pytest.raises(EventSignatureError, match="without the signed empty end frame"):
        v.close()
    v.verify_end(frames[-1])
    with pytest.raises(EventSignatureError, match=r"frame 4: the end frame \(frame 3\) already"):
        v.verify(frames[0])
    with pytest.raises(EventSignatureError, match="already ended"):
        v.verify_end(frames[-1])


def test_a_failure_leaves_the_verifier_as_it_was() -> None:
    frames = stream()
    v = verifier()
    v.verify(frames[0])
    with pytest.raises(EventSignatureError):
        v.verify(frames[2])
    assert v.frames == 1
    v.verify(frames[1])
    v.verify(frames[2])
    v.verify_end(frames[3])


def _with_headers(frame: es.Message, headers: list[tuple[str, object]]) -> es.Message:
    return es.Message(headers, frame.payload)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("edit", "match"),
    [
        (lambda d, s: [(":date", d)], "no ':chunk-signature'"),
        (lambda d, s: [(":chunk-signature", s)], "no ':date'"),
        (
            lambda d, s: [(":date", d), (":chunk-signature", s), ("x", 1)],
            "unexpected envelope header 'x'",
        ),
        (lambda d, s: [(":date", d.millis), (":chunk-signature", s)], "':date' is a long header"),
        (lambda d, s: [(":date", d), (":chunk-signature", s.hex())], "is a string header"),
        (lambda d, s: [(":date", d), (":chunk-signature", s[:31])], "has 31 bytes, expected 32"),
        (
            lambda d, s: [(":date", es.Timestamp(d.millis + 1000)), (":chunk-signature", s)],
            "':chunk-signature' differs",
        ),
        (
            lambda d, s: [(":date", es.Timestamp(-(1 << 62))), (":chunk-signature", s)],
            "outside the years",
        ),
    ],
)
def test_bad_envelope_headers(edit: object, match: str) -> None:
    frame = stream(1)[0]
    bad = _with_headers(frame, edit(frame.headers[":date"], frame.headers[":chunk-signature"]))  # type: ignore[operator]
    with pytest.raises(EventSignatureError, match=match) as caught:
        verifier().verify(bad)
    assert caught.value.index == 0 and caught.value.offset == 0


def test_header_order_in_the_envelope_does_not_matter() -> None:
    frame = stream(1)[0]
    swapped = _with_headers(frame, list(reversed(list(frame.headers.items()))))
    assert verifier().verify(swapped) == es.Message({"n": 0})


def test_signature_mismatch_names_both_signatures() -> None:
    frames = stream()
    v = EventVerifier(SEED, Credentials("AKID", "wrong"), "us-east-1", "transcribe")
    with pytest.raises(EventSignatureError) as caught:
        v.verify(frames[0])
    error = caught.value
    assert error.actual == frames[0].headers[":chunk-signature"]
    assert error.expected is not None and error.expected != error.actual
    assert error.actual.hex() in str(error) and error.expected.hex() in str(error)
    assert "20261201T030000Z" in str(error)


def test_a_repeated_frame_is_named() -> None:
    frames = stream()
    v = verifier()
    v.verify(frames[0])
    v.verify(frames[1])
    with pytest.raises(EventSignatureError, match="repeats frame 0") as caught:
        v.verify(frames[0])
    assert caught.value.index == 2


def test_bytes_that_are_not_a_message() -> None:
    frames = stream()
    v = verifier()
    v.verify(frames[0])
    first = len(es.encode(frames[0]))
    raw = bytearray(es.encode(frames[1]))
    raw[-1] ^= 1
    with pytest.raises(
        EventSignatureError, match=r"not an event-stream message.*checksum"
    ) as caught:
        v.verify(bytes(raw))
    assert caught.value.index == 1 and caught.value.message_offset == first
    assert isinstance(caught.value.__cause__, es.MessageChecksumError)
    with pytest.raises(TypeError, match="Message or its bytes"):
        v.verify("x")  # type: ignore[arg-type]


def test_signed_garbage_payload_is_reported_with_its_offset() -> None:
    s = signer()
    frame = s.sign(b"not a message")
    with pytest.raises(
        EventSignatureError, match="signature holds, but the inner message"
    ) as caught:
        verifier().verify(frame)
    assert caught.value.index == 0
    assert caught.value.offset is not None and caught.value.offset >= 12


def test_body_signs_each_event_as_it_is_asked_for() -> None:
    s = signer()
    events = iter([EVENT, es.Message({}, b"b")])
    body = s.body(events)
    assert s.signature == SEED  # nothing signed before the client asks
    first = es.decode(next(body))
    assert s.signature == first.headers[":chunk-signature"] and not s.ended
    assert next(events).payload == b"b"  # the second event was not taken yet
    rest = list(body)
    assert [es.decode(frame).payload for frame in rest] == [b""]
    assert s.ended
    v = verifier()
    assert v.verify(es.encode(first)) == EVENT
    v.verify_end(rest[0])
