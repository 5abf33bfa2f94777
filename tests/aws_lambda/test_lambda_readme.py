"""The AWS Lambda page's examples (docs/lambda.md): the offline one as written, the
real-endpoint one (marked not run) against a loopback server (host swapped, dummy
credentials)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import eventstream as es
from eventstream.aws_lambda import InvokeComplete, PayloadChunk

from ..loopback import CannedResponse, LoopbackServer
from .lambda_peers import isolated_aws_env

README = Path(__file__).resolve().parents[2] / "README.md"
SECTION = (README.parent / "docs" / "lambda.md").read_text(encoding="utf-8")
OFFLINE = re.findall(r"(?<!-->\n)^```python\n(.*?)^```$", SECTION, re.M | re.S)
ONLINE = re.findall(r"^<!-- not run: .*-->\n```python\n(.*?)^```$", SECTION, re.M | re.S)


def test_real_endpoint_example_against_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(OFFLINE) == 1 and len(ONLINE) == 1
    namespace: dict[str, Any] = {"__name__": "readme"}
    exec(compile(OFFLINE[0], "docs/lambda.md[offline]", "exec"), namespace)
    written = [PayloadChunk(b"streamed "), PayloadChunk(b"reply"), InvokeComplete()]
    body = b"".join(es.encode(e.to_message()) for e in written)
    reply = CannedResponse(
        headers=[("Content-Type", "application/vnd.amazon.eventstream")],
        pieces=[body[:9], body[9:40], body[40:]],
    )
    online = ONLINE[0]
    for old, new in [
        ('host = "lambda.us-east-1.amazonaws.com"', "host = LOOPBACK_HOST"),
        ("HTTPSConnection", "HTTPConnection"),
        ("https://", "http://"),
        ("        ...\n", "        SEEN.append(event)\n"),
    ]:
        assert old in online, old
        online = online.replace(old, new)
    seen: list[object] = []
    with isolated_aws_env(), pytest.MonkeyPatch.context() as mp, LoopbackServer(reply) as server:
        mp.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "secret")
        namespace.update(LOOPBACK_HOST=f"127.0.0.1:{server.port}", SEEN=seen)
        exec(compile(online, "docs/lambda.md[online]", "exec"), namespace)
        (received,) = server.requests
    assert seen == written
    request = namespace["request"]
    assert received.target == request.target
    assert received.body == request.body
    assert received.header("X-Amz-Log-Type") == "Tail"
    authorization = received.header("Authorization") or ""
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
    assert "/us-east-1/lambda/aws4_request" in authorization
