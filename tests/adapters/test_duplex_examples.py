"""examples/transcribe_streaming.py and examples/bedrock_nova_sonic.py end to end
against the loopback HTTP/2 server, which verifies every signed frame and the end
frame and answers like the service: transcripts while the audio is still coming, text
and audio events for Nova Sonic.  Once in-process, once each as a script."""

from __future__ import annotations

import asyncio
import base64
import importlib.util
import json
import math
import os
import struct
import subprocess
import sys
import threading
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import eventstream as es
from eventstream.services import StreamException, load_stream
from eventstream.signing import Credentials
from eventstream.testing import LoopbackH2Server, Respond, Send, Step

pytest.importorskip("h2")
pytest.importorskip("botocore")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token-example")
REGION = "us-east-1"


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def write_wav(path: Path, rate: int, seconds: float) -> bytes:
    """A 440 Hz tone as 16-bit mono PCM; returns the PCM bytes."""
    count = int(rate * seconds)
    pcm = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate))) for i in range(count)
    )
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm)
    return pcm


# -- Transcribe ---------------------------------------------------------------------

transcribe = load_example("transcribe_streaming")
AUDIO_IN, TRANSCRIPTS_OUT = transcribe.streams()


def transcript(text: str, partial: bool) -> bytes:
    # With Items in every alternative, as the service sends (the SDK's parser needs them).
    alternative = {"Transcript": text, "Items": []}
    result = {"ResultId": "r1", "IsPartial": partial, "Alternatives": [alternative]}
    event = {"TranscriptEvent": {"Transcript": {"Results": [result]}}}
    return bytes(TRANSCRIPTS_OUT.encode(event))


def transcribe_script(received_audio: bytearray) -> list[Step]:
    """Partial transcripts while the audio comes (one per 5 chunks), then a final one
    per 10 chunks seen, and a last final line after the end frame."""
    seen = [0]

    def reply(message: es.Message) -> list[bytes]:
        event = AUDIO_IN.decode_message(message)
        assert event.name == "AudioEvent"
        received_audio.extend(event.members["AudioChunk"])
        seen[0] += 1
        if seen[0] % 10 == 0:
            return [transcript(f"line {seen[0] // 10}", partial=False)]
        if seen[0] % 5 == 0:
            return [transcript("li", partial=True)]
        return []

    return [Respond(reply), Send(transcript("the end", partial=False))]


def test_transcribe_example_streams_a_wav_file(tmp_path: Path) -> None:
    pcm = write_wav(tmp_path / "speech.wav", 16000, 3.0)  # 30 chunks of 100 ms
    audio = bytearray()

    async def main() -> tuple[list[str], LoopbackH2Server]:
        async with LoopbackH2Server(
            transcribe_script(audio), credentials=KEYS, region=REGION, service="transcribe"
        ) as server:
            lines = await transcribe.transcribe(
                str(tmp_path / "speech.wav"), endpoint=server.url, region=REGION, credentials=KEYS
            )
        return lines, server

    lines, server = asyncio.run(main())
    assert lines == ["line 1", "line 2", "line 3", "the end"]
    request = server.requests[0]
    assert request.error is None and request.ended
    assert bytes(audio) == pcm
    assert request.header(":path") == "/stream-transcription"
    assert request.header("x-amzn-transcribe-sample-rate") == "16000"
    assert request.header("x-amzn-transcribe-media-encoding") == "pcm"
    assert request.header("x-amz-security-token") == "token-example"


def test_transcribe_example_raises_the_modeled_exception(tmp_path: Path) -> None:
    write_wav(tmp_path / "speech.wav", 8000, 0.5)
    refusal = TRANSCRIPTS_OUT.encode({"BadRequestException": {"Message": "bad sample rate"}})

    async def main() -> None:
        async with LoopbackH2Server([Send(refusal)]) as server:
            await transcribe.transcribe(
                str(tmp_path / "speech.wav"), endpoint=server.url, region=REGION, credentials=KEYS
            )

    # The example loads its own model, so its exception classes are its own.
    with pytest.raises(StreamException, match="bad sample") as caught:
        asyncio.run(main())
    assert type(caught.value).__name__ == "BadRequestException"


# -- Nova Sonic ---------------------------------------------------------------------

sonic = load_example("bedrock_nova_sonic")
SONIC_IN = load_stream("bedrock-runtime", "InvokeModelWithBidirectionalStream", direction="input")
SONIC_OUT = load_stream("bedrock-runtime", "InvokeModelWithBidirectionalStream")
SPOKEN = b"\x01\x02" * 2400  # the model's audio: 0.1 s at 24 kHz


def sonic_out(event: dict[str, Any]) -> bytes:
    return bytes(SONIC_OUT.encode({"chunk": {"bytes": json.dumps({"event": event}).encode()}}))


