"""The bundled captures are exactly what fixtures/make_fixtures.py makes, and hold what
fixtures/README.md says."""

from __future__ import annotations

import importlib.util
from types import ModuleType

import pytest

import eventstream as es

from ..conftest import FIXTURES


def make_fixtures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_fixtures", FIXTURES / "make_fixtures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKERS = {
    "lambda-stream.bin": lambda m: m.lambda_stream(),
    "lambda-error.bin": lambda m: m.lambda_error(),
    "lambda-http-integration.bin": lambda m: m.lambda_http_integration(),
    "lambda-truncated.bin": lambda m: m.lambda_truncated(),
    "lambda-garbage.bin": lambda m: m.lambda_garbage(),
    "lambda-stream.hex": lambda m: m.hex_lines(m.lambda_stream()),
    "lambda-stream.b64": lambda m: m.base64_lines(m.lambda_stream()),
    "lambda-stream.escaped.txt": lambda m: m.escaped(m.lambda_stream()),
}


@pytest.mark.parametrize("name", sorted(MAKERS))
def test_fixture_is_reproducible(name: str) -> None:
    assert (FIXTURES / name).read_bytes() == MAKERS[name](make_fixtures())
    assert f"`{name}`" in (FIXTURES / "README.md").read_text(encoding="utf-8")


def test_fixture_contents() -> None:
    def messages(name: str) -> list[es.Message]:
        decoder = es.Decoder()
        found = decoder.feed((FIXTURES / name).read_bytes())
        decoder.close()
        return found

    assert (
        len(messages("lambda-stream.bin")) == 4
        and len((FIXTURES / "lambda-stream.bin").read_bytes()) == 475
    )
    assert len(messages("lambda-http-integration.bin")) == 5
    assert b"\x00" * 8 in b"".join(m.payload for m in messages("lambda-http-integration.bin"))
    assert b"Sandbox.Timedout" in messages("lambda-error.bin")[-1].payload
    with pytest.raises(es.TruncatedStreamError):
        messages("lambda-truncated.bin")
    with pytest.raises(es.PreludeChecksumError):
        messages("lambda-garbage.bin")
