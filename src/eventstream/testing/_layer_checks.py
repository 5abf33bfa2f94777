"""The fuzz properties of the layers around the codec, as functions for any input.

Each ``check_*`` below takes the pieces of one input and raises ``AssertionError``
saying what broke; any other exception propagating from it is the crash it is:

* the HTTP-integration splitter raises only ``HttpIntegrationError``, the pieces do
  not matter, it loses no body byte, and a prelude it accepted writes back to bytes
  it accepts again;
* ``error_from_response`` never raises, whatever the status, headers (``str`` or raw
  bytes) and body, and its result survives pickling;
* a header dict (every accepted value type, and some that are not) either builds and
  encodes to a message that decodes to the same headers, or raises ``EncodeError``;
  a dict and the same pairs in a list agree;
* the CLI's input forms (hex, base64, escaped, auto) raise only ``CliError``, the
  pieces do not matter, they never give more bytes than they read, and what a
  reference writer wrote in a form reads back as the bytes it wrote;
* the CLI's ``--resync`` reader tiles the stream exactly with good messages and bad
  stretches, holds at most one message plus one read block, and without resync agrees
  with the codec.
"""

from __future__ import annotations

import base64
import pickle
from collections.abc import Sequence
from typing import Any

from .._decoder import Decoder
from .._errors import EncodeError, EventStreamError
from .._format import PRELUDE_LENGTH, decode, encode
from .._headers import Headers, HeadersIn
from .._message import Message
from .._values import normalize_value
from ..aws_lambda import (
    HttpIntegrationError,
    HttpIntegrationPrelude,
    HttpIntegrationSplitter,
    LambdaError,
    error_from_response,
)
from ..aws_lambda._headers import HeadersLike
from ._check import _pieces

__all__ = [
    "check_cli_input",
    "check_error_response",
    "check_header_dict",
    "check_http_integration",
    "check_resync",
]

DELIMITER = b"\x00" * 8


# --- HTTP-integration splitter ------------------------------------------------------


def _split(
    payload: bytes, cuts: Sequence[int], max_prelude_size: int
) -> tuple[HttpIntegrationPrelude | None, bytes, HttpIntegrationError | None]:
    splitter = HttpIntegrationSplitter(max_prelude_size)
    body = bytearray()
    try:
        for piece in _pieces(payload, cuts):
            body += splitter.feed(piece)
        splitter.close()
    except HttpIntegrationError as exc:
        error = exc
    else:
        return splitter.prelude, bytes(body), None
    # Failed for good: every later call raises the same error.
    for call in (lambda: splitter.feed(b"x"), splitter.close):
        try:
            call()
        except HttpIntegrationError as again:
            assert again is error, "a failed splitter raised another error"
        else:
            raise AssertionError("a failed splitter accepted more")
    return None, b"", error


def check_http_integration(payload: bytes, cuts: Sequence[int], max_prelude_size: int) -> None:
    """Check :class:`~eventstream.aws_lambda.HttpIntegrationSplitter` on ``payload``."""
    prelude, body, error = _split(payload, cuts, max_prelude_size)
    whole_prelude, whole_body, whole_error = _split(payload, (), max_prelude_size)
    assert (error is None) == (whole_error is None), (
        f"pieces changed the outcome: {error!r} vs {whole_error!r}"
    )
    if error is not None:
        assert str(error) == str(whole_error), "pieces changed the error"
        return
    assert prelude is not None and whole_prelude is not None
    assert prelude.to_bytes() == whole_prelude.to_bytes(), "pieces changed the prelude"
    end = payload.find(DELIMITER)
    assert 0 <= end <= max_prelude_size, "a prelude was accepted without its delimiter"
    assert body == whole_body == payload[end + len(DELIMITER) :], "the splitter lost body bytes"
    written = prelude.to_bytes()
    again, rest, again_error = _split(written, (), max(max_prelude_size, len(written)))
    assert again_error is None and rest == b"", f"a prelude does not read back: {again_error!r}"
    assert again is not None and again.to_bytes() == written, "a prelude changed on writing"


# --- error_from_response ------------------------------------------------------------


def check_error_response(
    status: int, headers: HeadersLike, body: bytes | bytearray | memoryview | str | None
) -> LambdaError:
    """Check that :func:`~eventstream.aws_lambda.error_from_response` builds an error
    for these and survives pickling; return it."""
    error = error_from_response(status, headers, body)
    assert isinstance(error, LambdaError), f"error_from_response returned {error!r}"
    assert error.status == status, "the status changed"
    assert isinstance(error.code, str) and error.code, "no error code"
    assert isinstance(error.message, str), "the message is not text"
    if type(error) is not LambdaError:
        assert error.code == type(error).__name__, "a modeled error with another code"
    assert str(error).startswith(f"{error.code} (HTTP {status})")
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), copy.code, copy.message, copy.status, copy.headers) == (
        type(error),
        error.code,
        error.message,
        error.status,
        error.headers,
    ), "pickling changed the error"
    return error


# --- header dicts -------------------------------------------------------------------


def _encode_message(headers: HeadersIn, payload: bytes) -> bytes | None:
    try:
        return encode(Message(headers, payload))
    except EncodeError:
        return None


