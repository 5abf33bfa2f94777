"""Case-insensitive access to HTTP response headers, whatever container they come in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Union

#: What the response functions accept as headers: a mapping (``dict``,
#: ``http.client.HTTPMessage``, urllib3's ``HTTPHeaderDict``...) or ``(name, value)`` pairs.
HeadersLike = Union[Mapping[str, str], Iterable[tuple[str, str]]]


def lower_headers(headers: HeadersLike) -> dict[str, str]:
    """Return the headers keyed by lower-cased name; the first of repeated names wins.

    HTTP header names are case-insensitive (RFC 9110, section 5.1), and botocore looks
    up ``x-amzn-errortype`` and friends in lower case too.
    """
    pairs: Iterable[tuple[str, str]]
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    result: dict[str, str] = {}
    for name, value in pairs:
        result.setdefault(str(name).lower(), str(value))
    return result


def media_type(content_type: str | None) -> str | None:
    """The bare, lower-cased media type of a Content-Type value (parameters dropped)."""
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower()
