"""Text from the stream, made safe to show on a terminal.

Goal: nothing a peer sends can move the cursor, rewrite a line, change
colours or set the window title.  Every control character (C0, DEL and
C1, which includes the 8-bit CSI) is shown as a ``\\xHH`` escape, so an ESC
sequence arrives as inert text.
"""

from __future__ import annotations

import re

# C0 but tab and newline, DEL, C1.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The same, tab and newline included: for text shown on one line.
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")


def _escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def one_line(text: str) -> str:
    """``text`` with every control character escaped, line breaks and tabs too."""
    if text.isprintable():
        return text
    return _CONTROL_ONE_LINE.sub(_escape, text)


def lines(text: str) -> str:
    """``text`` with every control character but newline and tab escaped."""
    if text.isprintable():
        return text
    return _CONTROL.sub(_escape, text)