def check_header_dict(pairs: Sequence[tuple[Any, Any]], payload: bytes = b"") -> None:
    """Check that headers built from ``pairs`` (as a dict, and as the pairs themselves)
    encode to a message that decodes to them, or raise :class:`EncodeError`."""
    as_dict = dict(pairs)
    from_dict = _encode_message(as_dict, payload)
    from_pairs = _encode_message(list(as_dict.items()), payload)
    # A dict goes through the shared-headers cache, pairs do not: same bytes either way.
    assert from_dict == from_pairs, "a dict and its pairs encode differently"
    if from_dict is None:
        return
    decoded = decode(from_dict)
    assert decoded.payload == payload
    expected = [(name, normalize_value(value)) for name, value in as_dict.items()]
    got = list(decoded.headers.items())
    assert got == expected, "headers changed on the wire"
    assert decoded.headers == Headers(expected), "wire types changed on the wire"
    with_duplicates = [*as_dict.items(), *as_dict.items()]
    if with_duplicates:
        try:
            Headers(with_duplicates)
        except EventStreamError:
            pass
        else:
            raise AssertionError("duplicate header names were accepted")


# --- the CLI's input forms ----------------------------------------------------------


def _read_form(form: str, pieces: Sequence[bytes]) -> bytes | str:
    """The bytes a form gives for the text in ``pieces``, or the CliError's text."""
    from .._cli._errors import CliError
    from .._cli._input import AUTO_SAMPLE, detect_form, make_form

    try:
        if form == "auto":
            form = detect_form(b"".join(pieces)[:AUTO_SAMPLE])
        decoder = make_form(form)
        out = bytearray()
        for piece in pieces:
            out += decoder.feed(piece)
        out += decoder.close()
    except CliError as exc:
        return str(exc)
    return bytes(out)


def check_cli_input(form: str, text: bytes, cuts: Sequence[int]) -> bytes | None:
    """Check the CLI's ``--input`` ``form`` on ``text`` fed in pieces; return the bytes
    read, or ``None`` if the form refused the text."""
    result = _read_form(form, _pieces(text, cuts))
    whole = _read_form(form, [text])
    assert isinstance(result, str) == isinstance(whole, str), (
        f"pieces changed the outcome: {result!r} vs {whole!r}"
    )
    if isinstance(result, str):
        return None
    assert result == whole, "pieces changed the bytes read"
    assert len(result) <= len(text), "more bytes out than text in"
    return result


def write_form(form: str, data: bytes, variant: int) -> bytes:
    """``data`` written in an ``--input`` form the way tools print bytes (``variant``
    picks the layout), for :func:`check_cli_input` to read back."""
    if form == "hex":
        text = data.hex().upper() if variant & 1 else data.hex()
        width = 32 if variant & 2 else 64
        return "\n".join(text[i : i + width] for i in range(0, len(text), width)).encode()
    if form == "base64":
        encoded = base64.urlsafe_b64encode(data) if variant & 1 else base64.b64encode(data)
        if variant & 2:
            encoded = encoded.rstrip(b"=")
        return b"\n".join(encoded[i : i + 76] for i in range(0, len(encoded), 76))
    if form == "escaped":
        # Python's repr of bytes: b'...' or b"...", one literal per line.
        width = (len(data) or 1) if variant & 1 else 48
        lines = [repr(data[i : i + width]) for i in range(0, len(data), width)]
        return "\n".join(lines).encode("ascii")
    raise ValueError(f"no writer for form {form!r}")


# --- the CLI's --resync reader ------------------------------------------------------


def check_resync(stream: bytes, cuts: Sequence[int], max_message_size: int) -> None:
    """Check the CLI's frame reader on ``stream`` read in the blocks ``cuts`` make."""
    from .._cli._frames import BadStretch, FrameReader

    blocks = _pieces(stream, cuts)
    largest = max((len(b) for b in blocks), default=0)
    reader = FrameReader(iter(blocks), max_message_size, resync=True)
    position = 0
    goods = []
    for item in reader:
        if isinstance(item, BadStretch):
            assert item.start == position, f"a gap or overlap at {position}"
            assert item.end > item.start, "an empty bad stretch"
            assert isinstance(item.problem.error, EventStreamError)
            assert stream[item.start : item.start + len(item.data)] == item.data
            position = item.end
            continue
        frame = item.frame
        assert frame.offset == position, f"a gap or overlap at {position}"
        assert item.data == stream[position : position + frame.total_length]
        assert decode(item.data) == frame.message, "a good message decodes otherwise"
        goods.append(frame.message)
        position += frame.total_length
    assert position == len(stream), f"the items end at {position} of {len(stream)} bytes"
    # The reader's documented bound: one message (or a prelude) plus one read block.
    bound = max(max_message_size, PRELUDE_LENGTH) + largest
    assert reader.peak_window <= bound, f"the window grew to {reader.peak_window} > {bound}"

    # Without resync: the codec's messages, then the codec's verdict.
    plain = list(FrameReader(iter(blocks), max_message_size, resync=False))
    decoder = Decoder(max_message_size)
    codec_messages: list[Message] = []
    codec_failed = False
    try:
        # Messages completed before an error come out; the error with the next call.
        codec_messages += decoder.feed(stream)
        decoder.close()
    except EventStreamError:
        codec_failed = True
    plain_goods = [item.frame.message for item in plain if not isinstance(item, BadStretch)]
    plain_bad = [item for item in plain if isinstance(item, BadStretch)]
    assert plain_goods == codec_messages, "the reader and the codec decode different messages"
    assert plain_goods == goods[: len(plain_goods)], "resync changed the messages before it"
    assert len(plain_bad) == int(codec_failed), "the reader and the codec disagree"
    if plain_bad:
        assert plain[-1] is plain_bad[0], "items after a bad stretch without resync"
