"""Timestamps as the protocols write them, and as boto3 hands them out.

boto3 gives aware ``datetime`` objects; epoch numbers go through
``datetime.fromtimestamp`` as botocore does, so both round a fraction the same
way. We give them in UTC (botocore uses the local zone; aware datetimes compare
by instant, so the two are equal).

Formats (Smithy ``timestampFormat``): ``epoch-seconds`` (botocore's
``unixTimestamp``) a number, ``date-time`` (``iso8601``) RFC 3339, ``http-date``
(``rfc822``) IMF-fixdate.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import re

UTC = _dt.timezone.utc
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=UTC)

_ISO8601 = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt ](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d\d):?(\d\d))?\Z"
)


def from_epoch(value: float) -> _dt.datetime:
    """``value`` seconds since the epoch (raises ValueError/OverflowError/OSError)."""
    try:
        return _dt.datetime.fromtimestamp(value, UTC)
    except (OSError, OverflowError):
        # Outside the platform's range for fromtimestamp: add instead.
        return _EPOCH + _dt.timedelta(seconds=value)


def parse_text(text: str) -> _dt.datetime:
    """An RFC 3339 / ISO 8601 date-time, an HTTP date, or epoch seconds as text."""
    match = _ISO8601.match(text.strip())
    if match:
        year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
        fraction = match.group(7) or ""
        micro = int((fraction + "000000")[:6])
        tz = UTC
        if match.group(9):
            delta = _dt.timedelta(hours=int(match.group(10)), minutes=int(match.group(11)))
            tz = _dt.timezone(delta if match.group(9) == "+" else -delta)
        return _dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    try:
        return from_epoch(float(text))
    except ValueError:
        pass
    parsed = email.utils.parsedate_to_datetime(text)  # raises ValueError/TypeError
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def as_utc(value: _dt.datetime) -> _dt.datetime:
    """An aware UTC datetime (a naive one is taken as UTC, as botocore does)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_epoch(value: _dt.datetime) -> int | float:
    """Seconds since the epoch: an int when whole, else a float to the microsecond."""
    delta = as_utc(value) - _EPOCH
    micros = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    if micros % 1_000_000 == 0:
        return micros // 1_000_000
    return micros / 1_000_000


def to_iso8601(value: _dt.datetime) -> str:
    """RFC 3339 in UTC with a ``Z``; when not whole seconds, the fraction to the
    microsecond with trailing zeros dropped (``.5``, ``.123``, ``.000001``)."""
    value = as_utc(value)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + "Z"


def to_http_date(value: _dt.datetime) -> str:
    """IMF-fixdate (``Tue, 01 Dec 2026 03:00:00 GMT``)."""
    return email.utils.format_datetime(as_utc(value), usegmt=True)
