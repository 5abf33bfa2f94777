"""Speech to speech with Amazon Nova Sonic (Bedrock InvokeModelWithBidirectionalStream).

Sends the session events (session, prompt, system text) and then 16-bit mono PCM
audio chunks from a WAV file, each signed as it goes, while it reads the model's
text and audio events from the same HTTP/2 request; prints the text and writes the
spoken answer to a WAV file::

    pip install 'eventstream-codec[h2,sigv4]'
    python examples/bedrock_nova_sonic.py question.wav --out answer.wav --region us-east-1

Both streams come from botocore's ``bedrock-runtime`` model with
``eventstream.services.load_stream`` (every event is a ``chunk`` whose ``bytes`` hold
one Nova Sonic JSON event); the JSON events follow the Nova Sonic user guide,
"Handling input events with the bidirectional API" and "output events"
(docs.aws.amazon.com/nova/latest/userguide/input-events.html).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import sys
import uuid
import wave
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from eventstream.adapters import DuplexSession
from eventstream.services import load_stream
from eventstream.signing import CredentialsSource, EventSigner, sign_request

SERVICE = "bedrock"  # the SigV4 signing name
OPERATION = "InvokeModelWithBidirectionalStream"
MODEL_ID = "amazon.nova-sonic-v1:0"
INPUT_RATE, OUTPUT_RATE = 16000, 24000


@dataclass
class Answer:
    """What the model said: its text events in order, and its audio as PCM."""

    text: list[str] = field(default_factory=list)
    audio: bytearray = field(default_factory=bytearray)
    events: list[str] = field(default_factory=list)


def session_events(prompt: str, content: str, system_prompt: str) -> Iterator[dict[str, Any]]:
    """The events before the audio: session, prompt (the output formats), system text,
    and the start of the audio content."""
    yield {"sessionStart": {"inferenceConfiguration": {"maxTokens": 1024, "topP": 0.9,
                                                       "temperature": 0.7}}}  # fmt: skip
    yield {
        "promptStart": {
            "promptName": prompt,
            "textOutputConfiguration": {"mediaType": "text/plain"},
            "audioOutputConfiguration": {
                "mediaType": "audio/lpcm",
                "sampleRateHertz": OUTPUT_RATE,
                "sampleSizeBits": 16,
                "channelCount": 1,
                "voiceId": "matthew",
                "encoding": "base64",
                "audioType": "SPEECH",
            },
        }
    }
    system = f"{content}-system"
    yield {
        "contentStart": {
            "promptName": prompt,
            "contentName": system,
            "type": "TEXT",
            "interactive": False,
            "role": "SYSTEM",
            "textInputConfiguration": {"mediaType": "text/plain"},
        }
    }
    yield {"textInput": {"promptName": prompt, "contentName": system, "content": system_prompt}}
    yield {"contentEnd": {"promptName": prompt, "contentName": system}}
    yield {
        "contentStart": {
            "promptName": prompt,
            "contentName": content,
            "type": "AUDIO",
            "interactive": True,
            "role": "USER",
            "audioInputConfiguration": {
                "mediaType": "audio/lpcm",
                "sampleRateHertz": INPUT_RATE,
                "sampleSizeBits": 16,
                "channelCount": 1,
                "audioType": "SPEECH",
                "encoding": "base64",
            },
        }
    }


def closing_events(prompt: str, content: str) -> Iterator[dict[str, Any]]:
    """The end of the audio, of the prompt and of the session, in that order."""
    yield {"contentEnd": {"promptName": prompt, "contentName": content}}
    yield {"promptEnd": {"promptName": prompt}}
    yield {"sessionEnd": {}}


async def pcm_chunks(path: str, chunk_ms: int = 32) -> AsyncIterator[bytes]:
    """16 kHz 16-bit mono PCM from a WAV file, in microphone-sized chunks."""
    with wave.open(path, "rb") as wav:
        if (wav.getsampwidth(), wav.getnchannels(), wav.getframerate()) != (2, 1, INPUT_RATE):
            raise ValueError(f"{path}: expected 16 kHz 16-bit mono PCM")
        frames = INPUT_RATE * chunk_ms // 1000
        while chunk := wav.readframes(frames):
            yield chunk


async def converse(
    wav_path: str,
    *,
    endpoint: str,
    region: str,
    credentials: CredentialsSource,
    model_id: str = MODEL_ID,
    system_prompt: str = "You are a friendly assistant. Keep your answers short.",
    **session_options: Any,
) -> Answer:
    """One spoken question from ``wav_path``; the model's text and audio answer."""
    requests = load_stream("bedrock-runtime", OPERATION, direction="input")
    responses = load_stream("bedrock-runtime", OPERATION, direction="output")
    url = (
        f"{endpoint.rstrip('/')}/model/{quote(model_id, safe='')}/invoke-with-bidirectional-stream"
    )
    signed = sign_request(
        "POST", url, {"Content-Type": "application/vnd.amazon.eventstream"},
        credentials, region, SERVICE,
    )  # fmt: skip
    signer = EventSigner(signed.seed, credentials, region, SERVICE)
    prompt, content = str(uuid.uuid4()), str(uuid.uuid4())
    answer = Answer()

    def chunk(event: dict[str, Any]) -> bytes:
        return requests.encode({"chunk": {"bytes": json.dumps({"event": event}).encode()}})

    async def events() -> AsyncIterator[bytes]:
        for event in session_events(prompt, content, system_prompt):
            yield chunk(event)
        async for pcm in pcm_chunks(wav_path):
            audio = base64.b64encode(pcm).decode()
            yield chunk({"audioInput": {"promptName": prompt, "contentName": content,
                                        "content": audio}})  # fmt: skip
        for event in closing_events(prompt, content):
            yield chunk(event)

    async with DuplexSession(url, signed.headers, signer, **session_options) as session:
        session.send_from(events())  # from a task of the session's, then the end frame
        async for message in session:
            event = responses.decode_message(message)  # raises the modeled exceptions
            body = json.loads(event.members["bytes"])["event"]
            ((name, value),) = body.items()
            answer.events.append(name)
            if name == "textOutput":
                answer.text.append(value["content"])
            elif name == "audioOutput":
                answer.audio += base64.b64decode(value["content"])
    return answer


def main(argv: list[str] | None = None) -> int:
    from _aws_credentials import botocore_credentials  # next to this script

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wav", help="16 kHz 16-bit mono PCM WAV file: the question")
    parser.add_argument("--out", default="answer.wav", help="where to write the spoken answer")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--endpoint", help="default: the region's bedrock-runtime endpoint")
    parser.add_argument("--model-id", default=MODEL_ID)
    args = parser.parse_args(argv)
    endpoint = args.endpoint or f"https://bedrock-runtime.{args.region}.amazonaws.com"
    answer = asyncio.run(
        converse(
            args.wav,
            endpoint=endpoint,
            region=args.region,
            credentials=botocore_credentials(),
            model_id=args.model_id,
        )
    )
    print("".join(answer.text))
    with wave.open(args.out, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(OUTPUT_RATE)
        wav.writeframes(bytes(answer.audio))
    return 0


if __name__ == "__main__":
    sys.exit(main())
