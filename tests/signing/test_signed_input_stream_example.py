"""examples/signed_input_stream.py end to end against the loopback endpoint that
checks the request's signature and every frame (tests/signed_server.py)."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import eventstream as es
from eventstream.signing import Credentials, EventSigner, sign_request

from ..loopback import LoopbackServer
from ..signed_server import SignedStreamCheck

pytest.importorskip("botocore", reason="sign_request needs botocore (the sigv4 extra)")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "signed_input_stream.py"
KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "session-token")
AUDIO = bytes(range(256)) * 40  # 10,240 bytes: three AudioEvents of 4,096 bytes at most


def run_example(
    audio: Path, url: str, keys: Credentials = KEYS
) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=keys.access_key,
        AWS_SECRET_ACCESS_KEY=keys.secret_key,
        AWS_SESSION_TOKEN=keys.session_token or "",
    )
    return subprocess.run(
        [sys.executable, str(EXAMPLE), str(audio), "--endpoint-url", url, "--chunk", "4096"],
        capture_output=True,
        env=env,
        timeout=60,
    )


def test_the_example_streams_a_stream_the_endpoint_accepts(tmp_path: Path) -> None:
    audio = tmp_path / "audio.pcm"
    audio.write_bytes(AUDIO)
    check = SignedStreamCheck(KEYS, "us-east-1", "transcribe")
    with LoopbackServer(check) as server:
        result = run_example(audio, server.url)
        [request] = server.requests
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines() == ["200", '{"events": 3}']
    [outcome] = check.results
    assert outcome.error is None
    assert [e.payload for e in outcome.events] == [AUDIO[:4096], AUDIO[4096:8192], AUDIO[8192:]]
    assert all(e.headers[":event-type"] == "AudioEvent" for e in outcome.events)
    assert request.path == "/stream-transcription"
    assert request.header("Transfer-Encoding") == "chunked"
    assert request.header("X-Amz-Security-Token") == "session-token"


def test_the_endpoint_refuses_a_request_signed_with_another_key(tmp_path: Path) -> None:
    audio = tmp_path / "audio.pcm"
    audio.write_bytes(AUDIO[:10])
    check = SignedStreamCheck(Credentials("AKIDEXAMPLE", "another"), "us-east-1", "transcribe")
    with LoopbackServer(check) as server:
        result = run_example(audio, server.url)
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "403"
    assert "the request's own signature does not match" in json.loads(lines[1])["message"]


def post(url: str, frames: list[bytes], headers: dict[str, str]) -> tuple[int, dict[str, object]]:
    connection = http.client.HTTPConnection(url.split("//", 1)[1], timeout=30)
    try:
        connection.request(
            "POST", "/stream", body=iter(frames), headers=headers, encode_chunked=True
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def signed(url: str, events: int) -> tuple[dict[str, str], list[bytes]]:
    headers = sign_request("POST", url + "/stream", {}, KEYS, "us-east-1", "transcribe")
    signer = EventSigner(headers.seed, KEYS, "us-east-1", "transcribe")
    frames = [es.encode(signer.sign(es.Message({"n": i}, b"."))) for i in range(events)]
    return headers.headers, [*frames, es.encode(signer.sign_end())]


@pytest.mark.parametrize(
    ("edit", "frame", "reason"),
    [
        (lambda f: f, None, None),
        (lambda f: [f[0], f[2], f[1], f[3]], 1, "':chunk-signature' differs"),
        (lambda f: [f[0], f[1], f[3]], 2, "':chunk-signature' differs"),
        (lambda f: f[:-1], 3, "without the signed empty end frame"),
        (lambda f: [*f, f[0]], 4, "already ended the stream"),
    ],
)
def test_the_endpoint_checks_every_frame_and_the_end_frame(
    edit: object, frame: int | None, reason: str | None
) -> None:
    check = SignedStreamCheck(KEYS, "us-east-1", "transcribe")
    with LoopbackServer(check) as server:
        headers, frames = signed(server.url, 3)
        status, body = post(server.url, edit(frames), headers)  # type: ignore[operator]
    if frame is None:
        assert (status, body) == (200, {"events": 3})
        return
    assert status == 403 and body["frame"] == frame
    assert reason in str(body["message"])
