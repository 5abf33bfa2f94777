"""Case-insensitive access to HTTP response headers, whatever container they come in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Union, cast

#: What the response functions accept as headers: a mapping (``dict``,
#: urllib3's ``HTTPHeaderDict``...), anything with ``items()`` such as
#: ``http.client.HTTPMessage``, or ``(name, value)`` pairs.
HeadersLike = Union[Mapping[str, str], Iterable[tuple[str, str]]]


def lower_headers(headers: HeadersLike) -> dict[str, str]:
    """Return the headers keyed by lower-cased name; the first of repeated names wins.

    HTTP header names are case-insensitive (RFC 9110, section 5.1), and botocore looks
    up ``x-amzn-errortype`` and friends in lower case too.
    """
    pairs: Iterable[tuple[str, str]]
    if isinstance(headers, Mapping):
        pairs = headers.items()
    elif callable(getattr(headers, "items", None)):
        # http.client.HTTPMessage (email.message.Message) has items() but is no Mapping,
        # and iterating it would give names only.
        pairs = cast("Mapping[str, str]", headers).items()
    else:
        pairs = headers
    result: dict[str, str] = {}
    for name, value in pairs:
        result.setdefault(str(name).lower(), str(value))
    return result


def media_type(content_type: str | None) -> str | None:
    """The bare, lower-cased media type of a Content-Type value (parameters dropped)."""
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower()
