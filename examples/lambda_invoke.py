"""End to end: invoke a Lambda function with response streaming and print its output
as it arrives.

1. ``eventstream.aws_lambda.build_request`` builds the ``InvokeWithResponseStream``
   request (``POST /2021-11-15/functions/{name}/response-streaming-invocations``);
2. ``eventstream.signing.sign_request`` signs it with botocore's SigV4 (service
   ``lambda``, the body signed whole) with the credentials and region botocore finds
   (environment, ``~/.aws``, instance role, ...);
3. httpx sends it with ``client.stream(...)`` and ``iter_raw()`` (see
   ``httpx_sync.py`` for why), and ``eventstream.adapters.iter_events`` turns the body
   into events: each ``PayloadChunk`` is written to stdout at once, ``InvokeComplete``
   ends the stream (its ``ErrorCode``, if any, is the function's failure).

Needs the ``sigv4`` extra: ``pip install 'eventstream-codec[sigv4]'`` (botocore and httpx).

Run: ``python examples/lambda_invoke.py FUNCTION ['{"json": "payload"}'] [--region R]
[--qualifier Q] [--log] [--endpoint-url URL]``.  Exit status 0 when the function
completed, 1 on any error (an error reply, a failed invocation, a cut stream).
"""

from __future__ import annotations

import argparse
import sys
from typing import BinaryIO, TextIO

import botocore.session
import httpx

from eventstream import EventStreamError
from eventstream.adapters import iter_events
from eventstream.aws_lambda import (
    InvokeComplete,
    LambdaError,
    PayloadChunk,
    Request,
    ResponseStreamDecoder,
    build_request,
    error_from_response,
    response_head,
)
from eventstream.signing import Credentials, sign_request

TRUNCATION_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError)
# A function may run for up to 15 minutes (Lambda's maximum timeout) and may pause
# between chunks for most of it: the read timeout is the longest silence allowed.
TIMEOUT = httpx.Timeout(10.0, read=900.0)


def sign(request: Request, endpoint: str, region: str) -> tuple[str, dict[str, str]]:
    """The URL and the headers (the request's plus SigV4's) to send."""
    found = botocore.session.get_session().get_credentials()
    if found is None:
        raise LambdaError("no AWS credentials found (environment, ~/.aws, instance role)")
    frozen = found.get_frozen_credentials()
    credentials = Credentials(frozen.access_key, frozen.secret_key, frozen.token or None)
    url = endpoint.rstrip("/") + request.target
    signed = sign_request(
        request.method, url, request.headers, credentials, region, "lambda", body=request.body
    )
    return url, signed.headers


def invoke(
    request: Request, endpoint: str, region: str, out: BinaryIO, err: TextIO
) -> InvokeComplete | None:
    """Send the request and copy the function's output to ``out`` as it streams.

    Returns the ``InvokeComplete`` event (``None`` for a ``DryRun``); raises
    ``LambdaError`` for an error reply and ``EventStreamError`` for a bad or cut stream.
    """
    url, headers = sign(request, endpoint, region)
    headers["Accept-Encoding"] = "identity"  # not signed: the transport's own header
    with (
        httpx.Client(timeout=TIMEOUT) as client,
        client.stream(request.method, url, content=request.body, headers=headers) as response,
    ):
        head = response_head(response.status_code, response.headers.multi_items())
        if head.is_error:
            raise error_from_response(
                response.status_code, response.headers.multi_items(), response.read()
            )
        if not head.has_event_stream:
            return None
        decoder = ResponseStreamDecoder()
        chunks = response.iter_raw()
        with iter_events(chunks, decoder=decoder, truncation_errors=TRUNCATION_ERRORS) as events:
            for event in events:
                if isinstance(event, PayloadChunk):
                    out.write(event.payload)
                    out.flush()
                elif not isinstance(event, InvokeComplete):
                    print(f"(skipped an event of type {event.event_type})", file=err)
    # iter_events raises IncompleteStreamError unless InvokeComplete arrived.
    return decoder.complete


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("function", help="function name, partial ARN or ARN")
    parser.add_argument("payload", nargs="?", default="", help="the event, JSON")
    parser.add_argument("--region", help="default: botocore's configured region")
    parser.add_argument("--qualifier", help="version or alias")
    parser.add_argument("--log", action="store_true", help="print the log tail to stderr")
    parser.add_argument("--endpoint-url", help="default: https://lambda.REGION.amazonaws.com")
    args = parser.parse_args(argv)
    region = args.region or botocore.session.get_session().get_config_variable("region")
    if not region:
        parser.error("no region: pass --region or configure one for botocore")
    endpoint = args.endpoint_url or f"https://lambda.{region}.amazonaws.com"
    try:
        request = build_request(
            args.function,
            args.payload,
            qualifier=args.qualifier,
            log_type="Tail" if args.log else None,
        )
        complete = invoke(request, endpoint, region, sys.stdout.buffer, sys.stderr)
    except (LambdaError, EventStreamError, ValueError, httpx.HTTPError) as exc:
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    if complete is None:
        print("dry run: the request would be accepted", file=sys.stderr)
        return 0
    if complete.log_text is not None:
        print(complete.log_text, file=sys.stderr, end="")
    if complete.error_code is not None:
        print(f"function failed: {complete.error_code}: {complete.error_details}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
