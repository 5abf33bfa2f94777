"""What stops a command: exit statuses, and stream errors told with stream offsets."""

from __future__ import annotations

from .. import EventStreamError

#: Exit statuses, the same for every command.
EXIT_OK = 0
#: The input could not be read: a bad stream, a bad dump, a missing file.
EXIT_ERROR = 1
#: Bad command-line usage (argparse's own status).
EXIT_USAGE = 2
#: ``--resync`` skipped bytes but the command went on to the end.
EXIT_SKIPPED = 3
#: ``lambda``: the function or the service reported an error in the stream.
EXIT_FUNCTION_ERROR = 4
#: stdout's reader went away: what a shell shows for a tool SIGPIPE ended (128 + 13).
EXIT_BROKEN_PIPE = 141


class CliError(Exception):
    """Stop the command: print ``eventstream: error: <message>`` and exit with ``status``."""

    def __init__(self, message: str, status: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.status = status


class StreamProblem:
    """A codec error found in a part of the stream, told with offsets in the whole stream.

    The codec reports offsets from the start of what it was given; the frame
    reader gives it one message at a time, so ``base`` (where that message
    starts in the stream) is added back.  Both are told: the message's start
    and the wrong field's offset.
    """

    __slots__ = ("base", "error")

    def __init__(self, error: EventStreamError, base: int) -> None:
        self.error = error
        self.base = base

    @property
    def offset(self) -> int:
        """Stream offset of the wrong field."""
        return self.base + (self.error.offset or 0)

    @property
    def reason(self) -> str:
        """What is wrong and what was expected, without the (relative) offset."""
        text = str(self.error)
        suffix = f" (at byte offset {self.error.offset})"
        return text[: -len(suffix)] if text.endswith(suffix) else text

    @property
    def detail(self) -> str:
        """What is wrong, with the stream offset of the wrong field."""
        return f"{self.reason} (at byte offset {self.offset})"

    def __str__(self) -> str:
        """The error line: where the bad message starts, what is wrong, and where."""
        return f"bad message at offset {self.base}: {self.detail}"
