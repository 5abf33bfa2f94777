"""Command-line conventions: exit statuses, sizes with units, empty input, ``lambda --json``."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import threading

import pytest

import eventstream as es
from eventstream.aws_lambda import InvokeComplete, PayloadChunk

from .cli_run import fixture, run


@pytest.mark.parametrize("command", ["decode", "inspect", "lambda"])
def test_broken_pipe_exits_141_quietly(command: str) -> None:
    events = [PayloadChunk(b"x" * 1000)] * 2000 + [InvokeComplete()]
    data = b"".join(es.encode(e.to_message()) for e in events)
    process = subprocess.Popen(
        [sys.executable, "-m", "eventstream", command],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stdin is not None
    stdin = process.stdin

    def feed() -> None:
        with contextlib.suppress(BrokenPipeError):
            stdin.write(data)
            stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    try:
        process.stdout.read(10)
        process.stdout.close()  # the reader goes away, as `| head -c 10` does
        assert process.wait(timeout=60) == 141
    finally:
        process.kill()
        writer.join()
    assert process.stderr is not None and process.stderr.read() == b""


@pytest.mark.parametrize(
    ("size", "accepted"),
    [("127", True), ("126", False), ("0x7f", True), ("1KiB", True), ("1 KiB", True),
     ("64MiB", True), ("1kB", True), ("4GiB", False), ("16", False)],
)  # fmt: skip
def test_max_message_size_takes_units(size: str, accepted: bool) -> None:
    # The fixture's largest message is 127 bytes.
    result = run("decode", "--max-message-size", size, fixture("lambda-stream.bin"))
    assert result.returncode == (0 if accepted else 1 if size in ("126", "16") else 2)


@pytest.mark.parametrize("size", ["12XB", "MiB", "1.5MiB", "-1"])
def test_max_message_size_refuses_what_is_not_a_size(size: str) -> None:
    result = run("decode", "--max-message-size", size)
    assert result.returncode == 2
    assert b"64MiB" in result.stderr or b"must be" in result.stderr


def test_inspect_says_0_messages_on_empty_input() -> None:
    result = run("inspect", stdin=b"")
    assert result.returncode == 0
    assert result.stdout == b"0 messages\n"


def test_each_help_lists_only_its_own_exit_statuses() -> None:
    def statuses(command: str) -> list[str]:
        text = run(command, "--help").stdout.decode()
        block = text.split("exit status:")[1]
        return [line.split()[0] for line in block.strip().splitlines()]

    assert statuses("encode") == ["0", "1", "2", "141"]
    # 4: decode --service on a modeled exception.
    assert statuses("decode") == ["0", "1", "2", "3", "4", "141"]
    assert statuses("inspect") == ["0", "1", "2", "3", "141"]
    assert statuses("lambda") == ["0", "1", "2", "4", "141"]


def _json_report(result: subprocess.CompletedProcess[bytes]) -> dict[str, object]:
    (line,) = result.stderr.decode().splitlines()
    report = json.loads(line)
    assert isinstance(report, dict)
    assert report["exit_status"] == result.returncode
    return report


def test_lambda_json_success_and_function_error() -> None:
    ok = run("lambda", "--json", fixture("lambda-stream.bin"))
    assert ok.stdout == b'{"token": "Hello"}\n{"token": ", world"}\n{"token": "!"}\n'
    report = _json_report(ok)
    assert report["status"] == "success"
    assert (report["chunks"], report["payload_bytes"], report["error_code"]) == (3, 55, None)

    failed = run("lambda", "--json", fixture("lambda-error.bin"))
    report = _json_report(failed)
    assert (report["status"], report["exit_status"]) == ("function_error", 4)
    assert report["error_code"] == "Sandbox.Timedout"
    assert str(report["log_text"]).startswith("START RequestId")


def test_lambda_json_errors_are_one_object_too() -> None:
    cut = _json_report(run("lambda", "--json", fixture("lambda-truncated.bin")))
    assert cut["status"] == "error" and cut["exit_status"] == 1
    assert "stream ended without InvokeComplete" in str(cut["error"])
    bad_dump = _json_report(run("lambda", "--json", "--input", "hex", stdin=b"zz"))
    assert bad_dump["status"] == "error" and "--input hex" in str(bad_dump["error"])
    missing = _json_report(run("lambda", "--json", "/nonexistent/capture.bin"))
    assert missing["status"] == "error" and "cannot open" in str(missing["error"])


def test_lambda_json_shows_the_http_integration_prelude() -> None:
    report = _json_report(run("lambda", "--json", fixture("lambda-http-integration.bin")))
    prelude = report["http_integration"]
    assert isinstance(prelude, dict)
    assert prelude["cookies"] == ["session=abc123; Secure"]
