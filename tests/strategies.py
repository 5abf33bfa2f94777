"""Hypothesis strategies for messages and streams, used by the property tests."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from eventstream import Byte, HeaderValue, Integer, Long, Message, Short, Timestamp

INT64 = (-(2**63), 2**63 - 1)

# codec="utf-8" leaves out lone surrogates, which have no UTF-8 form.
utf8_chars = st.characters(codec="utf-8")

names = st.text(utf8_chars, min_size=1, max_size=60).filter(lambda s: len(s.encode()) <= 255)

long_names = st.integers(1, 255).map(lambda n: "n" * n)

text_values = st.text(utf8_chars, max_size=50)

header_values: st.SearchStrategy[HeaderValue] = st.one_of(
    st.booleans(),
    st.integers(-128, 127).map(Byte),
    st.integers(-(2**15), 2**15 - 1).map(Short),
    st.integers(-(2**31), 2**31 - 1).map(Integer),
    st.integers(*INT64).map(Long),
    st.binary(max_size=64),
    text_values,
    st.integers(*INT64).map(Timestamp),
    st.uuids(),
    st.sampled_from([b"", "", b"\x00" * 32767, "x" * 32767]),
)

header_maps = st.dictionaries(st.one_of(names, long_names), header_values, max_size=8)

messages = st.builds(Message, headers=header_maps, payload=st.binary(max_size=256))

datetimes = st.datetimes(
    min_value=dt.datetime(1, 1, 1),
    max_value=dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    timezones=st.just(dt.timezone.utc),
)


def split_points(data: bytes) -> st.SearchStrategy[list[bytes]]:
    """Any partition of ``data`` into pieces, empty and one-byte pieces included."""
    cuts = st.lists(st.integers(0, len(data)), max_size=20).map(sorted)
    return cuts.map(lambda c: [data[a:b] for a, b in zip([0, *c], [*c, len(data)])])
