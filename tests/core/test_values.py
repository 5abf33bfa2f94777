"""Header value types: ranges, conversions, equality."""

from __future__ import annotations

import datetime as dt
import pickle
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

import eventstream as es

# Every instant datetime can hold, as aware UTC datetimes.
datetimes = st.datetimes(
    min_value=dt.datetime(1, 1, 1),
    max_value=dt.datetime(9999, 12, 31, 23, 59, 59, 999999),
    timezones=st.just(dt.timezone.utc),
)


@pytest.mark.parametrize(
    ("cls", "bits"), [(es.Byte, 8), (es.Short, 16), (es.Integer, 32), (es.Long, 64)]
)
def test_sized_int_ranges(cls: type[int], bits: int) -> None:
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    assert cls(low) == low and cls(high) == high
    assert type(cls(high)) is cls
    for bad in (low - 1, high + 1):
        with pytest.raises(es.EncodeError, match="out of range"):
            cls(bad)
    with pytest.raises(es.EncodeError, match="takes an int"):
        cls(1.0)  # type: ignore[arg-type]
    with pytest.raises(es.EncodeError):
        cls(True)
    assert repr(cls(5)) == f"{cls.__name__}(5)"
    assert pickle.loads(pickle.dumps(cls(-3))) == cls(-3)
    assert type(pickle.loads(pickle.dumps(cls(-3)))) is cls


def test_plain_int_is_long() -> None:
    m = es.Message({"n": 7})
    assert type(m.headers["n"]) is es.Long
    assert m.headers.wire_type("n") is es.HeaderType.LONG
    with pytest.raises(es.EncodeError, match="out of range"):
        es.Message({"n": 2**63})


def test_timestamp_exact_outside_datetime_range() -> None:
    for millis in (-(2**63), 2**63 - 1, 253402300800000):  # last: year 10000
        ts = es.Timestamp(millis)
        assert ts.millis == millis
        assert es.decode(es.encode(es.Message({"t": ts}))).headers["t"] == ts
        with pytest.raises(OverflowError, match="outside datetime"):
            ts.to_datetime()
    with pytest.raises(es.EncodeError):
        es.Timestamp(2**63)


def test_timestamp_datetime_conversion() -> None:
    when = dt.datetime(2024, 2, 29, 12, 30, 15, 123000, tzinfo=dt.timezone.utc)
    ts = es.Timestamp.from_datetime(when)
    assert ts.millis == 1709209815123
    assert ts.to_datetime() == when
    other_zone = when.astimezone(dt.timezone(dt.timedelta(hours=-7)))
    assert es.Timestamp.from_datetime(other_zone) == ts
    with pytest.raises(es.EncodeError, match="aware"):
        es.Timestamp.from_datetime(dt.datetime(2024, 1, 1))
    # Sub-millisecond precision floors toward the past, on both sides of 1970.
    assert es.Timestamp.from_datetime(when.replace(microsecond=123999)).millis == 1709209815123
    before = dt.datetime(1969, 12, 31, 23, 59, 59, 999500, tzinfo=dt.timezone.utc)
    assert es.Timestamp.from_datetime(before).millis == -1
    # A datetime header value is converted on the way in.
    assert es.Message({"t": when}).headers["t"] == ts


@given(datetimes)
def test_timestamp_round_trips_datetimes_to_the_millisecond(value: dt.datetime) -> None:
    value = value.replace(microsecond=value.microsecond // 1000 * 1000)
    assert es.Timestamp.from_datetime(value).to_datetime() == value


@given(st.integers(-(2**63), 2**63 - 1))
def test_timestamp_is_immutable_and_hashable(millis: int) -> None:
    ts = es.Timestamp(millis)
    with pytest.raises(AttributeError):
        ts.millis = 1  # type: ignore[misc]
    assert hash(ts) == hash(es.Timestamp(millis)) and int(ts) == millis
    assert pickle.loads(pickle.dumps(ts)) == ts


def test_value_normalization() -> None:
    m = es.Message(
        [("a", bytearray(b"x")), ("b", memoryview(b"y")), ("u", uuid.UUID(int=1))],
        payload=bytearray(b"p"),
    )
    assert type(m.headers["a"]) is bytes and type(m.headers["b"]) is bytes
    assert type(m.payload) is bytes
    for bad in (1.5, None, object(), [1]):
        with pytest.raises(es.EncodeError, match="unsupported header value type"):
            es.Message({"x": bad})  # type: ignore[dict-item]


def test_headers_equality_is_typed_and_ordered() -> None:
    a = es.Headers({"x": es.Byte(1), "y": "s"})
    assert a == es.Headers({"x": es.Byte(1), "y": "s"})
    assert a != es.Headers({"x": es.Long(1), "y": "s"})
    assert a != es.Headers([("y", "s"), ("x", es.Byte(1))])
    assert a == {"y": "s", "x": 1}  # plain mapping: plain dict equality
    assert hash(a) == hash(es.Headers({"x": es.Byte(1), "y": "s"}))
    assert list(a) == ["x", "y"] and len(a) == 2 and "x" in a and "z" not in a
    assert pickle.loads(pickle.dumps(a)) == a
    with pytest.raises(es.DuplicateHeaderError):
        es.Headers([("x", 1), ("x", 2)])


def test_message_is_immutable() -> None:
    m = es.Message({"a": "b"}, b"p")
    with pytest.raises(AttributeError):
        m.payload = b"q"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del m.headers
    with pytest.raises(TypeError):
        m.headers["a"] = "c"  # type: ignore[index]
    assert m == es.Message({"a": "b"}, b"p") and hash(m) == hash(es.Message({"a": "b"}, b"p"))
    assert m != es.Message({"a": "b"}, b"q")
    assert pickle.loads(pickle.dumps(m)) == m
