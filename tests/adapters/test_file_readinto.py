"""The file adapters check what the caller's file gives them: a binary file, and
``readinto`` counts that make sense."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest

import eventstream as es
from eventstream.adapters import (
    aiter_messages_from_reader,
    iter_events_from_file,
    iter_messages_from_file,
)

from ..streams import MESSAGES, STREAM


class LyingFile:
    """A file whose ``readinto`` copies real bytes but reports ``count``."""

    def __init__(self, count: Any) -> None:
        self._count = count
        self._data = io.BytesIO(STREAM)

    def readinto(self, buffer: memoryview) -> Any:
        self._data.readinto(buffer)
        return self._count


@pytest.mark.parametrize("count", [-1, -65536, 65537, 10**12])
def test_readinto_count_outside_the_buffer_is_refused(count: int) -> None:
    with pytest.raises(OSError, match=f"readinto\\(\\) returned {count}, outside"):
        list(iter_messages_from_file(LyingFile(count), read_size=65536))


@pytest.mark.parametrize("count", [1.0, "12", True, b"1"])
def test_readinto_count_that_is_no_int_is_refused(count: object) -> None:
    with pytest.raises(TypeError, match="readinto\\(\\) returned a"):
        list(iter_messages_from_file(LyingFile(count)))


def test_readinto_none_means_non_blocking() -> None:
    with pytest.raises(BlockingIOError, match="blocking file"):
        list(iter_messages_from_file(LyingFile(None)))


def test_an_oserror_truncation_class_does_not_swallow_a_bad_count() -> None:
    # The check is the adapter's, not a read error of the source.
    with pytest.raises(OSError, match="outside"):
        list(iter_messages_from_file(LyingFile(-1), truncation_errors=(OSError,)))


def test_a_count_at_the_buffer_size_is_fine() -> None:
    assert list(iter_messages_from_file(io.BytesIO(STREAM), read_size=len(STREAM))) == MESSAGES


def test_text_mode_file_is_refused_at_the_call(tmp_path: Path) -> None:
    path = tmp_path / "stream.txt"
    path.write_bytes(b"")
    with path.open() as text_file:
        with pytest.raises(TypeError, match=r"expected a binary file .*got a text-mode file"):
            iter_messages_from_file(text_file)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="text-mode file"):
            iter_events_from_file(text_file)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"got a text-mode file"):
        iter_messages_from_file(io.StringIO("x"))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"expected a binary file .*got list"):
        iter_messages_from_file([b"x"])  # type: ignore[arg-type]


def test_async_reader_giving_text_is_refused_clearly() -> None:
    class TextReader:
        async def read(self, n: int = -1) -> Any:
            return "text"

    async def drain() -> list[es.Message]:
        return [m async for m in aiter_messages_from_reader(TextReader())]

    with pytest.raises(TypeError, match="expected bytes-like chunks"):
        asyncio.run(drain())
