"""A stream command's run: open the input, read frames, keep the progress bar current."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import BinaryIO, Callable

from ._errors import CliError
from ._frames import BadStretch, FrameReader, Item
from ._input import Input, looks_like_text
from ._progress import Progress


class StreamRun:
    """The items of the input named on the command line, with progress on stderr.

    Use as a context manager: the input is closed and the bar erased on the way out.
    ``keep_bytes``: the good messages' bytes are wanted (``inspect``).
    """

    def __init__(self, args: argparse.Namespace, resync: bool, keep_bytes: bool = True) -> None:
        self.out: BinaryIO = sys.stdout.buffer
        self.input = Input(args.file, args.input)
        self.progress = Progress(args.progress, self.input.size)
        self.reader = FrameReader(self.input.blocks(), args.max_message_size, resync, keep_bytes)
        #: With :meth:`blocks`: the messages so far, counted by the command.
        self.messages = 0
        self._messages: Callable[[], int] = lambda: self.reader.messages

    def blocks(self) -> Iterator[bytes]:
        """The input's bytes a block at a time, for a command with its own decoder.

        The command writes what a block gave and counts its messages in
        :attr:`messages`; before the next block is read that output is
        flushed and the bar updated.
        """
        self._messages = lambda: self.messages
        for block in self.input.blocks():
            yield block
            self.flush()
            self.progress.update(self.input.bytes_read, self.messages)

    def batches(self) -> Iterator[list[Item]]:
        """The items, a list per input block; the bar is updated between lists.

        The command writes a list's output and calls :meth:`flush` before the
        next list is read, so a live pipe's messages come out as they arrive.
        """
        for batch in self.reader.batches():
            yield batch
            self.progress.update(self.input.bytes_read, self.reader.messages)

    def __iter__(self) -> Iterator[Item]:
        for batch in self.batches():
            yield from batch

    def stop(self, stretch: BadStretch) -> CliError:
        """The error that stops the command at a bad stretch (without ``--resync``).

        Raw input that is text from its first byte is most likely a dump: say
        which option reads it.
        """
        self.flush()
        text = str(stretch.problem)
        raw = self.input.form == "raw"
        if raw and stretch.start == 0 and looks_like_text(self.input.head):
            text += "; the input looks like a text dump, not raw bytes: try --input auto"
        return CliError(text)

    def flush(self) -> None:
        """Pass what was written on, before the input is read again (it may block)."""
        self.out.flush()

    def __enter__(self) -> StreamRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.progress.finish(self.input.bytes_read, self._messages())
        self.input.close()
