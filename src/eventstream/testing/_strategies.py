"""Hypothesis strategies for event-stream values, messages and streams.

Edges are drawn on purpose, not left to chance: empty values, 255-byte
names, 32,767-byte values (the most the encoder writes), int64 extremes,
timestamps outside what ``datetime`` can hold, non-ASCII names.
"""

from __future__ import annotations

import base64
import random
from collections.abc import Sequence
from typing import NamedTuple

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised without hypothesis installed
    raise ImportError(
        "eventstream.testing's hypothesis strategies need hypothesis: "
        "pip install 'eventstream-codec[testing]'"
    ) from exc

from .._format import encode
from .._headers import MAX_NAME_BYTES, MAX_VALUE_BYTES, Headers
from .._message import Message
from .._values import Byte, HeaderType, HeaderValue, Integer, Long, Short, Timestamp
from ..aws_lambda import HttpIntegrationPrelude, InvokeComplete
from ._corruptions import Corruption, corrupt
from ._lambda_streams import SAMPLE_ERROR_CODES, LambdaStream, build_lambda_stream
from ._mutators import MUTATION_KINDS, Mutation, mutate

# Public names: the package re-exports them (eventstream.testing._STRATEGY_NAMES).

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
# Milliseconds one before 0001-01-01T00:00:00Z and at 10000-01-01T00:00:00Z:
# the nearest instants datetime cannot hold.
_BEFORE_YEAR_1 = -62_135_596_800_001
_YEAR_10000 = 253_402_300_800_000

# codec="utf-8" leaves out lone surrogates, which have no UTF-8 form.
_UTF8_CHARS = st.characters(codec="utf-8")


def header_names() -> st.SearchStrategy[str]:
    """Valid header names: 1..255 bytes of UTF-8, non-ASCII and maximal ones included."""
    return st.one_of(
        st.text(_UTF8_CHARS, min_size=1, max_size=60).filter(
            lambda s: len(s.encode("utf-8")) <= MAX_NAME_BYTES
        ),
        st.integers(1, MAX_NAME_BYTES).map(lambda n: "n" * n),
        # 255 bytes made of 2-, 3- and 4-byte characters.
        st.sampled_from(["\u00e9" * 127 + "n", "\u65e5" * 85, "\U0001f600" * 63 + "abc"]),
    )


def _sized_ints(
    cls: type[Byte | Short | Integer | Long], bits: int
) -> st.SearchStrategy[HeaderValue]:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return st.one_of(st.integers(low, high), st.sampled_from([low, high, 0, -1])).map(cls)


