# The compiled base of Decoder (_cfeed.c); see _feedgate.py.
from typing import Any, Callable

from ._latch import Latch
from ._message import BytesLike, Message

class FeedGate:
    _buf: bytearray
    _need: int
    _latch: Latch | None
    def feed(self, data: BytesLike, /) -> list[Message]: ...

def bind(
    feed_rest: Callable[[Any, Any, Any], list[Message]],
    feed_any: Callable[[Any, Any, Any], list[Message]],
    /,
) -> None: ...
