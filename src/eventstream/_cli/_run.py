"""A stream command's run: open the input, read frames, keep the progress bar current."""

from __future__ import annotations

import argparse
from collections.abc import Iterator

from ._frames import FrameReader, Item
from ._input import Input
from ._progress import Progress


class StreamRun:
    """The items of the input named on the command line, with progress on stderr.

    Use as a context manager: the input is closed and the bar erased on the way out.
    """

    def __init__(self, args: argparse.Namespace, resync: bool) -> None:
        self.input = Input(args.file, args.input)
        self.progress = Progress(args.progress, self.input.size)
        self.reader = FrameReader(self.input.blocks(), args.max_message_size, resync)

    def __iter__(self) -> Iterator[Item]:
        for item in self.reader:
            yield item
            self.progress.update(self.input.bytes_read, self.reader.messages)

    def __enter__(self) -> StreamRun:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.progress.finish(self.input.bytes_read, self.reader.messages)
        self.input.close()
