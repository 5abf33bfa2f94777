"""The client recipes under examples/, each against the loopback server.

Every recipe (httpx sync and async, aiohttp, urllib3, requests, http.client) must:
decode a chunked body sent in random pieces (1-byte pieces and pauses included);
hand a message on before the rest of the body is sent (no buffering); leave the
bytes undecoded even when the response claims a Content-Encoding; turn a connection
dropped inside a message or between two into TruncatedStreamError caused by the
client's own error; stop early without waiting for the body; and, for the asyncio
ones, leave no task behind when cancelled.
"""

from __future__ import annotations

import asyncio
import importlib.util
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

import eventstream as es

from ..loopback import CannedResponse, LoopbackServer, random_pieces
from ..streams import MESSAGES, STREAM, boundaries

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DOCS = ROOT / "docs" / "clients.md"
RECIPES = [
    "httpx_sync",
    "httpx_async",
    "aiohttp_stream",
    "urllib3_stream",
    "requests_stream",
    "http_client_stream",
]
ASYNC_RECIPES = ["httpx_async", "aiohttp_stream"]
EVENT_STREAM = ("Content-Type", "application/vnd.amazon.eventstream")


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"examples_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(params=RECIPES)
def recipe(request: pytest.FixtureRequest) -> ModuleType:
    name: str = request.param
    for package in ("httpx", "aiohttp", "urllib3", "requests"):
        if package in name:
            pytest.importorskip(package, reason="HTTP clients are test peers: '.[test]'")
    return load_example(name)


def is_async(recipe: ModuleType) -> bool:
    return recipe.__name__.removeprefix("examples_") in ASYNC_RECIPES


def consume(
    recipe: ModuleType,
    url: str,
    body: bytes = b"",
    stop_after: int | None = None,
    on_message: Callable[[es.Message], None] = lambda message: None,
) -> list[es.Message]:
    """Run the recipe's ``open_messages`` to the end (or ``stop_after`` messages)."""
    got: list[es.Message] = []
    if not is_async(recipe):
        with recipe.open_messages(url, body, timeout=10.0) as messages:
            for message in messages:
                got.append(message)
                on_message(message)
                if len(got) == stop_after:
                    break
        return got

    async def run() -> None:
        async with recipe.open_messages(url, body, timeout=10.0) as messages:
            async for message in messages:
                got.append(message)
                on_message(message)
                if len(got) == stop_after:
                    break
        assert asyncio.all_tasks() == {asyncio.current_task()}

    asyncio.run(run())
    return got


def held_after_first_message(proceed: threading.Event) -> CannedResponse:
    """The stream, with the server waiting for ``proceed`` after the first message
    (and dropping the connection if it is not set within 5 seconds)."""
    first_end = boundaries(MESSAGES)[1]
    return CannedResponse(
        headers=[EVENT_STREAM],
        pieces=[STREAM[:first_end], STREAM[first_end:]],
        hold=(1, proceed),
        hold_timeout=5.0,
    )


def test_random_pieces_with_pauses_and_no_content_decoding(recipe: ModuleType) -> None:
    # The response claims gzip but carries the raw stream: a client that decoded it
    # would fail; the recipes keep decoding off, so the messages come through.
    pieces = random_pieces(STREAM, random.Random(7), max_size=700)
    assert any(len(piece) == 1 for piece in pieces)
    spec = CannedResponse(
        headers=[EVENT_STREAM, ("Content-Encoding", "gzip")], pieces=pieces, pause=0.003
    )
    with LoopbackServer(spec) as server:
        assert consume(recipe, server.url + "/invoke?x=1", b'{"in": 1}') == MESSAGES
        (request,) = server.requests
    assert (request.method, request.target, request.body) == ("POST", "/invoke?x=1", b'{"in": 1}')
    assert request.header("Accept-Encoding") == "identity"


def test_one_byte_chunks(recipe: ModuleType) -> None:
    data = es.encode(MESSAGES[0]) + es.encode(MESSAGES[3])
    spec = CannedResponse(headers=[EVENT_STREAM], pieces=[bytes([b]) for b in data])
    with LoopbackServer(spec) as server:
        assert consume(recipe, server.url) == [MESSAGES[0], MESSAGES[3]]


def test_messages_are_handed_on_before_the_rest_is_sent(recipe: ModuleType) -> None:
    proceed = threading.Event()
    spec = held_after_first_message(proceed)
    seen_before_release: list[bool] = []

    def release(message: es.Message) -> None:
        seen_before_release.append(not proceed.is_set())
        proceed.set()

    with LoopbackServer(spec) as server:
        # A buffering client would see nothing until the hold times out, and the
        # server then drops the connection: the recipe would raise, not pass.
        assert consume(recipe, server.url, on_message=release) == MESSAGES
    assert seen_before_release[0]


