"""Sans-IO codec for ``application/vnd.amazon.eventstream``.

The binary framing AWS services stream responses in (Lambda
InvokeWithResponseStream, Bedrock, S3 Select, Transcribe, Kinesis).  No
sockets, no threads: bytes in, messages out, and back.

Format reference: the Smithy "Amazon Event Stream" specification, and the
reference SDKs (aws-sdk-go-v2 ``aws/protocol/eventstream``, smithy-rs
``aws-smithy-eventstream``, aws-c-event-stream).
"""

from ._crc import CRC32_BACKEND
from ._decoder import Decoder
from ._errors import (
    ChecksumError,
    DecoderFailedError,
    DuplicateHeaderError,
    EncodeError,
    EventSignatureError,
    EventStreamError,
    InvalidHeaderError,
    InvalidLengthError,
    MessageChecksumError,
    MessageTooLargeError,
    PreludeChecksumError,
    TruncatedStreamError,
)
from ._format import DEFAULT_MAX_MESSAGE_SIZE, Frame, decode, encode
from ._headers import MAX_NAME_BYTES, MAX_VALUE_BYTES, Headers, encode_headers
from ._message import Message
from ._values import Byte, HeaderType, HeaderValue, HeaderValueIn, Integer, Long, Short, Timestamp

__version__ = "0.1.0"

__all__ = [
    "CRC32_BACKEND",
    "DEFAULT_MAX_MESSAGE_SIZE",
    "MAX_NAME_BYTES",
    "MAX_VALUE_BYTES",
    "Byte",
    "ChecksumError",
    "Decoder",
    "DecoderFailedError",
    "DuplicateHeaderError",
    "EncodeError",
    "EventSignatureError",
    "EventStreamError",
    "Frame",
    "HeaderType",
    "HeaderValue",
    "HeaderValueIn",
    "Headers",
    "Integer",
    "InvalidHeaderError",
    "InvalidLengthError",
    "Long",
    "Message",
    "MessageChecksumError",
    "MessageTooLargeError",
    "PreludeChecksumError",
    "Short",
    "Timestamp",
    "TruncatedStreamError",
    "decode",
    "encode",
    "encode_headers",
]