def sonic_script(received: list[str], user_audio: bytearray) -> list[Step]:
    """Echo the user's speech as text after the first audio chunk (the answer starts
    before the input ends), then text and audio once the session ends."""

    def reply(message: es.Message) -> list[bytes]:
        body = json.loads(SONIC_IN.decode_message(message).members["bytes"])["event"]
        ((name, value),) = body.items()
        received.append(name)
        if name == "audioInput":
            user_audio.extend(base64.b64decode(value["content"]))
            if received.count("audioInput") == 1:
                return [sonic_out({"textOutput": {"role": "USER", "content": "hello?"}})]
        return []

    spoken = base64.b64encode(SPOKEN).decode()
    return [
        Respond(reply),
        Send(sonic_out({"textOutput": {"role": "ASSISTANT", "content": "Hello, "}})),
        Send(sonic_out({"audioOutput": {"content": spoken}})),
        Send(sonic_out({"textOutput": {"role": "ASSISTANT", "content": "world."}})),
        Send(sonic_out({"completionEnd": {}})),
    ]


def test_nova_sonic_example_sends_session_and_audio_and_collects_text_and_audio(
    tmp_path: Path,
) -> None:
    pcm = write_wav(tmp_path / "question.wav", 16000, 0.5)
    received: list[str] = []
    user_audio = bytearray()

    async def main() -> tuple[Any, LoopbackH2Server]:
        async with LoopbackH2Server(
            sonic_script(received, user_audio), credentials=KEYS, region=REGION, service="bedrock"
        ) as server:
            answer = await sonic.converse(
                str(tmp_path / "question.wav"),
                endpoint=server.url,
                region=REGION,
                credentials=KEYS,
            )
        return answer, server

    answer, server = asyncio.run(main())
    request = server.requests[0]
    assert request.error is None and request.ended
    assert request.header(":path") == (
        "/model/amazon.nova-sonic-v1%3A0/invoke-with-bidirectional-stream"
    )
    chunks = math.ceil(len(pcm) / (16000 * 32 // 1000 * 2))  # 32 ms chunks, the last short
    assert received == [
        "sessionStart", "promptStart", "contentStart", "textInput", "contentEnd",
        "contentStart", *["audioInput"] * chunks, "contentEnd", "promptEnd", "sessionEnd",
    ]  # fmt: skip
    assert bytes(user_audio) == pcm
    assert answer.text == ["hello?", "Hello, ", "world."]
    assert bytes(answer.audio) == SPOKEN
    assert answer.events[-1] == "completionEnd"


# -- as scripts ----------------------------------------------------------------------


@contextmanager
def server_in_thread(server: LoopbackH2Server) -> Iterator[LoopbackH2Server]:
    """Run ``server`` in its own event loop on a thread, for a client in a subprocess."""
    loop = asyncio.new_event_loop()
    started = threading.Event()
    stop: list[asyncio.Event] = []

    async def serve() -> None:
        stop.append(asyncio.Event())
        async with server:
            started.set()
            await stop[0].wait()

    thread = threading.Thread(target=loop.run_until_complete, args=(serve(),), daemon=True)
    thread.start()
    assert started.wait(10)
    try:
        yield server
    finally:
        loop.call_soon_threadsafe(stop[0].set)
        thread.join(10)
        loop.close()


def run_script(name: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": KEYS.access_key,
        "AWS_SECRET_ACCESS_KEY": KEYS.secret_key,
        "AWS_SESSION_TOKEN": KEYS.session_token or "",
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return subprocess.run(
        [sys.executable, str(EXAMPLES / f"{name}.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_transcribe_example_as_a_script(tmp_path: Path) -> None:
    write_wav(tmp_path / "speech.wav", 16000, 2.0)
    audio = bytearray()
    server = LoopbackH2Server(
        transcribe_script(audio), credentials=KEYS, region=REGION, service="transcribe"
    )
    with server_in_thread(server):
        done = run_script("transcribe_streaming", str(tmp_path / "speech.wav"),
                          "--endpoint", server.url, "--region", REGION)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["line 1", "line 2", "the end"]
    assert server.requests[0].error is None and server.requests[0].ended


def test_nova_sonic_example_as_a_script(tmp_path: Path) -> None:
    write_wav(tmp_path / "question.wav", 16000, 0.25)
    server = LoopbackH2Server(
        sonic_script([], bytearray()), credentials=KEYS, region=REGION, service="bedrock"
    )
    out = tmp_path / "answer.wav"
    with server_in_thread(server):
        done = run_script("bedrock_nova_sonic", str(tmp_path / "question.wav"),
                          "--out", str(out), "--endpoint", server.url)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "hello?Hello, world."
    with wave.open(str(out), "rb") as wav:
        assert wav.getframerate() == 24000
        assert wav.readframes(wav.getnframes()) == SPOKEN
    assert server.requests[0].error is None and server.requests[0].ended
