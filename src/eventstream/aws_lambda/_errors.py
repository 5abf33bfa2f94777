"""Errors Lambda returns before any event stream starts (restJson1 error replies).

Goal: turn a non-2xx reply of ``InvokeWithResponseStream`` into one exception class per
error shape the service model lists for that operation, named exactly like the shape,
so callers can ``except ResourceNotFoundException``.

The class list and the HTTP statuses below were generated from botocore 1.44.8's
``botocore/data/lambda/2015-03-31/service-2.json`` (operation
``InvokeWithResponseStream``, 42 ``errors``; each shape's ``error.httpStatusCode``, and
``senderFault`` / ``fault`` for ``fault``). ``tests/aws_lambda/test_lambda_errors.py`` checks the
table against the model of whatever botocore is installed.

How the error code and message are found follows botocore's restJson1 parser
(``botocore/parsers.py``: ``BaseJSONParser._do_error_parse`` and
``RestJSONParser._inject_error_code``): the ``x-amzn-ErrorType`` header first, then the
body's ``code``/``Code``, then its ``__type``; a ``:namespace`` suffix and a
``namespace#`` prefix are dropped; the message is the body's ``message`` or ``Message``.
With no code anywhere the code is the status as text, as in botocore. One difference: for a
5xx reply with an empty or HTML body botocore ignores ``x-amzn-ErrorType``
(``ResponseParser._is_generic_error_response``); here the header still names the error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .._peer_json import PeerJSONError, parse_peer_json
from ._headers import HeadersLike, lower_headers


def _string_member(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    return value if isinstance(value, str) else None


class LambdaError(Exception):
    """An error reply from AWS Lambda (a non-2xx status before the event stream).

    Modeled errors are subclasses named like the model's error shapes; a code this
    library does not know gives a plain ``LambdaError`` whose ``code`` says what it was.

    Attributes:
        code: the error code (the shape name for modeled errors).
        message: the human-readable message (``""`` when the reply had none).
        status: the HTTP status of the reply. On the class, the status the model gives
            the error (``0`` on ``LambdaError`` itself).
        fault: ``"client"`` or ``"server"`` per the model (``None`` when unknown).
        error_type: the body's ``Type`` member (``"User"`` or ``"Service"``), if any.
        request_id: the ``x-amzn-RequestId`` header, if any.
        headers: the reply's headers, names lower-cased.
        fields: the JSON object of the body (``{}`` if the body was not one).
    """

    status: int = 0
    fault: str | None = None

    def __init__(
        self,
        message: str = "",
        *,
        code: str | None = None,
        status: int | None = None,
        headers: Mapping[str, str] | None = None,
        fields: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message
        self.code = code if code is not None else type(self).__name__
        if status is not None:
            self.status = status
        self.headers: dict[str, str] = dict(headers) if headers is not None else {}
        self.fields: dict[str, Any] = dict(fields) if fields is not None else {}
        super().__init__(self.__str__())

    @property
    def error_type(self) -> str | None:
        """The body's ``Type`` member: ``"User"`` or ``"Service"`` (or ``None``)."""
        return _string_member(self.fields, "Type")

    @property
    def request_id(self) -> str | None:
        """The ``x-amzn-RequestId`` header of the reply, if any."""
        return self.headers.get("x-amzn-requestid")

    def __str__(self) -> str:
        text = f"{self.code} (HTTP {self.status})"
        return f"{text}: {self.message}" if self.message else text

    def __reduce__(self) -> Any:
        # Keyword-only arguments are lost by Exception's default pickling.
        return (
            _rebuild_error,
            (type(self), self.message, self.code, self.status, self.headers, self.fields),
        )


def _rebuild_error(
    cls: type[LambdaError],
    message: str,
    code: str,
    status: int,
    headers: dict[str, str],
    fields: dict[str, Any],
) -> LambdaError:
    return cls(message, code=code, status=status, headers=headers, fields=fields)


class CodeArtifactUserDeletedException(LambdaError):
    """``CodeArtifactUserDeletedException``: HTTP 409, the caller is at fault."""

    status = 409
    fault = "client"


class CodeArtifactUserFailedException(LambdaError):
    """``CodeArtifactUserFailedException``: HTTP 409, the caller is at fault."""

    status = 409
    fault = "client"


class CodeArtifactUserPendingException(LambdaError):
    """``CodeArtifactUserPendingException``: HTTP 409, the caller is at fault."""

    status = 409
    fault = "client"


