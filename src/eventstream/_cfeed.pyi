# The compiled base of Decoder (_cfeed.c); see _feedgate.py.
from ._message import BytesLike, Message

class FeedGate:
    _buf: bytearray
    _need: int
    def feed(self, data: BytesLike, /) -> list[Message]: ...
