"""JSON from a peer, parsed so that no input can do worse than a ``ValueError``.

Goal: one parse for every JSON document that arrives from outside (exception
payloads, ``InvokeComplete``, HTTP-integration preludes, error replies, the CLI's
JSON Lines), after which each layer turns :class:`PeerJSONError` into its own error.

What the standard ``json.loads`` lets through and this refuses:

* nesting deep enough to exhaust the stack (``RecursionError``, or a document that
  parses but cannot be written back or printed): at most :data:`MAX_JSON_DEPTH`
  levels of arrays and objects;
* integers of more than :data:`MAX_INT_DIGITS` digits, whose conversion takes time
  quadratic in the digits on Pythons without ``sys.set_int_max_str_digits``;
* ``MemoryError`` while building the document, and bytes that are not UTF-8.

Worst case: one pass over the text to count its nesting, then one ``json.loads``.
"""

from __future__ import annotations

import json
import re
from typing import Any, Union

__all__ = [
    "MAX_INT_DIGITS",
    "MAX_JSON_DEPTH",
    "PeerJSONError",
    "parse_peer_json",
    "parse_peer_json_prefix",
]

#: Levels of nested arrays and objects a peer's document may have: far beyond any real
#: error body or prelude, far below the interpreter's recursion limit.
MAX_JSON_DEPTH = 200

#: Digits of the longest integer accepted (CPython's own default for ``int(str)``).
MAX_INT_DIGITS = 4300

JSONText = Union[str, bytes, bytearray, memoryview]


class PeerJSONError(ValueError):
    """A peer's JSON document could not be parsed; the message says why and where."""


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise PeerJSONError(f"an integer of {len(digits)} digits; at most {MAX_INT_DIGITS}")
    return int(digits)


# A JSON string (escapes included) or one bracket: enough to count nesting without
# parsing, so the depth is known before json's recursive scanner sees the text.
# An unterminated string (a lone backslash at the end included) runs to the end
# of the text: a string token always matches once begun, so the scan never starts
# again at a later quote, which would be quadratic.
_NESTING_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)|[\[\]{}]', re.S)


def _nested_too_deep(text: str, max_depth: int) -> bool:
    """Whether the value at the start of ``text`` opens more than ``max_depth`` levels.

    One linear pass, stopping where the first container closes (what follows is not
    part of the value). The answer is exact for valid JSON; on text that is not JSON
    it may say too deep, which is an error either way."""
    depth = 0
    for token in _NESTING_TOKEN.finditer(text):
        char = text[token.start()]
        if char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
            if depth <= 0:
                return False
    return False


_DECODER = json.JSONDecoder(parse_int=_parse_int)


def parse_peer_json(text: JSONText, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse ``text`` (``str``, or UTF-8 bytes) as JSON; :class:`PeerJSONError` if it is not
    JSON, is nested more than ``max_depth`` levels, or holds an over-long integer."""
    return _parse(text, max_depth, whole=True)[0]


def parse_peer_json_prefix(text: str, max_depth: int = MAX_JSON_DEPTH) -> tuple[Any, int]:
    """Parse the JSON value at the start of ``text``; return it and where it ends
    (``json.JSONDecoder.raw_decode``, guarded like :func:`parse_peer_json`)."""
    return _parse(text, max_depth, whole=False)


def _parse(text: JSONText, max_depth: int, whole: bool) -> tuple[Any, int]:
    try:
        if not isinstance(text, str):
            text = bytes(text).decode("utf-8")
        if text.lstrip()[:1] in ("[", "{") and _nested_too_deep(text, max_depth):
            raise PeerJSONError(f"nested more than {max_depth} levels deep")
        if whole:
            document, end = _DECODER.decode(text), len(text)
        else:
            document, end = _DECODER.raw_decode(text)
    except PeerJSONError:
        raise
    except UnicodeDecodeError as exc:
        raise PeerJSONError(f"not UTF-8 (byte offset {exc.start}: {exc.reason})") from None
    except RecursionError:
        raise PeerJSONError("nested too deeply to parse") from None
    except MemoryError:
        raise PeerJSONError("too large to parse in the memory available") from None
    except ValueError as exc:
        # JSONDecodeError's message names line, column and character offset.
        raise PeerJSONError(str(exc)) from None
    return document, end