@pytest.mark.parametrize(
    ("cut", "complete", "inside"),
    [
        pytest.param(boundaries(MESSAGES)[2] + 3, 2, True, id="inside-a-prelude"),
        pytest.param(boundaries(MESSAGES)[2] + 1000, 2, True, id="inside-a-payload"),
        pytest.param(boundaries(MESSAGES)[1], 1, False, id="between-messages"),
        pytest.param(0, 0, False, id="before-any-byte"),
    ],
)
def test_dropped_connection_is_truncated_stream_error(
    recipe: ModuleType, cut: int, complete: int, inside: bool
) -> None:
    pieces = random_pieces(STREAM[:cut], random.Random(cut), max_size=300)
    spec = CannedResponse(headers=[EVENT_STREAM], pieces=pieces, drop_after=len(pieces))
    got: list[es.Message] = []
    with LoopbackServer(spec) as server, pytest.raises(es.TruncatedStreamError) as info:
        consume(recipe, server.url, on_message=got.append)
    assert got == MESSAGES[:complete]
    error = info.value
    # Caused by the client's own "body cut short" error, which the recipe names.
    assert isinstance(error.__cause__, recipe.TRUNCATION_ERRORS)
    if inside:
        assert error.message_offset == boundaries(MESSAGES)[complete]
    else:
        assert "between messages" in str(error)
        assert error.offset == cut


def test_early_stop_does_not_wait_for_the_body(recipe: ModuleType) -> None:
    proceed = threading.Event()
    spec = held_after_first_message(proceed)
    try:
        with LoopbackServer(spec) as server:
            started = time.monotonic()
            assert consume(recipe, server.url, stop_after=1) == MESSAGES[:1]
            assert time.monotonic() - started < 3.0
    finally:
        proceed.set()


def test_error_status_is_the_clients_error_not_a_decode(recipe: ModuleType) -> None:
    spec = CannedResponse(
        status=500, headers=[("Content-Type", "application/json")], pieces=[b'{"message":"x"}']
    )
    with LoopbackServer(spec) as server, pytest.raises(Exception) as info:
        consume(recipe, server.url)
    assert not isinstance(info.value, es.EventStreamError)
    assert "500" in str(info.value)


@pytest.mark.parametrize("name", ASYNC_RECIPES)
def test_cancelled_while_waiting_leaves_nothing_running(name: str) -> None:
    pytest.importorskip(name.split("_")[0])
    recipe = load_example(name)
    proceed = threading.Event()
    spec = held_after_first_message(proceed)

    async def run(url: str) -> None:
        got: list[es.Message] = []

        async def consume_all() -> None:
            async with recipe.open_messages(url, timeout=10.0) as messages:
                async for message in messages:
                    got.append(message)

        task = asyncio.ensure_future(consume_all())
        while not got:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.05)
        assert not task.done()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert got == MESSAGES[:1]
        assert asyncio.all_tasks() == {asyncio.current_task()}

    try:
        with LoopbackServer(spec) as server:
            asyncio.run(run(server.url))
    finally:
        proceed.set()


def test_examples_run_as_scripts() -> None:
    """``python examples/NAME.py URL BODY`` prints one line per message."""
    pieces = random_pieces(STREAM, random.Random(11), max_size=400)
    spec = CannedResponse(headers=[EVENT_STREAM], pieces=pieces)
    expected = [repr(message) for message in MESSAGES]
    with LoopbackServer(spec) as server:
        for name in RECIPES:
            result = subprocess.run(
                [sys.executable, str(EXAMPLES / f"{name}.py"), server.url + "/s", "body"],
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert result.returncode == 0, (name, result.stderr)
            assert result.stdout.splitlines() == expected, name
        assert [r.body for r in server.requests] == [b"body"] * len(RECIPES)


def test_docs_recipes_are_the_tested_examples() -> None:
    """Each recipe in docs/clients.md is the code of its (tested) example script."""
    text = DOCS.read_text(encoding="utf-8")
    blocks = re.findall(
        r"\[`examples/(\w+)\.py`\]\(\.\./examples/\w+\.py\):\n\n```python\n(.*?)```", text, re.S
    )
    assert sorted(name for name, _ in blocks) == sorted(RECIPES)
    for name, block in blocks:
        source = (EXAMPLES / f"{name}.py").read_text(encoding="utf-8")
        start = block.index("@contextlib")
        assert block[start:] in source, name
        assert set(block[:start].splitlines()) <= set(source.splitlines()), name


def test_docs_adapter_example_runs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    first = re.search(r"```python\n(import io\n.*?)```", text, re.S)
    assert first is not None and "iter_messages_from_file" in first.group(1)
    exec(compile(first.group(1), str(DOCS), "exec"), {})


def test_docs_httpx_snippet_runs(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("httpx")
    text = DOCS.read_text(encoding="utf-8")
    # Marked not run in the docs' sample tests: url and body come from here.
    snippet = re.search(r"-->\n```python\n(import httpx\n.*?)```", text, re.S)
    assert snippet is not None
    spec = CannedResponse(headers=[EVENT_STREAM], pieces=random_pieces(STREAM, random.Random(2)))
    with LoopbackServer(spec) as server:
        namespace = {"url": server.url, "body": b"{}"}
        exec(compile(snippet.group(1), str(DOCS), "exec"), namespace)
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"{m.headers.get(':event-type')} {m.payload!r}" for m in MESSAGES]
