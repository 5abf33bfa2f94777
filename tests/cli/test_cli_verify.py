"""``eventstream verify`` checks a signed input stream's chain; ``inspect`` shows its envelopes."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import eventstream as es
from eventstream.signing import Credentials, EventSigner
from eventstream.testing import fix_checksums

from .cli_run import run, stderr_lines

SEED = bytes(range(32))
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SCOPE = ("--seed", SEED.hex(), "--region", "us-east-1", "--service", "transcribe")
EVENTS = [
    es.Message({":event-type": "AudioEvent", ":message-type": "event"}, b"pcm" * n)
    for n in (1, 2, 3)
]


def signed_frames() -> list[bytes]:
    times = iter(
        dt.datetime(2026, 12, 1, 3, 0, s, 500_000, tzinfo=dt.timezone.utc) for s in range(9)
    )
    signer = EventSigner(
        SEED, Credentials("AKID", SECRET), "us-east-1", "transcribe", clock=lambda: next(times)
    )
    return [es.encode(signer.sign(event)) for event in EVENTS] + [es.encode(signer.sign_end())]


def capture(tmp_path: Path, frames: list[bytes]) -> Path:
    path = tmp_path / "body.bin"
    path.write_bytes(b"".join(frames))
    return path


def verify(path: Path, *extra: str) -> tuple[int, str, list[str]]:
    result = run("verify", path, *SCOPE, "--secret-key", SECRET, *extra)
    return result.returncode, result.stdout.decode(), stderr_lines(result)


def test_a_good_stream(tmp_path: Path) -> None:
    frames = signed_frames()
    status, out, err = verify(capture(tmp_path, frames))
    assert (status, err) == (0, [])
    last = es.decode(frames[-1]).headers[":chunk-signature"]
    assert isinstance(last, bytes)
    assert out == (
        f"ok: 3 events and the end frame verified, {sum(map(len, frames))} bytes; "
        f"last :date 20261201T030003Z, last signature {last.hex()}\n"
    )


def test_the_key_from_the_environment(tmp_path: Path) -> None:
    path = capture(tmp_path, signed_frames())
    env = {**os.environ, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_ACCESS_KEY_ID": "AKID"}
    result = subprocess.run(
        [sys.executable, "-m", "eventstream", "verify", str(path), *SCOPE],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    # Without it (and without the flag) the command says what is missing.
    env.pop("AWS_SECRET_ACCESS_KEY")
    result = subprocess.run(
        [sys.executable, "-m", "eventstream", "verify", str(path), *SCOPE],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 1
    assert b"no secret key: give --secret-key or set AWS_SECRET_ACCESS_KEY" in result.stderr


def test_a_wrong_key_fails_at_frame_0(tmp_path: Path) -> None:
    result = run("verify", capture(tmp_path, signed_frames()), *SCOPE, "--secret-key", "nope")
    assert result.returncode == 1
    [line] = stderr_lines(result)
    assert re.fullmatch(
        r"eventstream: error: frame 0: ':chunk-signature' differs: "
        r"the frame carries [0-9a-f]{64}, the chain gives [0-9a-f]{64} "
        r"for :date 20261201T030000Z; .* \(at byte offset 0\)",
        line,
    ), line
    assert result.stdout == b""


def test_a_changed_inner_message_is_reported_at_its_frame(tmp_path: Path) -> None:
    frames = signed_frames()
    envelope = es.decode(frames[1])
    inner = bytearray(envelope.payload)
    inner[-5] ^= 0x20  # a payload byte of the inner message; its CRCs made to hold again
    frames[1] = es.encode(es.Message(envelope.headers, fix_checksums(bytes(inner))))
    status, _, err = verify(capture(tmp_path, frames))
    assert status == 1
    assert err[0].startswith("eventstream: error: frame 1: ':chunk-signature' differs")
    assert err[0].endswith(f"(at byte offset {len(frames[0])})")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda f: f[:-1], "frame 3: the stream ended without the signed empty end frame"),
        (lambda f: [f[0], f[2], f[1], f[3]], "frame 1: ':chunk-signature' differs"),
        (lambda f: [f[0], f[2], f[3]], "frame 1: ':chunk-signature' differs"),
        (lambda f: [f[0], f[1], f[0], f[2], f[3]], "frame 2: ':chunk-signature' differs"),
        (lambda f: [*f, f[0]], "frame 4: the end frame (frame 3) already ended the stream"),
        (lambda f: [f[3]], "frame 0: ':chunk-signature' differs"),
        (lambda f: [], "frame 0: the stream ended without the signed empty end frame"),
    ],
)
def test_order_and_number_of_frames(tmp_path: Path, edit: object, expected: str) -> None:
    status, out, err = verify(capture(tmp_path, edit(signed_frames())))  # type: ignore[operator]
    assert status == 1 and out == ""
    assert err[0].startswith(f"eventstream: error: {expected}"), err


def test_a_repeated_frame_is_named(tmp_path: Path) -> None:
    frames = signed_frames()
    _, _, err = verify(capture(tmp_path, [frames[0], frames[1], frames[0]]))
    assert "the frame repeats frame 0" in err[0]


def test_a_cut_or_corrupt_stream(tmp_path: Path) -> None:
    frames = signed_frames()
    body = b"".join(frames)
    _, _, err = verify(capture(tmp_path, [body[:-3]]))
    assert err[0].startswith("eventstream: error: frame 3: not an event-stream message: ")
    corrupt = bytearray(body)
    corrupt[len(frames[0]) + 20] ^= 1
    _, _, err = verify(capture(tmp_path, [bytes(corrupt)]))
    assert err[0].startswith(
        "eventstream: error: frame 1: not an event-stream message: bad message at offset 149: "
        "message"
    )
    assert f"(at byte offset {len(frames[0]) + len(frames[1]) - 4})" in err[0]


def test_other_input_forms(tmp_path: Path) -> None:
    path = tmp_path / "body.hex"
    path.write_text(b"".join(signed_frames()).hex(" "))
    status, out, _ = verify(path, "--input", "hex")
    assert status == 0 and out.startswith("ok: 3 events")


@pytest.mark.parametrize(
    ("args", "status", "message"),
    [
        (("--seed", "xyz"), 2, "--seed must be hex digits"),
        (("--seed", ""), 2, "--seed is empty"),
        (("--region", "a/b"), 1, "region must be a non-empty str without '/'"),
    ],
)
def test_bad_options(tmp_path: Path, args: tuple[str, ...], status: int, message: str) -> None:
    path = capture(tmp_path, signed_frames())
    options = dict(zip(SCOPE[::2], SCOPE[1::2]))
    options.update(zip(args[::2], args[1::2]))
    flat = [part for pair in options.items() for part in pair]
    result = run("verify", path, *flat, "--secret-key", SECRET)
    assert result.returncode == status
    assert message in result.stderr.decode()


def test_required_options() -> None:
    result = run("verify", "-", "--region", "r", "--service", "s")
    assert result.returncode == 2
    assert "--seed" in result.stderr.decode()


# -- inspect --


def test_inspect_shows_envelopes_and_their_inner_messages(tmp_path: Path) -> None:
    frames = signed_frames()
    result = run("inspect", capture(tmp_path, frames))
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    signatures = [es.decode(f).headers[":chunk-signature"] for f in frames]
    heads = re.findall(
        r"^  signed (envelope|end frame): :date (\S+), :chunk-signature (\w+)", text, re.M
    )
    assert heads == [
        ("envelope", "20261201T030000Z", signatures[0].hex()),  # type: ignore[union-attr]
        ("envelope", "20261201T030001Z", signatures[1].hex()),  # type: ignore[union-attr]
        ("envelope", "20261201T030002Z", signatures[2].hex()),  # type: ignore[union-attr]
        ("end frame", "20261201T030003Z", signatures[3].hex()),  # type: ignore[union-attr]
    ]
    assert "empty payload: the end of the signed stream" in text
    # The inner message of frame 1, at its stream offset, field by field.
    inner_at = len(frames[0]) + 12 + 67
    assert f"    inner message at offset {inner_at}: {len(es.encode(EVENTS[1]))} bytes\n" in text
    assert re.search(rf"^\s+{inner_at + 12}\s+:event-type\s+string \"AudioEvent\"$", text, re.M)
    assert re.search(r'^\s+\d+\s+payload\s+6 bytes, text: "pcmpcm"$', text, re.M)


def test_inspect_hex_shows_the_inner_message_too(tmp_path: Path) -> None:
    result = run("inspect", "--hex", capture(tmp_path, signed_frames()[:1]))
    text = result.stdout.decode()
    assert "  signed envelope: :date 20261201T030000Z" in text
    assert re.search(r'^\s+\d+\s+[0-9a-f ]+\|.*\|\s+:event-type: string "AudioEvent"$', text, re.M)


def test_inspect_flags_an_inner_message_that_does_not_decode(tmp_path: Path) -> None:
    times = iter([dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)])
    signer = EventSigner(SEED, Credentials("a", "b"), "r", "s", clock=lambda: next(times))
    result = run("inspect", capture(tmp_path, [es.encode(signer.sign(b"plain text"))]))
    assert result.returncode == 0
    assert "inner message at offset 79: 10 bytes; it does not decode: " in result.stdout.decode()


def test_inspect_leaves_other_messages_alone(tmp_path: Path) -> None:
    plain = es.encode(es.Message({":date": es.Timestamp(0), "other": 1}, b"x"))
    result = run("inspect", capture(tmp_path, [plain]))
    assert "signed" not in result.stdout.decode()
