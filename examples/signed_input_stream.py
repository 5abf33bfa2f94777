"""Send a signed input stream over an HTTP client that can stream a request body.

The shape of a Transcribe-style audio stream: the request is signed with SigV4 and
``X-Amz-Content-SHA256: STREAMING-AWS4-HMAC-SHA256-EVENTS``; its signature is the
seed of the event chain.  Each ``AudioEvent`` is signed by ``EventSigner`` when the
HTTP client asks for the next piece of the body (never ahead of time, so a long
stream's ``:date`` stays current), and the body ends with the signed empty frame.

The transport is the standard library's ``http.client`` with a generator body and
chunked transfer encoding; any client that takes an iterable body (requests,
urllib3, httpx, aiohttp) is fed the same generator.

Needs botocore to sign the request: ``pip install 'eventstream-codec[sigv4]'``.  The
credentials are read from ``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY`` and
``AWS_SESSION_TOKEN`` for every frame, so credentials that are rotated in the
environment mid-stream are used from the next frame on.

Run: ``python examples/signed_input_stream.py AUDIO_FILE --endpoint-url URL
[--path /stream-transcription] [--region R] [--service S] [--chunk BYTES]``.
Prints the response status and body; exit status 0 for a 2xx answer, else 1.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from eventstream import Message
from eventstream.signing import Credentials, EventSigner, sign_request


def environment_credentials() -> Credentials:
    """The credentials in the environment now (called again for every frame)."""
    return Credentials(
        os.environ["AWS_ACCESS_KEY_ID"],
        os.environ["AWS_SECRET_ACCESS_KEY"],
        os.environ.get("AWS_SESSION_TOKEN") or None,
    )


def audio_events(path: str, chunk: int) -> Iterator[Message]:
    """The file's bytes as AudioEvent messages of at most ``chunk`` bytes each."""
    headers = {
        ":message-type": "event",
        ":event-type": "AudioEvent",
        ":content-type": "application/octet-stream",
    }
    with open(path, "rb") as audio:
        while piece := audio.read(chunk):
            yield Message(headers, piece)


def send(url: str, region: str, service: str, events: Iterable[Message]) -> tuple[int, bytes]:
    """POST the signed stream to ``url``; return the response status and body."""
    parts = urlsplit(url)
    headers = {"Content-Type": "application/vnd.amazon.eventstream"}
    signed = sign_request("POST", url, headers, environment_credentials(), region, service)
    signer = EventSigner(signed.seed, environment_credentials, region, service)
    connection_type = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_type(parts.netloc, timeout=30)
    try:
        connection.request(
            "POST",
            parts.path + (f"?{parts.query}" if parts.query else ""),
            body=signer.body(events),
            headers=signed.headers,
            encode_chunked=True,
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("audio", help="the file whose bytes are sent as AudioEvents")
    parser.add_argument("--endpoint-url", required=True)
    parser.add_argument("--path", default="/stream-transcription")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--service", default="transcribe")
    parser.add_argument("--chunk", type=int, default=8192, help="bytes per AudioEvent")
    args = parser.parse_args(argv)
    url = args.endpoint_url.rstrip("/") + args.path
    status, body = send(url, args.region, args.service, audio_events(args.audio, args.chunk))
    print(status)
    sys.stdout.flush()
    sys.stdout.buffer.write(body + b"\n")
    return 0 if 200 <= status < 300 else 1


if __name__ == "__main__":
    sys.exit(main())