class EC2AccessDeniedException(LambdaError):
    """``EC2AccessDeniedException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class EC2ThrottledException(LambdaError):
    """``EC2ThrottledException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class EC2UnexpectedException(LambdaError):
    """``EC2UnexpectedException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"

    @property
    def ec2_error_code(self) -> str | None:
        """The ``EC2ErrorCode`` member of the body, if it is a string."""
        return _string_member(self.fields, "EC2ErrorCode")


class EFSIOException(LambdaError):
    """``EFSIOException``: HTTP 410, the caller is at fault."""

    status = 410
    fault = "client"


class EFSMountConnectivityException(LambdaError):
    """``EFSMountConnectivityException``: HTTP 408, the caller is at fault."""

    status = 408
    fault = "client"


class EFSMountFailureException(LambdaError):
    """``EFSMountFailureException``: HTTP 403, the caller is at fault."""

    status = 403
    fault = "client"


class EFSMountTimeoutException(LambdaError):
    """``EFSMountTimeoutException``: HTTP 408, the caller is at fault."""

    status = 408
    fault = "client"


class ENILimitReachedException(LambdaError):
    """``ENILimitReachedException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class InvalidParameterValueException(LambdaError):
    """``InvalidParameterValueException``: HTTP 400, the caller is at fault."""

    status = 400
    fault = "client"


class InvalidRequestContentException(LambdaError):
    """``InvalidRequestContentException``: HTTP 400, the caller is at fault."""

    status = 400
    fault = "client"


class InvalidRuntimeException(LambdaError):
    """``InvalidRuntimeException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class InvalidSecurityGroupIDException(LambdaError):
    """``InvalidSecurityGroupIDException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class InvalidSubnetIDException(LambdaError):
    """``InvalidSubnetIDException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class InvalidZipFileException(LambdaError):
    """``InvalidZipFileException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class KMSAccessDeniedException(LambdaError):
    """``KMSAccessDeniedException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class KMSDisabledException(LambdaError):
    """``KMSDisabledException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class KMSInvalidStateException(LambdaError):
    """``KMSInvalidStateException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class KMSNotFoundException(LambdaError):
    """``KMSNotFoundException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class NoPublishedVersionException(LambdaError):
    """``NoPublishedVersionException``: HTTP 400, the caller is at fault."""

    status = 400
    fault = "client"


class RecursiveInvocationException(LambdaError):
    """``RecursiveInvocationException``: HTTP 400, the caller is at fault."""

    status = 400
    fault = "client"


class RequestTooLargeException(LambdaError):
    """``RequestTooLargeException``: HTTP 413, the caller is at fault."""

    status = 413
    fault = "client"


class ResourceConflictException(LambdaError):
    """``ResourceConflictException``: HTTP 409, the caller is at fault."""

    status = 409
    fault = "client"


class ResourceNotFoundException(LambdaError):
    """``ResourceNotFoundException``: HTTP 404, the caller is at fault."""

    status = 404
    fault = "client"


