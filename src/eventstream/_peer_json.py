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

Worst case: the work of one ``json.loads`` of the text plus one pass over the
containers it built.
"""

from __future__ import annotations

import json
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


def _too_deep(document: Any, max_depth: int) -> bool:
    # Iterative, so a document near the recursion limit cannot overflow here.
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > max_depth:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
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
    if _too_deep(document, max_depth):
        raise PeerJSONError(f"nested more than {max_depth} levels deep")
    return document, end
