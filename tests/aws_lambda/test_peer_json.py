"""The one guarded JSON parse every peer document goes through."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventstream import _peer_json
from eventstream._peer_json import (
    _NESTING_TOKEN,
    MAX_INT_DIGITS,
    MAX_JSON_DEPTH,
    PeerJSONError,
    parse_peer_json,
    parse_peer_json_prefix,
)


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_plain_documents_parse_as_json_loads_does() -> None:
    text = '{"a": [1, -2.5e3, true, null, "\\u00e9"], "b": {}}'
    assert parse_peer_json(text) == json.loads(text)
    assert parse_peer_json(text.encode("utf-8")) == json.loads(text)
    assert parse_peer_json(memoryview(text.encode("utf-8"))) == json.loads(text)


def test_depth_limit_is_exact() -> None:
    assert parse_peer_json(nested(MAX_JSON_DEPTH)) is not None
    with pytest.raises(PeerJSONError, match=f"nested more than {MAX_JSON_DEPTH} levels"):
        parse_peer_json(nested(MAX_JSON_DEPTH + 1))
    assert parse_peer_json(nested(MAX_JSON_DEPTH + 1), MAX_JSON_DEPTH + 1) is not None
    # Objects count as levels too.
    deep_objects = '{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1)
    with pytest.raises(PeerJSONError):
        parse_peer_json(deep_objects)


@pytest.mark.parametrize("text", ["[" * 100_000, nested(100_000), '{"a":' * 50_000])
def test_nesting_past_the_stack_is_a_peer_json_error(text: str) -> None:
    with pytest.raises(PeerJSONError):
        parse_peer_json(text)


def test_integer_digits_are_bounded() -> None:
    assert parse_peer_json("9" * MAX_INT_DIGITS) == int("9" * MAX_INT_DIGITS)
    assert parse_peer_json("-" + "9" * MAX_INT_DIGITS) == -int("9" * MAX_INT_DIGITS)
    with pytest.raises(PeerJSONError, match="digits"):
        parse_peer_json("[" + "9" * (MAX_INT_DIGITS + 1) + "]")


def test_not_utf8_and_not_json() -> None:
    with pytest.raises(PeerJSONError, match="not UTF-8"):
        parse_peer_json(b'"\xff"')
    with pytest.raises(PeerJSONError, match="Expecting value"):
        parse_peer_json("")
    with pytest.raises(PeerJSONError, match="Extra data"):
        parse_peer_json("{} x")


def test_memory_error_becomes_a_peer_json_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Exhausted(json.JSONDecoder):
        def decode(self, s: str, *args: object, **kwargs: object) -> object:
            raise MemoryError

    monkeypatch.setattr(_peer_json, "_DECODER", Exhausted())
    with pytest.raises(PeerJSONError, match="memory"):
        parse_peer_json("[1]")


def test_prefix_parse() -> None:
    assert parse_peer_json_prefix('{"a": 1} tail') == ({"a": 1}, 8)
    with pytest.raises(PeerJSONError):
        parse_peer_json_prefix("[" * 100_000)
    with pytest.raises(PeerJSONError):
        parse_peer_json_prefix(nested(MAX_JSON_DEPTH + 1) + " tail")


@given(st.text(alphabet='"\\ab[]{}\n', max_size=60))
def test_a_string_token_always_matches_once_begun(body: str) -> None:
    # What keeps the nesting scan linear: a token that starts at a quote never
    # fails, so the scan cannot start again at every later quote.
    assert _NESTING_TOKEN.match('"' + body) is not None


def test_unterminated_strings_are_refused_as_json() -> None:
    for text in ('["' + '\\"' * 2000, "[" + '"\\' * 2000, '["abc\\'):
        with pytest.raises(PeerJSONError):
            parse_peer_json(text)
