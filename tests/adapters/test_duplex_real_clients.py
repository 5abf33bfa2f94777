"""Clients no one here wrote against the loopback HTTP/2 server, over TLS with ALPN
``h2``: the amazon-transcribe SDK (PyPI ``amazon-transcribe``, awscrt's HTTP/2 client)
and the AWS SDK for Python's ``aws-sdk-bedrock-runtime`` (smithy-python, Python 3.12+,
with its awscrt transport).

The server verifies each client's event signature chain and end frame with our
``EventVerifier`` and answers with events the SDK must parse.  Each test is skipped
unless its SDK is installed: none is in an extra, since both pull in the native awscrt
(``pip install amazon-transcribe`` / ``pip install aws-sdk-bedrock-runtime
'smithy-http[awscrt]'`` to run them).
"""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any

import pytest

import eventstream as es
from eventstream.signing import Credentials
from eventstream.testing import LoopbackH2Server, Respond, Send

from ..conftest import FIXTURES
from .test_duplex_examples import AUDIO_IN, transcript

pytest.importorskip("h2")

KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
TLS = FIXTURES / "tls"


def server_tls() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(TLS / "loopback-cert.pem", TLS / "loopback-key.pem")
    context.set_alpn_protocols(["h2"])
    return context


def crt_tls_trusting_the_test_certificate() -> Any:
    """An awscrt TLS context that trusts the test certificate (the SDKs make their own
    from the system's trust store)."""
    from awscrt import io

    options = io.TlsContextOptions()
    options.override_default_trust_store_from_path(None, str(TLS / "loopback-cert.pem"))
    return io.ClientTlsContext(options)


def test_amazon_transcribe_sdk_against_the_loopback_server() -> None:
    audio = bytearray()
    chunks = [bytes([i]) * 3200 for i in range(20)]

    def reply(message: es.Message) -> list[bytes]:
        audio.extend(AUDIO_IN.decode_message(message).members["AudioChunk"])
        count = len(audio) // 3200
        return [transcript(f"chunk {count}", partial=False)] if count % 4 == 0 else []

    pytest.importorskip("amazon_transcribe")
    from amazon_transcribe.auth import StaticCredentialResolver
    from amazon_transcribe.client import TranscribeStreamingClient
    from amazon_transcribe.endpoints import StaticEndpointResolver
    from amazon_transcribe.handlers import TranscriptResultStreamHandler

    lines: list[str] = []

    class Collect(TranscriptResultStreamHandler):  # type: ignore[misc]
        async def handle_transcript_event(self, transcript_event: Any) -> None:
            for result in transcript_event.transcript.results:
                lines.append(result.alternatives[0].transcript)

    async def main() -> LoopbackH2Server:
        async with LoopbackH2Server(
            [Respond(reply), Send(transcript("the end", partial=False))],
            credentials=KEYS, region="us-east-1", service="transcribe", ssl_context=server_tls(),
        ) as server:  # fmt: skip
            client = TranscribeStreamingClient(
                region="us-east-1",
                endpoint_resolver=StaticEndpointResolver(f"https://127.0.0.1:{server.port}"),
                credential_resolver=StaticCredentialResolver(KEYS.access_key, KEYS.secret_key),
            )
            client._session_manager._tls_ctx = crt_tls_trusting_the_test_certificate()
            stream = await client.start_stream_transcription(
                language_code="en-US", media_sample_rate_hz=16000, media_encoding="pcm"
            )
            handler = Collect(stream.output_stream)

            async def write() -> None:
                for chunk in chunks:
                    await stream.input_stream.send_audio_event(audio_chunk=chunk)
                await stream.input_stream.end_stream()

            await asyncio.wait_for(asyncio.gather(write(), handler.handle_events()), 30)
        return server

    server = asyncio.run(main())
    request = server.requests[0]
    assert request.error is None  # every frame's signature held
    assert request.ended  # and the signed empty frame came last
    assert request.received == 20 and bytes(audio) == b"".join(chunks)
    assert lines == ["chunk 4", "chunk 8", "chunk 12", "chunk 16", "chunk 20", "the end"]


def test_aws_sdk_bedrock_runtime_against_the_loopback_server() -> None:
    pytest.importorskip("aws_sdk_bedrock_runtime")
    pytest.importorskip("awscrt")
    from aws_sdk_bedrock_runtime.client import AsyncBedrockRuntimeClient
    from aws_sdk_bedrock_runtime.config import AsyncBedrockRuntimeConfig
    from aws_sdk_bedrock_runtime.models import (
        BidirectionalInputPayloadPart,
        InvokeModelWithBidirectionalStreamInputChunk,
        InvokeModelWithBidirectionalStreamOperationInput,
    )
    from smithy_aws_core.identity.components import AWSCredentialsIdentity
    from smithy_aws_core.identity.static import StaticCredentialsResolver
    from smithy_http.aio.crt import AWSCRTHTTPClient

    from .test_duplex_examples import SONIC_IN, sonic_out

    seen: list[Any] = []

    def reply(message: es.Message) -> list[bytes]:
        seen.append(json.loads(SONIC_IN.decode_message(message).members["bytes"])["event"])
        return [sonic_out({"textOutput": {"content": f"got {len(seen)}"}})]

    async def main() -> tuple[LoopbackH2Server, list[Any]]:
        async with LoopbackH2Server(
            [Respond(reply), Send(sonic_out({"completionEnd": {}}))],
            credentials=KEYS, region="us-east-1", service="bedrock", ssl_context=server_tls(),
        ) as server:  # fmt: skip
            transport = AWSCRTHTTPClient()
            transport._tls_ctx = crt_tls_trusting_the_test_certificate()
            identity = AWSCredentialsIdentity(
                access_key_id=KEYS.access_key, secret_access_key=KEYS.secret_key
            )
            config = await AsyncBedrockRuntimeConfig.resolve(
                endpoint_uri=f"https://127.0.0.1:{server.port}",
                region="us-east-1",
                aws_credentials_identity_resolver=StaticCredentialsResolver(identity),
                transport=transport,
            )
            client = AsyncBedrockRuntimeClient(config)
            stream = await client.invoke_model_with_bidirectional_stream(
                InvokeModelWithBidirectionalStreamOperationInput(model_id="amazon.nova-sonic-v1:0")
            )
            answers: list[Any] = []

            async def read() -> None:
                _, output_stream = await stream.await_output()
                async for event in output_stream:
                    answers.append(json.loads(event.value.bytes_)["event"])

            async def write() -> None:
                for i in range(5):
                    part = BidirectionalInputPayloadPart(
                        bytes_=json.dumps({"event": {"n": i}}).encode()
                    )
                    await stream.input_stream.send(
                        InvokeModelWithBidirectionalStreamInputChunk(value=part)
                    )
                await stream.input_stream.close()

            await asyncio.wait_for(asyncio.gather(write(), read()), 30)
        return server, answers

    server, answers = asyncio.run(main())
    request = server.requests[0]
    assert request.error is None and request.ended
    assert seen == [{"n": i} for i in range(5)]
    assert answers == [{"textOutput": {"content": f"got {i}"}} for i in range(1, 6)] + [
        {"completionEnd": {}}
    ]
    assert str(request.header(":path")).startswith(
        "/model/amazon.nova-sonic-v1%3A0/invoke-with-bidirectional-stream"
    )
