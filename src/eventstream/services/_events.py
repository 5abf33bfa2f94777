"""The events a service stream decodes to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .._message import Message


@dataclass(frozen=True)
class Event:
    """One modeled event: ``name`` (the ``:event-type``), ``members`` (what boto3 gives
    under that name: blobs as bytes, timestamps as aware datetimes), ``message`` (the
    raw message) and ``offset`` (its stream offset, ``None`` when not decoded from a
    stream)."""

    name: str
    members: dict[str, Any]
    message: Message = field(repr=False)
    offset: int | None = None

    def as_boto3(self) -> dict[str, Any]:
        """What boto3's event stream yields for this message: ``{name: members}``."""
        return {self.name: dict(self.members)}


@dataclass(frozen=True)
class UnknownEvent(Event):
    """An event the model does not name (a newer service, a newer event): kept whole in
    ``message``; ``members`` is empty. boto3 drops such events; ``as_boto3()`` gives
    ``{}``, which is what botocore's parser makes of it before dropping it."""

    def as_boto3(self) -> dict[str, Any]:
        return {}
