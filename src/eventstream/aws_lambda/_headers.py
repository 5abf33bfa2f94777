"""Case-insensitive access to HTTP response headers, whatever container they come in."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Union, cast

#: What the response functions accept as headers: a mapping (``dict``,
#: urllib3's ``HTTPHeaderDict``...), anything with ``items()`` such as
#: ``http.client.HTTPMessage``, or ``(name, value)`` pairs; names and values may be
#: ``str`` or raw bytes (h11's events, httpx's ``Headers.raw``).
HeaderText = Union[str, bytes, bytearray]
HeadersLike = Union[
    Mapping[str, str], Mapping[bytes, bytes], Iterable[tuple[HeaderText, HeaderText]]
]


def _header_text(value: object) -> str:
    # HTTP/1.1 field bytes are ISO-8859-1 as far as they are text at all (RFC 9110,
    # section 5.5), which also maps every byte to one character, so nothing is lost.
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("latin-1")
    return str(value)


def lower_headers(headers: HeadersLike) -> dict[str, str]:
    """Return the headers keyed by lower-cased name; the first of repeated names wins.

    HTTP header names are case-insensitive (RFC 9110, section 5.1), and botocore looks
    up ``x-amzn-errortype`` and friends in lower case too.
    """
    pairs: Iterable[tuple[object, object]]
    if isinstance(headers, Mapping):
        pairs = headers.items()
    elif callable(getattr(headers, "items", None)):
        # http.client.HTTPMessage (email.message.Message) has items() but is no Mapping,
        # and iterating it would give names only.
        pairs = cast("Mapping[object, object]", headers).items()
    else:
        pairs = headers
    result: dict[str, str] = {}
    for name, value in pairs:
        result.setdefault(_header_text(name).lower(), _header_text(value))
    return result


def media_type(content_type: str | None) -> str | None:
    """The bare, lower-cased media type of a Content-Type value (parameters dropped)."""
    if content_type is None:
        return None
    return content_type.split(";", 1)[0].strip().lower()
