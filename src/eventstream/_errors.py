"""The exceptions of the codec.

Every error the codec raises is an :class:`EventStreamError`, which is a
:class:`ValueError`, so callers can catch one type for "this stream is bad".
Decoder errors carry ``offset``: the position, counted from the first byte
ever fed to the decoder, of the field that was wrong.  Encoder errors have
``offset = None``: nothing has been written yet.
"""

from __future__ import annotations


class EventStreamError(ValueError):
    """Base of every error raised by this library.

    ``offset`` is the byte offset in the stream of the field that is wrong,
    or ``None`` when the error is not about bytes of a stream (encoding).
    """

    def __init__(self, message: str, offset: int | None = None) -> None:
        if offset is not None:
            message = f"{message} (at byte offset {offset})"
        super().__init__(message)
        #: Byte offset in the stream of the field that is wrong.
        self.offset = offset
        #: Byte offset in the stream of the message the field belongs to,
        #: when the error is about one message (set by the decoder).
        self.message_offset: int | None = None


class MessageError(EventStreamError):
    """Base of the errors about one whole message, raised above the codec: ``offset``
    and ``message_offset`` are both the message's stream offset (``None`` if unknown)."""

    def __init__(self, message: str, offset: int | None = None) -> None:
        super().__init__(message, offset)
        self.message_offset = offset


class ChecksumError(EventStreamError):
    """A CRC-32 in the stream does not match the bytes it covers."""

    def __init__(self, what: str, expected: int, actual: int, offset: int) -> None:
        super().__init__(
            f"{what} checksum mismatch: the stream says 0x{actual:08x}, "
            f"the bytes it covers give 0x{expected:08x}",
            offset,
        )
        #: The CRC computed over the covered bytes.
        self.expected = expected
        #: The CRC found in the stream.
        self.actual = actual


class PreludeChecksumError(ChecksumError):
    """The prelude CRC (bytes 8..11 of a message) does not match bytes 0..7."""

    def __init__(self, expected: int, actual: int, offset: int) -> None:
        super().__init__("prelude", expected, actual, offset)


class MessageChecksumError(ChecksumError):
    """The message CRC (last 4 bytes) does not match the bytes before it."""

    def __init__(self, expected: int, actual: int, offset: int) -> None:
        super().__init__("message", expected, actual, offset)


class InvalidLengthError(EventStreamError):
    """A length in the prelude is impossible: total length below 16, or the
    header block running past the end of the message."""


class MessageTooLargeError(InvalidLengthError):
    """The prelude claims a message larger than the decoder's configured cap."""

    def __init__(self, total_length: int, limit: int, offset: int) -> None:
        super().__init__(
            f"message of {total_length} bytes exceeds max_message_size={limit}",
            offset,
        )
        self.total_length = total_length
        self.limit = limit


class InvalidHeaderError(EventStreamError):
    """A header in a checksum-valid message is malformed: unknown value type,
    empty name, name or value running past the header block, invalid UTF-8."""


class DuplicateHeaderError(InvalidHeaderError):
    """A header name appears twice in one message."""

    def __init__(self, name: str, offset: int | None = None) -> None:
        super().__init__(f"duplicate header name {name!r}", offset)
        self.name = name


class TruncatedStreamError(EventStreamError):
    """The stream ended (``Decoder.close()``, or ``decode()`` on too few bytes)
    in the middle of a message."""


class DecoderFailedError(EventStreamError):
    """The decoder already failed; it does not resume after an error.

    ``original`` is the first error (also set as ``__cause__``).
    """

    def __init__(self, original: EventStreamError) -> None:
        super().__init__(f"decoder already failed: {original}")
        self.original = original


class EncodeError(EventStreamError):
    """A message, header name or header value cannot be written: wrong type,
    out of range, or over the size the format allows."""


class EventSignatureError(EventStreamError):
    """A frame of a signed event stream fails verification.

    ``index`` is the frame's position in the stream (0 for the first frame
    after the request); ``reason`` says what differs.  Offsets count from the
    first byte of the first frame given to the verifier: ``message_offset`` is
    the frame's, ``offset`` the wrong field's (the frame's own when the whole
    frame is what fails, as for a signature).  For a signature that does not
    match, ``expected`` is the signature the chain gives and ``actual`` the one
    the frame carries (raw bytes).
    """

    def __init__(
        self,
        index: int,
        reason: str,
        offset: int | None = None,
        *,
        frame_offset: int | None = None,
        expected: bytes | None = None,
        actual: bytes | None = None,
    ) -> None:
        super().__init__(f"frame {index}: {reason}", offset)
        #: Position of the frame in the stream (0-based).
        self.index = index
        #: What differs, in words.
        self.reason = reason
        #: The signature the chain gives, when the signature is what differs.
        self.expected = expected
        #: The signature the frame carries, when the signature is what differs.
        self.actual = actual
        self.message_offset = offset if frame_offset is None else frame_offset

    def __reduce__(self) -> tuple[object, ...]:
        # The keyword-only fields do not survive the default (args-only) reduce.
        return (_rebuild_signature_error, (self.index, self.reason, self.offset, self.__dict__))


def _rebuild_signature_error(
    index: int, reason: str, offset: int | None, state: dict[str, object]
) -> EventSignatureError:
    error = EventSignatureError(index, reason, offset)
    error.__dict__.update(state)
    return error