def _value_strategies() -> dict[HeaderType, st.SearchStrategy[HeaderValue]]:
    biggest = "\u00e9" * (MAX_VALUE_BYTES // 2) + "x"  # 32,767 bytes, 2-byte characters
    return {
        HeaderType.BOOL_TRUE: st.just(True),
        HeaderType.BOOL_FALSE: st.just(False),
        HeaderType.BYTE: _sized_ints(Byte, 8),
        HeaderType.SHORT: _sized_ints(Short, 16),
        HeaderType.INTEGER: _sized_ints(Integer, 32),
        HeaderType.LONG: _sized_ints(Long, 64),
        HeaderType.BYTE_ARRAY: st.one_of(
            st.binary(max_size=64), st.sampled_from([b"", b"\x00" * MAX_VALUE_BYTES])
        ),
        HeaderType.STRING: st.one_of(
            st.text(_UTF8_CHARS, max_size=50),
            st.sampled_from(["", "x" * MAX_VALUE_BYTES, biggest]),
        ),
        HeaderType.TIMESTAMP: st.one_of(
            st.integers(_INT64_MIN, _INT64_MAX),
            st.sampled_from([_INT64_MIN, _INT64_MAX, 0, -1, _BEFORE_YEAR_1, _YEAR_10000]),
        ).map(Timestamp),
        HeaderType.UUID: st.uuids(),
    }


def header_values(wire_type: HeaderType | None = None) -> st.SearchStrategy[HeaderValue]:
    """Values of one wire type (``HeaderType``), or of any type by default,
    as the decoder returns them (``Byte``... ``Long``, ``Timestamp``, ...)."""
    by_type = _value_strategies()
    if wire_type is not None:
        return by_type[HeaderType(wire_type)]
    return st.one_of(*by_type.values())


def headers(max_size: int = 8) -> st.SearchStrategy[Headers]:
    """Header blocks of up to ``max_size`` headers, in any order, with distinct names."""
    return st.dictionaries(header_names(), header_values(), max_size=max_size).map(Headers)


def messages(max_headers: int = 8, max_payload: int = 256) -> st.SearchStrategy[Message]:
    """Encodable messages."""
    return st.builds(Message, headers(max_headers), st.binary(max_size=max_payload))


class Stream(NamedTuple):
    """Messages and the bytes of the stream that sends them in order."""

    messages: tuple[Message, ...]
    data: bytes


def _stream_of(batch: Sequence[Message]) -> Stream:
    return Stream(tuple(batch), b"".join(encode(m) for m in batch))


def streams(
    max_messages: int = 6, max_headers: int = 4, max_payload: int = 256
) -> st.SearchStrategy[Stream]:
    """Whole streams (possibly empty) of encodable messages."""
    return st.lists(messages(max_headers, max_payload), max_size=max_messages).map(_stream_of)


def splits(data: bytes, max_pieces: int = 20) -> st.SearchStrategy[list[bytes]]:
    """Ways to cut ``data`` into pieces that join back to it (empty and 1-byte pieces included)."""
    cuts = st.lists(st.integers(0, len(data)), max_size=max_pieces - 1).map(sorted)
    return cuts.map(lambda c: [data[a:b] for a, b in zip([0, *c], [*c, len(data)])])


def _randoms() -> st.SearchStrategy[random.Random]:
    return st.randoms(use_true_random=False)


def mutations(
    kinds: Sequence[str] = MUTATION_KINDS, max_headers: int = 4
) -> st.SearchStrategy[Mutation]:
    """Malformed frames with valid CRCs (see :func:`eventstream.testing.mutate`), of ``kinds``."""
    return st.builds(
        mutate, messages(max_headers, max_payload=64), _randoms(), st.sampled_from(list(kinds))
    )


def corruptions(max_messages: int = 4) -> st.SearchStrategy[Corruption]:
    """Damaged copies of non-empty valid streams (see :func:`eventstream.testing.corrupt`)."""
    data = streams(max_messages, max_headers=4, max_payload=64).map(lambda s: s.data)
    return st.builds(corrupt, data.filter(bool), _randoms())


def _completions() -> st.SearchStrategy[InvokeComplete]:
    log = st.binary(max_size=256).map(lambda b: base64.b64encode(b).decode("ascii"))
    return st.one_of(
        st.builds(InvokeComplete, log_result=st.none() | log),
        st.builds(
            InvokeComplete,
            error_code=st.sampled_from(SAMPLE_ERROR_CODES),
            error_details=st.text(max_size=40),
            log_result=st.none() | log,
        ),
    )


def _http_preludes() -> st.SearchStrategy[HttpIntegrationPrelude]:
    return st.builds(
        HttpIntegrationPrelude,
        status_code=st.integers(100, 599),
        headers=st.dictionaries(
            st.sampled_from(["content-type", "x-a", "cache-control"]), st.text(max_size=20)
        ),
        cookies=st.lists(st.text(max_size=20), max_size=2),
    )


def lambda_streams(max_body: int = 4096) -> st.SearchStrategy[LambdaStream]:
    """Lambda response streams (see :func:`eventstream.testing.build_lambda_stream`):
    any body, chunking and completion, with or without an HTTP-integration prelude."""
    return st.builds(
        build_lambda_stream,
        body=st.binary(max_size=max_body),
        chunk_sizes=st.lists(st.one_of(st.integers(1, 16), st.integers(1, 4096)), max_size=30),
        complete=_completions(),
        http_prelude=st.none() | _http_preludes(),
    )
