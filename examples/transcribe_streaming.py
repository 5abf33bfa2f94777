"""Amazon Transcribe streaming from Python 3.9+ with no native dependency.

Reads 16-bit mono PCM from a WAV file, sends it as signed ``AudioEvent`` messages on
one HTTP/2 request (``StartStreamTranscription``) while it reads ``TranscriptEvent``
messages from the response, and prints the final transcript lines::

    pip install 'eventstream-codec[h2,sigv4]'
    python examples/transcribe_streaming.py speech.wav --region us-east-1

Credentials come from botocore (environment, profile, SSO, instance role...), and are
asked for again for every event, so keys that roll over mid-stream are used.

botocore ships no ``transcribe-streaming`` model (it leaves HTTP/2 operations out), so
the stream shapes come from the subset below, written from the Transcribe streaming
API reference (docs.aws.amazon.com/transcribe/latest/APIReference/
API_streaming_StartStreamTranscription.html); pass ``--model service-2.json`` to use a
full botocore-format model instead.  Both streams are built from it with
``eventstream.services.load_stream``: the input to encode audio, the output to decode
transcripts (and raise the modeled exceptions).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import wave
from collections.abc import AsyncIterator
from typing import Any

from eventstream.adapters import DuplexSession
from eventstream.services import StreamModel, load_stream
from eventstream.signing import CredentialsSource, EventSigner, sign_request

SERVICE = "transcribe"  # the SigV4 signing name
OPERATION = "StartStreamTranscription"
PATH = "/stream-transcription"

# What the API reference documents for the request headers and the two streams.
MODEL: dict[str, Any] = {
    "metadata": {"protocol": "rest-json", "signingName": SERVICE},
    "operations": {
        OPERATION: {
            "name": OPERATION,
            "http": {"method": "POST", "requestUri": PATH},
            "input": {"shape": "StartStreamTranscriptionRequest"},
            "output": {"shape": "StartStreamTranscriptionResponse"},
        }
    },
    "shapes": {
        "StartStreamTranscriptionRequest": {
            "type": "structure",
            "members": {
                "LanguageCode": {
                    "shape": "String",
                    "location": "header",
                    "locationName": "x-amzn-transcribe-language-code",
                },
                "MediaSampleRateHertz": {
                    "shape": "Integer",
                    "location": "header",
                    "locationName": "x-amzn-transcribe-sample-rate",
                },
                "MediaEncoding": {
                    "shape": "String",
                    "location": "header",
                    "locationName": "x-amzn-transcribe-media-encoding",
                },
                "AudioStream": {"shape": "AudioStream"},
            },
            "payload": "AudioStream",
        },
        "AudioStream": {
            "type": "structure",
            "members": {"AudioEvent": {"shape": "AudioEvent"}},
            "eventstream": True,
        },
        "AudioEvent": {
            "type": "structure",
            "members": {"AudioChunk": {"shape": "Blob", "eventpayload": True}},
            "event": True,
        },
        "StartStreamTranscriptionResponse": {
            "type": "structure",
            "members": {"TranscriptResultStream": {"shape": "TranscriptResultStream"}},
            "payload": "TranscriptResultStream",
        },
        "TranscriptResultStream": {
            "type": "structure",
            "members": {
                "TranscriptEvent": {"shape": "TranscriptEvent"},
                "BadRequestException": {"shape": "BadRequestException"},
                "LimitExceededException": {"shape": "LimitExceededException"},
            },
            "eventstream": True,
        },
        "TranscriptEvent": {
            "type": "structure",
            "members": {"Transcript": {"shape": "Transcript"}},
            "event": True,
        },
        "Transcript": {"type": "structure", "members": {"Results": {"shape": "ResultList"}}},
        "ResultList": {"type": "list", "member": {"shape": "Result"}},
        "Result": {
            "type": "structure",
            "members": {
                "ResultId": {"shape": "String"},
                "StartTime": {"shape": "Double"},
                "EndTime": {"shape": "Double"},
                "IsPartial": {"shape": "Boolean"},
                "Alternatives": {"shape": "AlternativeList"},
            },
        },
        "AlternativeList": {"type": "list", "member": {"shape": "Alternative"}},
        "Alternative": {
            "type": "structure",
            "members": {"Transcript": {"shape": "String"}, "Items": {"shape": "ItemList"}},
        },
        "ItemList": {"type": "list", "member": {"shape": "Item"}},
        "Item": {
            "type": "structure",
            "members": {
                "Content": {"shape": "String"},
                "StartTime": {"shape": "Double"},
                "EndTime": {"shape": "Double"},
                "Type": {"shape": "String"},
            },
        },
        "BadRequestException": {
            "type": "structure",
            "members": {"Message": {"shape": "String"}},
            "error": {"httpStatusCode": 400},
            "exception": True,
        },
        "LimitExceededException": {
            "type": "structure",
            "members": {"Message": {"shape": "String"}},
            "error": {"httpStatusCode": 429},
            "exception": True,
        },
        "String": {"type": "string"},
        "Integer": {"type": "integer"},
        "Double": {"type": "double"},
        "Boolean": {"type": "boolean"},
        "Blob": {"type": "blob"},
    },
}


def streams(model: dict[str, Any] | str = MODEL) -> tuple[StreamModel, StreamModel]:
    """The audio (input) and transcript (output) streams of the operation."""
    audio = load_stream("transcribe-streaming", OPERATION, direction="input", model=model)
    transcripts = load_stream("transcribe-streaming", OPERATION, direction="output", model=model)
    return audio, transcripts


async def pcm_chunks(path: str, chunk_ms: int, realtime: bool) -> AsyncIterator[bytes]:
    """The WAV file's PCM in ``chunk_ms`` pieces, paced like a microphone if asked."""
    with wave.open(path, "rb") as wav:
        if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
            raise ValueError(f"{path}: expected 16-bit mono PCM")
        frames = max(1, wav.getframerate() * chunk_ms // 1000)
        while True:
            chunk = wav.readframes(frames)
            if not chunk:
                return
            yield chunk
            if realtime:
                await asyncio.sleep(chunk_ms / 1000)


def sample_rate(path: str) -> int:
    with wave.open(path, "rb") as wav:
        return wav.getframerate()


async def transcribe(
    wav_path: str,
    *,
    endpoint: str,
    region: str,
    credentials: CredentialsSource,
    language: str = "en-US",
    chunk_ms: int = 100,
    realtime: bool = False,
    model: dict[str, Any] | str = MODEL,
    **session_options: Any,
) -> list[str]:
    """Send the WAV file's audio and return the final (not partial) transcript lines."""
    audio, transcripts = streams(model)
    url = endpoint.rstrip("/") + PATH
    signed = sign_request(
        "POST",
        url,
        {
            "Content-Type": "application/vnd.amazon.eventstream",
            "x-amzn-transcribe-language-code": language,
            "x-amzn-transcribe-sample-rate": str(sample_rate(wav_path)),
            "x-amzn-transcribe-media-encoding": "pcm",
        },
        credentials,
        region,
        SERVICE,
    )
    signer = EventSigner(signed.seed, credentials, region, SERVICE)
    lines: list[str] = []
    async with DuplexSession(url, signed.headers, signer, **session_options) as session:
        # The audio goes out from a task of the session's (then the end frame) while the
        # transcripts come back; an error on either side ends both.
        session.send_from(
            audio.encode({"AudioEvent": {"AudioChunk": chunk}})
            async for chunk in pcm_chunks(wav_path, chunk_ms, realtime)
        )
        async for message in session:
            event = transcripts.decode_message(message)  # raises the modeled exceptions
            for result in event.members.get("Transcript", {}).get("Results", []):
                if not result.get("IsPartial") and result.get("Alternatives"):
                    lines.append(result["Alternatives"][0]["Transcript"])
    return lines


def main(argv: list[str] | None = None) -> int:
    from _aws_credentials import botocore_credentials  # next to this script

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wav", help="16-bit mono PCM WAV file")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--endpoint", help="default: the region's streaming endpoint")
    parser.add_argument("--language", default="en-US")
    parser.add_argument("--model", help="a botocore-format transcribe-streaming model file")
    parser.add_argument("--realtime", action="store_true", help="pace the audio like a mic")
    args = parser.parse_args(argv)
    endpoint = args.endpoint or f"https://transcribestreaming.{args.region}.amazonaws.com"
    lines = asyncio.run(
        transcribe(
            args.wav,
            endpoint=endpoint,
            region=args.region,
            credentials=botocore_credentials(),
            language=args.language,
            realtime=args.realtime,
            model=args.model or MODEL,
        )
    )
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
