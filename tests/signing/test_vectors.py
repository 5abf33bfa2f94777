"""The published event-signing chains (fixtures/vectors/signing, see its README):
every signature, byte for byte, through event_signature and through EventSigner
and EventVerifier."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Any

import pytest

import eventstream as es
from eventstream.signing import Credentials, EventSigner, EventVerifier, _envelope, event_signature

from ..conftest import VECTORS

SIGNING = VECTORS / "signing"
UTC = dt.timezone.utc


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SIGNING / name).read_text())
    return data


C_AUTH = _load("aws-c-auth-event-chain.json")
GO_V2 = _load("aws-sdk-go-v2-stream-chain.json")
SMITHY_JAVA = _load("smithy-java-event-signer.json")


def _credentials(vector: dict[str, Any]) -> Credentials:
    return Credentials(vector["credentials"]["access_key"], vector["credentials"]["secret_key"])


def _c_auth_times() -> list[dt.datetime]:
    return [
        dt.datetime.fromisoformat(event["signing_time"].replace("Z", "+00:00"))
        for event in C_AUTH["events"]
    ]


def _date_block(instant: dt.datetime) -> bytes:
    # name length 5, ":date", type 8 (timestamp), int64 milliseconds: built by
    # hand here so the test does not lean on the encoder it checks.
    millis = int(instant.timestamp()) * 1000
    return b"\x05:date\x08" + millis.to_bytes(8, "big", signed=True)


def test_vector_files_are_byte_exact() -> None:
    listed = re.findall(r"^([0-9a-f]{64})  (\S+)$", (SIGNING / "README.md").read_text(), re.M)
    assert len(listed) == 3
    for digest, name in listed:
        assert hashlib.sha256((SIGNING / name).read_bytes()).hexdigest() == digest, name


def test_go_v2_chain_through_event_signature() -> None:
    prior = GO_V2["seed_signature_ascii"].encode()
    for event in GO_V2["events"]:
        signature = event_signature(
            prior,
            event["header_block_ascii"].encode(),
            event["payload_ascii"].encode(),
            dt.datetime.fromtimestamp(event["signing_time_epoch_s"], UTC),
            _credentials(GO_V2),
            GO_V2["region"],
            GO_V2["service"],
        )
        assert signature.hex() == event["signature_hex"]
        prior = signature
    assert len(GO_V2["events"]) == 4


def test_c_auth_chain_through_event_signature() -> None:
    prior = bytes.fromhex(C_AUTH["request"]["seed_signature_hex"])
    for event, instant in zip(C_AUTH["events"], _c_auth_times()):
        signature = event_signature(
            prior,
            _date_block(instant),
            event["payload_ascii"].encode(),
            instant,
            _credentials(C_AUTH),
            C_AUTH["region"],
            C_AUTH["service"],
        )
        assert signature.hex() == event["signature_hex"]
        prior = signature


def test_event_signature_counts_whole_seconds_and_any_zone() -> None:
    event = C_AUTH["events"][0]
    instant = _c_auth_times()[0]
    # The same instant with sub-seconds and in another zone signs the same.
    shifted = (instant + dt.timedelta(microseconds=999_999)).astimezone(
        dt.timezone(dt.timedelta(hours=-5, minutes=-30))
    )
    signature = event_signature(
        bytes.fromhex(C_AUTH["request"]["seed_signature_hex"]),
        _date_block(instant),
        event["payload_ascii"].encode(),
        shifted,
        _credentials(C_AUTH),
        C_AUTH["region"],
        C_AUTH["service"],
    )
    assert signature.hex() == event["signature_hex"]


def _c_auth_frames(clock_times: list[dt.datetime]) -> list[es.Message]:
    times = iter(clock_times)
    signer = EventSigner(
        bytes.fromhex(C_AUTH["request"]["seed_signature_hex"]),
        _credentials(C_AUTH),
        C_AUTH["region"],
        C_AUTH["service"],
        clock=lambda: next(times),
    )
    # The vector signs literal bytes ("A", "B", "C"): sign() signs bytes as given.
    frames = [signer.sign(event["payload_ascii"].encode()) for event in C_AUTH["events"][:-1]]
    frames.append(signer.sign_end())
    assert signer.ended and signer.signature == frames[-1].headers[":chunk-signature"]
    return frames


@pytest.mark.parametrize("sub_second", [0, 1, 999_999])
def test_c_auth_chain_through_event_signer(sub_second: int) -> None:
    times = _c_auth_times()
    frames = _c_auth_frames([t + dt.timedelta(microseconds=sub_second) for t in times])
    for frame, event, instant in zip(frames, C_AUTH["events"], times):
        assert frame.headers.typed_items() == [
            (":date", es.HeaderType.TIMESTAMP, es.Timestamp(int(instant.timestamp()) * 1000)),
            (":chunk-signature", es.HeaderType.BYTE_ARRAY, bytes.fromhex(event["signature_hex"])),
        ]
        assert frame.payload == event["payload_ascii"].encode()
        # What is hashed is exactly the :date header as the envelope carries it.
        assert es.encode(frame)[12:].startswith(_date_block(instant))


def test_c_auth_chain_through_event_verifier() -> None:
    frames = _c_auth_frames(_c_auth_times())
    verifier = EventVerifier(
        bytes.fromhex(C_AUTH["request"]["seed_signature_hex"]),
        _credentials(C_AUTH),
        C_AUTH["region"],
        C_AUTH["service"],
    )
    # The vector's payloads are not messages: verify() checks the chain, then
    # refuses to decode them; verify_payload() hands them over undecoded.
    for index, (frame, event) in enumerate(zip(frames[:-1], C_AUTH["events"])):
        with pytest.raises(es.EventSignatureError, match="signature holds") as caught:
            verifier.verify(frame)
        assert caught.value.index == index == verifier.frames
        assert verifier.verify_payload(es.encode(frame)) == event["payload_ascii"].encode()
    verifier.verify_end(es.encode(frames[-1]))
    verifier.close()
    assert verifier.signature.hex() == C_AUTH["events"][-1]["signature_hex"]


def test_go_v2_chain_through_event_signer(monkeypatch: pytest.MonkeyPatch) -> None:
    # The go-v2 vector hashes opaque header bytes where an envelope hashes its
    # :date header, so the signer's chaining, clock and key derivation are
    # checked against it with the vector's header blocks swapped in.
    times = iter(
        dt.datetime.fromtimestamp(e["signing_time_epoch_s"], UTC) for e in GO_V2["events"]
    )
    blocks = iter(e["header_block_ascii"].encode() for e in GO_V2["events"])
    monkeypatch.setattr(_envelope, "date_header_block", lambda date: next(blocks))
    signer = EventSigner(
        GO_V2["seed_signature_ascii"].encode(),
        _credentials(GO_V2),
        GO_V2["region"],
        GO_V2["service"],
        clock=lambda: next(times),
    )
    signatures = [signer.sign(e["payload_ascii"].encode()) for e in GO_V2["events"][:-1]]
    signatures.append(signer.sign_end())
    assert [frame.payload for frame in signatures] == [b"foo", b"bar", b"baz", b""]
    assert [frame.headers[":chunk-signature"] for frame in signatures] == [
        bytes.fromhex(event["signature_hex"]) for event in GO_V2["events"]
    ]


def _inner(event: dict[str, Any]) -> es.Message:
    return es.Message(event["headers"], event["payload_ascii"].encode())


def _smithy_java_times() -> list[dt.datetime]:
    return [
        dt.datetime.fromisoformat(event["signing_time"].replace("Z", "+00:00"))
        for event in SMITHY_JAVA["chain"]["events"]
    ]


def test_smithy_java_single_event() -> None:
    vector = SMITHY_JAVA["single"]
    prior = hashlib.sha256(vector["prior_sha256_of_ascii"].encode()).digest()
    instant = dt.datetime.fromtimestamp(vector["signing_time_epoch_s"], UTC)
    keys = _credentials(vector)
    signer = EventSigner(prior, keys, vector["region"], vector["service"], clock=lambda: instant)
    envelope = signer.sign(_inner(vector["inner"]))
    assert envelope.headers[":chunk-signature"] == bytes.fromhex(vector["signature_hex"])
    assert envelope.headers[":date"] == es.Timestamp(vector["signing_time_epoch_s"] * 1000)
    assert event_signature(
        prior,
        _date_block(instant),
        es.encode(_inner(vector["inner"])),
        instant,
        keys,
        vector["region"],
        vector["service"],
    ) == bytes.fromhex(vector["signature_hex"])


def test_smithy_java_chain_through_event_signer_and_verifier() -> None:
    vector = SMITHY_JAVA["chain"]
    seed = bytes.fromhex(vector["seed_signature_hex"])
    keys = _credentials(vector)
    times = iter(_smithy_java_times())
    signer = EventSigner(
        seed, keys, vector["region"], vector["service"], clock=lambda: next(times)
    )
    envelopes = [signer.sign(_inner(event["inner"])) for event in vector["events"]]
    assert [e.headers[":chunk-signature"] for e in envelopes] == [
        bytes.fromhex(event["signature_hex"]) for event in vector["events"]
    ]
    verifier = EventVerifier(seed, keys, vector["region"], vector["service"])
    assert [verifier.verify(es.encode(e)) for e in envelopes] == [
        _inner(event["inner"]) for event in vector["events"]
    ]


def test_smithy_java_chain_through_event_signature() -> None:
    vector = SMITHY_JAVA["chain"]
    prior = bytes.fromhex(vector["seed_signature_hex"])
    for event, instant in zip(vector["events"], _smithy_java_times()):
        prior = event_signature(
            prior,
            _date_block(instant),
            es.encode(_inner(event["inner"])),
            instant,
            _credentials(vector),
            vector["region"],
            vector["service"],
        )
        assert prior.hex() == event["signature_hex"]
