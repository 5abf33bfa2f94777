"""A client no one here wrote against the loopback HTTP/2 server: the amazon-transcribe
SDK (PyPI ``amazon-transcribe``; awscrt's HTTP/2 client, TLS with ALPN ``h2``).

The server verifies its request's event signature chain and end frame with our
``EventVerifier`` and answers with transcript events the SDK must parse.  Skipped
unless ``amazon-transcribe`` is installed (it is not in any extra: it pulls in the
native awscrt); ``pip install amazon-transcribe`` to run it.
"""

from __future__ import annotations

import asyncio
import ssl
from typing import Any

import pytest

import eventstream as es
from eventstream.signing import Credentials
from eventstream.testing import LoopbackH2Server, Respond, Send

from ..conftest import FIXTURES
from .test_duplex_examples import AUDIO_IN, transcript

pytest.importorskip("h2")
pytest.importorskip("amazon_transcribe")

from amazon_transcribe.auth import StaticCredentialResolver
from amazon_transcribe.client import TranscribeStreamingClient
from amazon_transcribe.endpoints import StaticEndpointResolver
from amazon_transcribe.handlers import TranscriptResultStreamHandler
from awscrt import io

KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
TLS = FIXTURES / "tls"


class Collect(TranscriptResultStreamHandler):  # type: ignore[misc]
    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.lines: list[str] = []

    async def handle_transcript_event(self, transcript_event: Any) -> None:
        for result in transcript_event.transcript.results:
            self.lines.append(result.alternatives[0].transcript)


def test_amazon_transcribe_sdk_against_the_loopback_server() -> None:
    audio = bytearray()
    chunks = [bytes([i]) * 3200 for i in range(20)]

    def reply(message: es.Message) -> list[bytes]:
        audio.extend(AUDIO_IN.decode_message(message).members["AudioChunk"])
        count = len(audio) // 3200
        return [transcript(f"chunk {count}", partial=False)] if count % 4 == 0 else []

    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(TLS / "loopback-cert.pem", TLS / "loopback-key.pem")
    server_side.set_alpn_protocols(["h2"])

    async def main() -> tuple[LoopbackH2Server, list[str]]:
        async with LoopbackH2Server(
            [Respond(reply), Send(transcript("the end", partial=False))],
            credentials=KEYS, region="us-east-1", service="transcribe", ssl_context=server_side,
        ) as server:  # fmt: skip
            client = TranscribeStreamingClient(
                region="us-east-1",
                endpoint_resolver=StaticEndpointResolver(f"https://127.0.0.1:{server.port}"),
                credential_resolver=StaticCredentialResolver(KEYS.access_key, KEYS.secret_key),
            )
            # The SDK makes its own TLS context: trust the test certificate there.
            options = io.TlsContextOptions()
            options.override_default_trust_store_from_path(None, str(TLS / "loopback-cert.pem"))
            client._session_manager._tls_ctx = io.ClientTlsContext(options)
            stream = await client.start_stream_transcription(
                language_code="en-US", media_sample_rate_hz=16000, media_encoding="pcm"
            )
            handler = Collect(stream.output_stream)

            async def write() -> None:
                for chunk in chunks:
                    await stream.input_stream.send_audio_event(audio_chunk=chunk)
                await stream.input_stream.end_stream()

            await asyncio.wait_for(asyncio.gather(write(), handler.handle_events()), 30)
        return server, handler.lines

    server, lines = asyncio.run(main())
    request = server.requests[0]
    assert request.error is None  # every frame's signature held
    assert request.ended  # and the signed empty frame came last
    assert request.received == 20 and bytes(audio) == b"".join(chunks)
    assert lines == ["chunk 4", "chunk 8", "chunk 12", "chunk 16", "chunk 20", "the end"]
