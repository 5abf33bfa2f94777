"""Nothing from the stream reaches a terminal as a control character (ESC, CSI, C0, C1)."""

from __future__ import annotations

import base64

import eventstream as es
from eventstream.aws_lambda import InvokeComplete, PayloadChunk, encode_http_integration_prelude

from .cli_run import run

# ESC [ 2 J (clear the screen), the 8-bit CSI, a bell, a carriage return, DEL.
HOSTILE = "\x1b[2J\x9b31m\x07\r\x7f"


def assert_inert(output: bytes) -> None:
    text = output.decode("utf-8")
    for char in "\x1b\x9b\x07\r\x7f":
        assert char not in text, (char, text)


def test_inspect_escapes_header_names_and_values() -> None:
    message = es.Message({f"name{HOSTILE}": f"value{HOSTILE}"}, f"payload{HOSTILE}".encode())
    for args in (["inspect"], ["inspect", "--hex"]):
        result = run(*args, stdin=es.encode(message))
        assert result.returncode == 0, result.stderr
        assert_inert(result.stdout)
        assert "name\\x1b[2J\\x9b31m" in result.stdout.decode()


def test_decode_json_escapes_c1_and_del() -> None:
    message = es.Message({f"n{HOSTILE}": f"v{HOSTILE}"}, f"p{HOSTILE}".encode())
    result = run("decode", stdin=es.encode(message))
    assert result.returncode == 0
    assert_inert(result.stdout)
    assert "\\u009b" in result.stdout.decode()


def _lambda_body(*events: PayloadChunk | InvokeComplete) -> bytes:
    return b"".join(es.encode(event.to_message()) for event in events)


def test_lambda_escapes_completion_fields_and_log_tail() -> None:
    complete = InvokeComplete(
        error_code=f"Code{HOSTILE}",
        error_details=f"details{HOSTILE}\nsecond line",
        log_result=base64.b64encode(f"log line{HOSTILE}\nnext".encode()).decode(),
    )
    result = run("lambda", stdin=_lambda_body(PayloadChunk(b"x"), complete))
    assert result.returncode == 4
    assert_inert(result.stderr)
    text = result.stderr.decode()
    assert "details\\x1b[2J\\x9b31m\\x07\\x0d\\x7f\\x0asecond line" in text
    assert "log line\\x1b[2J" in text and "\nnext" in text  # the log keeps its lines


def test_lambda_escapes_the_http_integration_prelude() -> None:
    prelude = encode_http_integration_prelude(
        status_code=200,
        headers={f"x-h{HOSTILE}": f"v{HOSTILE}"},
        cookies=[f"c=1{HOSTILE}"],
    )
    result = run("lambda", stdin=_lambda_body(PayloadChunk(prelude + b"body"), InvokeComplete()))
    assert result.returncode == 0, result.stderr
    assert result.stdout == b"body"
    assert_inert(result.stderr)
    assert "set-cookie: c=1\\x1b[2J" in result.stderr.decode()


def test_lambda_escapes_an_exception_message() -> None:
    error = es.Message(
        {
            ":message-type": "exception",
            ":exception-type": f"Boom{HOSTILE}",
            ":content-type": "application/json",
        },
        ('{"message": "bad' + HOSTILE.replace("\x1b", "\\u001b") + '"}').encode(),
    )
    result = run("lambda", stdin=es.encode(error))
    assert result.returncode == 4
    assert_inert(result.stderr)
    assert "Boom\\x1b[2J" in result.stderr.decode()
