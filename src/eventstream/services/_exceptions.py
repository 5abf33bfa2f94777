"""Exception classes generated from a model's stream exceptions.

Each exception member of the stream union (``ThrottlingException``,
``ModelStreamErrorException``...) gets a subclass of :class:`StreamException` named
after its shape, with the modeled HTTP status and a ``retryable`` flag; an instance
carries the exception's parsed ``members``. ``retryable`` is true for throttling,
service-unavailable and timeout kinds: a ``retryable`` trait in the model, HTTP status
429, 503 or 504 in its ``error`` trait, or a code botocore's standard retry mode
retries (``botocore/retries/standard.py``: throttled and transient error codes).
"""

from __future__ import annotations

from typing import Any, ClassVar

from .._classify import ModeledStreamException
from .._headers import Headers

_RETRYABLE_STATUS = frozenset({429, 503, 504})
_RETRYABLE_CODES = frozenset(
    {
        # botocore standard retry mode: throttled error codes
        "Throttling", "ThrottlingException", "ThrottledException",
        "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException",
        "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
        "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
        # botocore standard retry mode: transient error codes
        "RequestTimeout", "RequestTimeoutException",
        # the service-unavailable kind
        "ServiceUnavailable", "ServiceUnavailableException",
    }
)  # fmt: skip


class StreamException(ModeledStreamException):
    """Base of the generated classes; also raised for an ``:exception-type`` the
    model does not list. ``members`` is the payload parsed with the exception's shape
    (``{}`` if it would not parse; ``payload_error`` then says why)."""

    #: HTTP status of the exception's ``error`` trait, if modeled.
    http_status: ClassVar[int | None] = None
    #: True for the throttling, service-unavailable and timeout kinds.
    retryable: ClassVar[bool] = False
    #: True when the model marks it as a throttling error.
    throttling: ClassVar[bool] = False

    def __init__(
        self,
        code: str,
        message: str,
        headers: Headers,
        payload: bytes,
        offset: int | None = None,
        members: dict[str, Any] | None = None,
        payload_error: Exception | None = None,
    ) -> None:
        super().__init__(code, message, headers, payload, offset)
        self.members: dict[str, Any] = members or {}
        self.payload_error = payload_error


def exception_class(name: str, shape: dict[str, Any]) -> type[StreamException]:
    """A :class:`StreamException` subclass for the exception shape ``name``."""
    error = shape.get("error") if isinstance(shape.get("error"), dict) else {}
    status = error.get("httpStatusCode") if isinstance(error, dict) else None
    status = status if isinstance(status, int) and not isinstance(status, bool) else None
    retry_trait = shape.get("retryable")
    throttling = isinstance(retry_trait, dict) and bool(retry_trait.get("throttling"))
    retryable = (
        bool(retry_trait)
        or status in _RETRYABLE_STATUS
        or name in _RETRYABLE_CODES
        or "Throttl" in name
        or "Timeout" in name
    )
    namespace = {
        "__doc__": f"The {name} exception of the service model.",
        "__module__": "eventstream.services",
        "__qualname__": name,
        "http_status": status,
        "retryable": retryable,
        "throttling": throttling or "Throttl" in name,
    }
    return type(name if name.isidentifier() else "StreamException", (StreamException,), namespace)