class ResourceNotReadyException(LambdaError):
    """``ResourceNotReadyException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class RuntimeAliasDeletedException(LambdaError):
    """``RuntimeAliasDeletedException``: HTTP 409, the caller is at fault."""

    status = 409
    fault = "client"


class RuntimeVersionDeletedException(LambdaError):
    """``RuntimeVersionDeletedException``: HTTP 409, the caller is at fault."""

    status = 409
    fault = "client"


class S3FilesMountConnectivityException(LambdaError):
    """``S3FilesMountConnectivityException``: HTTP 408, the caller is at fault."""

    status = 408
    fault = "client"


class S3FilesMountFailureException(LambdaError):
    """``S3FilesMountFailureException``: HTTP 403, the caller is at fault."""

    status = 403
    fault = "client"


class S3FilesMountTimeoutException(LambdaError):
    """``S3FilesMountTimeoutException``: HTTP 408, the caller is at fault."""

    status = 408
    fault = "client"


class SerializedRequestEntityTooLargeException(LambdaError):
    """``SerializedRequestEntityTooLargeException``: HTTP 413, the caller is at fault."""

    status = 413
    fault = "client"


class ServiceException(LambdaError):
    """``ServiceException``: HTTP 500, the service is at fault."""

    status = 500
    fault = "server"


class ServiceQuotaExceededException(LambdaError):
    """``ServiceQuotaExceededException``: HTTP 402, the caller is at fault."""

    status = 402
    fault = "client"


class SnapStartException(LambdaError):
    """``SnapStartException``: HTTP 400, the caller is at fault."""

    status = 400
    fault = "client"


class SnapStartNotReadyException(LambdaError):
    """``SnapStartNotReadyException``: HTTP 409, the caller is at fault."""

    status = 409
    fault = "client"


class SnapStartRegenerationFailureException(LambdaError):
    """``SnapStartRegenerationFailureException``: HTTP 409, the caller is at fault."""

    status = 409
    fault = "client"


class SnapStartTimeoutException(LambdaError):
    """``SnapStartTimeoutException``: HTTP 408, the caller is at fault."""

    status = 408
    fault = "client"


class SubnetIPAddressLimitReachedException(LambdaError):
    """``SubnetIPAddressLimitReachedException``: HTTP 502, the service is at fault."""

    status = 502
    fault = "server"


class TooManyRequestsException(LambdaError):
    """``TooManyRequestsException``: HTTP 429, the caller is at fault (throttled).

    ``retry_after_seconds`` is the ``Retry-After`` header (a string, as modeled) and
    ``reason`` the body's ``Reason`` (a ``ThrottleReason`` such as
    ``ConcurrentInvocationLimitExceeded``); either may be ``None``.
    """

    status = 429
    fault = "client"

    @property
    def retry_after_seconds(self) -> str | None:
        """The ``Retry-After`` header of the reply, if it had one."""
        return self.headers.get("retry-after")

    @property
    def reason(self) -> str | None:
        """The ``Reason`` member of the body, if it is a string."""
        return _string_member(self.fields, "Reason")


class UnsupportedMediaTypeException(LambdaError):
    """``UnsupportedMediaTypeException``: HTTP 415, the caller is at fault."""

    status = 415
    fault = "client"


_ALL_MODELED: tuple[type[LambdaError], ...] = (
    CodeArtifactUserDeletedException,
    CodeArtifactUserFailedException,
    CodeArtifactUserPendingException,
    EC2AccessDeniedException,
    EC2ThrottledException,
    EC2UnexpectedException,
    EFSIOException,
    EFSMountConnectivityException,
    EFSMountFailureException,
    EFSMountTimeoutException,
    ENILimitReachedException,
    InvalidParameterValueException,
    InvalidRequestContentException,
    InvalidRuntimeException,
    InvalidSecurityGroupIDException,
    InvalidSubnetIDException,
    InvalidZipFileException,
    KMSAccessDeniedException,
    KMSDisabledException,
    KMSInvalidStateException,
    KMSNotFoundException,
    NoPublishedVersionException,
    RecursiveInvocationException,
    RequestTooLargeException,
    ResourceConflictException,
    ResourceNotFoundException,
    ResourceNotReadyException,
    RuntimeAliasDeletedException,
    RuntimeVersionDeletedException,
    S3FilesMountConnectivityException,
    S3FilesMountFailureException,
    S3FilesMountTimeoutException,
    SerializedRequestEntityTooLargeException,
    ServiceException,
    ServiceQuotaExceededException,
    SnapStartException,
    SnapStartNotReadyException,
    SnapStartRegenerationFailureException,
    SnapStartTimeoutException,
    SubnetIPAddressLimitReachedException,
    TooManyRequestsException,
    UnsupportedMediaTypeException,
)

#: Every error the model lists for ``InvokeWithResponseStream``, by shape name.
MODELED_ERRORS: Mapping[str, type[LambdaError]] = {cls.__name__: cls for cls in _ALL_MODELED}


def _clean_code(raw: str) -> str:
    # "aws.lambda#ResourceNotFoundException:http://internal.amazon.com/..." -> the name.
    return raw.split(":", 1)[0].rsplit("#", 1)[-1].strip()


def _parse_body(
    body: bytes | bytearray | memoryview | str | None,
) -> tuple[dict[str, Any], str]:
    """The body's JSON object (or ``{}``) and, when it is not JSON, its text."""
    if body is None:
        return {}, ""
    text = body if isinstance(body, str) else bytes(body).decode("utf-8", errors="replace")
    if not text.strip():
        return {}, ""
    try:
        parsed = parse_peer_json(text)
    except PeerJSONError:
        # Like botocore: a body that is not JSON becomes the message.
        return {}, text
    if isinstance(parsed, dict):
        return parsed, ""
    return {}, text


def error_from_response(
    status: int,
    headers: HeadersLike,
    body: bytes | bytearray | memoryview | str | None,
) -> LambdaError:
    """Build the exception for a restJson1 error reply of ``InvokeWithResponseStream``.

    ``status`` is the HTTP status, ``headers`` a mapping or ``(name, value)`` pairs (any
    case), ``body`` the whole (small) JSON error body. Returns, never raises, the modeled
    subclass for the code, or a plain :class:`LambdaError` for a code not in the model
    (then ``code`` is the reply's code, or the status as text when the reply had none, as
    botocore does).
    """
    lowered = lower_headers(headers)
    fields, text = _parse_body(body)
    code = ""
    candidates = [lowered.get("x-amzn-errortype")]
    candidates += [fields.get("code"), fields.get("Code"), fields.get("__type")]
    for candidate in candidates:
        if isinstance(candidate, str) and _clean_code(candidate):
            code = _clean_code(candidate)
            break
    if not code:
        code = str(status)
    message = fields.get("message", fields.get("Message"))
    if message is None:
        message = text
    elif not isinstance(message, str):
        message = str(message)
    cls = MODELED_ERRORS.get(code, LambdaError)
    return cls(message, code=code, status=status, headers=lowered, fields=fields)
