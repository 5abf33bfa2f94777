"""``eventstream invoke``: call ``InvokeWithResponseStream`` and show the response as it streams.

The request is :func:`eventstream.aws_lambda.build_request`'s, signed by
:func:`eventstream.signing.sign_request` (service ``lambda``, the body signed
whole) with botocore's SigV4 signer, using the credentials and region
botocore finds (environment, ``~/.aws``, instance role), so it needs the
``sigv4`` extra.  It is sent with the standard library's ``http.client``, and
the body is shown exactly as ``eventstream lambda`` shows a capture: the
payload to stdout as each piece arrives, the completion to stderr, the same
exit statuses and ``--json``.  An error reply (a 4xx/5xx with a JSON body)
becomes :func:`eventstream.aws_lambda.error_from_response`'s error, exit 4.
"""

from __future__ import annotations

import argparse
import http.client
import ssl
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from .._errors import EventStreamError
from ..aws_lambda import Request, build_request, error_from_response, response_head
from ..signing import Credentials, sign_request
from ._errors import EXIT_ERROR, EXIT_FUNCTION_ERROR, CliError
from ._input import READ_BLOCK
from ._lambda import json_error, show_response
from ._progress import Progress

#: The longest an error reply's body is read (its JSON is small).
ERROR_BODY_MAX = 1024 * 1024
#: A function may run, and pause between chunks, for up to 15 minutes.
READ_TIMEOUT = 900.0
# The client's ways of saying the connection dropped mid-body.
_TRUNCATION_ERRORS = (http.client.IncompleteRead, ConnectionError)


def _botocore() -> Any:
    try:
        import botocore.session  # type: ignore[import-untyped]
    except ImportError:
        raise CliError(
            "invoke needs botocore to sign the request: pip install 'eventstream-codec[sigv4]'"
        ) from None
    return botocore


def _signed_headers(request: Request, url: str, region: str, session: Any) -> dict[str, str]:
    found = session.get_credentials()
    if found is None:
        raise CliError("no AWS credentials found (environment, ~/.aws, instance role)")
    frozen = found.get_frozen_credentials()
    try:
        credentials = Credentials(frozen.access_key, frozen.secret_key, frozen.token or None)
        signed = sign_request(
            request.method, url, request.headers, credentials, region, "lambda", body=request.body
        )
    except EventStreamError as exc:
        raise CliError(str(exc), EXIT_ERROR) from None
    return signed.headers


def _connection(endpoint: str) -> http.client.HTTPConnection:
    # --endpoint-url was checked when parsed; the default one is built from --region.
    parts = urlsplit(endpoint)
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if not host:
        raise CliError(f"not an endpoint URL: {endpoint!r} (is the region right?)")
    if parts.scheme == "https":
        return http.client.HTTPSConnection(
            host, port, timeout=READ_TIMEOUT, context=ssl.create_default_context()
        )
    return http.client.HTTPConnection(host, port, timeout=READ_TIMEOUT)


def _body(response: http.client.HTTPResponse, counter: list[int]) -> Iterator[bytes]:
    """The response body as it arrives (``read1``: what is there, at most a block)."""
    while True:
        block = response.read1(READ_BLOCK)
        if not block:
            return
        counter[0] += len(block)
        yield block


def _payload(text: str) -> bytes:
    if not text.startswith("@"):
        return text.encode("utf-8")
    try:
        with open(text[1:], "rb") as source:
            return source.read()
    except OSError as exc:
        raise CliError(f"--payload: cannot read {text[1:]}: {exc.strerror}") from None


def run(args: argparse.Namespace) -> int:
    try:
        return _invoke(args)
    except CliError as exc:
        if not args.json:
            raise
        return json_error(exc)


def _invoke(args: argparse.Namespace) -> int:
    """Send the request; show the response (``show_response`` handles errors in the stream)."""
    botocore = _botocore()
    session = botocore.session.get_session()
    region = args.region or session.get_config_variable("region")
    if not region:
        raise CliError("no region: pass --region or configure one for botocore")
    endpoint = (args.endpoint_url or f"https://lambda.{region}.amazonaws.com").rstrip("/")
    try:
        request = build_request(
            args.function,
            _payload(args.payload),
            qualifier=args.qualifier,
            log_type=args.log_type,
        )
    except ValueError as exc:
        raise CliError(str(exc), EXIT_ERROR) from None
    connection = _connection(endpoint)
    headers = _signed_headers(request, endpoint + request.target, region, session)
    # Not signed: the transport's own.  The event stream must come as sent.
    headers["Accept-Encoding"] = "identity"
    try:
        try:
            connection.request(request.method, request.target, body=request.body, headers=headers)
            response = connection.getresponse()
        except OSError as exc:
            raise CliError(f"cannot reach {endpoint}: {exc}") from None
        except http.client.HTTPException as exc:
            # Not an HTTP reply (BadStatusLine, an over-long header line ...).
            raise CliError(
                f"{endpoint} did not answer with HTTP: {type(exc).__name__}: {str(exc).strip()}"
            ) from None
        head = response_head(response.status, response.getheaders())
        if head.is_error:
            body = response.read(ERROR_BODY_MAX)
            error = error_from_response(response.status, response.getheaders(), body)
            raise CliError(f"{type(error).__name__}: {error}", EXIT_FUNCTION_ERROR)
        if not head.has_event_stream:
            raise CliError(
                f"the reply (HTTP {response.status}, Content-Type "
                f"{response.getheader('Content-Type')!r}) is not an event stream"
            )
        received = [0]
        progress = Progress(args.progress, None)
        return show_response(
            _body(response, received),
            progress,
            args,
            lambda: received[0],
            _TRUNCATION_ERRORS,
        )
    finally:
        connection.close()
