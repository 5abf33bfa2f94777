"""The HTTP request of ``InvokeWithResponseStream``, built without sending anything.

Goal: produce byte for byte what botocore's restJson1 serializer produces for the same
parameters (signing, ``User-Agent`` and other transport headers aside), and refuse bad
parameters before anything leaves the process.

Facts used, from botocore 1.44.8 (``botocore/data/lambda/2015-03-31/service-2.json`` and
``botocore/serialize.py``):

* operation ``POST /2021-11-15/functions/{FunctionName}/response-streaming-invocations``;
* the ``{FunctionName}`` label is not greedy, so it is percent-encoded with only
  ``-._~`` left as is (``BaseRestSerializer._render_uri_template`` with
  ``botocore.utils.percent_encode``): ``:`` becomes ``%3A``, ``$`` becomes ``%24``;
* ``Qualifier`` is the query parameter ``Qualifier``; ``InvocationType``, ``LogType``,
  ``ClientContext`` and ``TenantId`` are the headers ``X-Amz-Invocation-Type``,
  ``X-Amz-Log-Type``, ``X-Amz-Client-Context`` and ``X-Amz-Tenant-Id``, sent as given;
* ``Payload`` is a blob payload: the body is its bytes (UTF-8 for text, empty when
  absent) and no ``Content-Type`` is set for it;
* constraints: ``NamespacedFunctionName`` 1..256 with its pattern (and, per its
  documentation, 64 characters for a bare function name);
  ``NumericLatestPublishedOrAliasQualifier`` 1..128 with its pattern;
  ``ResponseStreamingInvocationType`` ``RequestResponse | DryRun``; ``LogType``
  ``None | Tail``; ``ClientContext`` "up to 3,583 bytes of base64-encoded data";
  ``TenantId`` 1..256 with its pattern.

The model's patterns are not anchored (Smithy patterns are ECMA-262 searches); the
service rejects names that merely contain a valid run, so they are matched whole here.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

__all__ = [
    "InvalidParameterError",
    "InvalidParameterTypeError",
    "Request",
    "build_request",
]

METHOD = "POST"
PATH_TEMPLATE = "/2021-11-15/functions/{FunctionName}/response-streaming-invocations"

# Length and pattern constraints from the model (see the module docstring).
_FUNCTION_NAME_PATTERN = re.compile(
    r"(arn:(aws[a-zA-Z-]*)?:lambda:)?((eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?"
    r"(\d{12}:)?(function:)?(?P<name>[a-zA-Z0-9\-_\.]+)(:(\$LATEST(\.PUBLISHED)?|[a-zA-Z0-9\-_]+))?",
    re.ASCII,
)
_FUNCTION_NAME_MAX = 256
_BARE_FUNCTION_NAME_MAX = 64
_QUALIFIER_PATTERN = re.compile(r"\$(LATEST(\.PUBLISHED)?)|[a-zA-Z0-9\-_$]+", re.ASCII)
_QUALIFIER_MAX = 128
_TENANT_ID_PATTERN = re.compile(r"[a-zA-Z0-9\._:/=+\-@ ]+", re.ASCII)
_TENANT_ID_MAX = 256
_CLIENT_CONTEXT_MAX = 3583
# Standard-alphabet base64, padding optional (3,583 is no multiple of 4, so the model's
# bound can only be reached unpadded).
_BASE64_PATTERN = re.compile(
    r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?", re.ASCII
)
INVOCATION_TYPES = ("RequestResponse", "DryRun")
LOG_TYPES = ("None", "Tail")

# botocore.utils.SAFE_CHARS: the characters percent_encode leaves alone.
_SAFE_CHARS = "-._~"


class InvalidParameterError(ValueError):
    """A parameter of :func:`build_request` breaks the service model's constraints.

    ``parameter`` is the model's member name (``FunctionName``, ``Qualifier``,
    ``InvocationType``, ``LogType``, ``ClientContext``, ``TenantId`` or ``Payload``).
    """

    def __init__(self, parameter: str, problem: str) -> None:
        self.parameter = parameter
        self.problem = problem
        super().__init__(f"invalid {parameter}: {problem}")

    def __reduce__(self) -> Any:
        return (type(self), (self.parameter, self.problem))


class InvalidParameterTypeError(InvalidParameterError, TypeError):
    """A parameter of :func:`build_request` has the wrong Python type."""


@dataclass(frozen=True)
class Request:
    """An unsigned HTTP request: sign it (SigV4, service ``lambda``) and send it.

    ``path`` is already percent-encoded; ``query`` holds the raw values (``target``
    gives path and encoded query together); ``headers`` holds only the operation's own
    headers, not ``Host``, ``Content-Length`` or signing headers.
    """

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    @property
    def target(self) -> str:
        """The request target: ``path``, then ``?`` and the encoded query if any."""
        if not self.query:
            return self.path
        encoded = "&".join(
            f"{quote(name, safe=_SAFE_CHARS)}={quote(value, safe=_SAFE_CHARS)}"
            for name, value in self.query.items()
        )
        return f"{self.path}?{encoded}"


def _require_str(parameter: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidParameterTypeError(parameter, f"expected str, got {type(value).__name__}")
    return value


def _check_length(parameter: str, value: str, maximum: int) -> None:
    if not value:
        raise InvalidParameterError(parameter, "must not be empty")
    if len(value) > maximum:
        raise InvalidParameterError(
            parameter, f"{len(value)} characters, at most {maximum} allowed"
        )


def _check_function_name(value: object) -> str:
    name = _require_str("FunctionName", value)
    bare = ":" not in name
    _check_length("FunctionName", name, _BARE_FUNCTION_NAME_MAX if bare else _FUNCTION_NAME_MAX)
    match = _FUNCTION_NAME_PATTERN.fullmatch(name)
    if match is None:
        raise InvalidParameterError(
            "FunctionName",
            f"{name!r} is not a function name, partial ARN or ARN "
            "(name: letters, digits, '-', '_', '.')",
        )
    # The pattern lets a name be all dots, but '.' and '..' are path segments that
    # every HTTP client and server resolves (RFC 3986, section 5.2.4), each to a
    # different URL: the request would reach some other resource.
    if not match.group("name").strip("."):
        raise InvalidParameterError(
            "FunctionName", f"{name!r}: a function name must not be only dots"
        )
    return name


def _check_qualifier(value: object) -> str:
    qualifier = _require_str("Qualifier", value)
    _check_length("Qualifier", qualifier, _QUALIFIER_MAX)
    if _QUALIFIER_PATTERN.fullmatch(qualifier) is None:
        raise InvalidParameterError(
            "Qualifier",
            f"{qualifier!r} is not a version, alias, $LATEST or $LATEST.PUBLISHED",
        )
    return qualifier


def _check_enum(parameter: str, value: object, allowed: tuple[str, ...]) -> str:
    text = _require_str(parameter, value)
    if text not in allowed:
        raise InvalidParameterError(parameter, f"{text!r} is not one of {', '.join(allowed)}")
    return text


def _encode_client_context(value: object) -> str:
    if isinstance(value, Mapping):
        try:
            text = json.dumps(dict(value), separators=(",", ":"), allow_nan=False)
        except RecursionError:
            raise InvalidParameterError(
                "ClientContext", "nested too deeply to serialize as JSON"
            ) from None
        except (TypeError, ValueError) as exc:
            raise InvalidParameterError("ClientContext", f"not JSON-serializable: {exc}") from exc
        # json.dumps escapes every non-ASCII character, lone surrogates too, so the
        # text is ASCII.
        encoded = base64.b64encode(text.encode("ascii")).decode("ascii")
    elif isinstance(value, str):
        encoded = value
        if _BASE64_PATTERN.fullmatch(encoded) is None:
            raise InvalidParameterError(
                "ClientContext", "a str must already be base64 (standard alphabet)"
            )
    else:
        raise InvalidParameterTypeError(
            "ClientContext", f"expected a mapping or a base64 str, got {type(value).__name__}"
        )
    if len(encoded) > _CLIENT_CONTEXT_MAX:
        raise InvalidParameterError(
            "ClientContext",
            f"{len(encoded)} base64 characters, at most {_CLIENT_CONTEXT_MAX} allowed",
        )
    return encoded


def _check_tenant_id(value: object) -> str:
    tenant_id = _require_str("TenantId", value)
    _check_length("TenantId", tenant_id, _TENANT_ID_MAX)
    if _TENANT_ID_PATTERN.fullmatch(tenant_id) is None:
        raise InvalidParameterError(
            "TenantId",
            f"{tenant_id!r} has characters outside letters, digits, space and ._:/=+-@",
        )
    return tenant_id


def _payload_bytes(value: object) -> bytes:
    if isinstance(value, str):
        try:
            return value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InvalidParameterError(
                "Payload",
                f"character {exc.start} (U+{ord(value[exc.start]):04X}) is a lone surrogate, "
                "which UTF-8 cannot encode",
            ) from None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise InvalidParameterTypeError(
        "Payload", f"expected bytes-like or str, got {type(value).__name__}"
    )


def build_request(
    function_name: str,
    payload: bytes | bytearray | memoryview | str = b"",
    *,
    qualifier: str | None = None,
    invocation_type: str | None = None,
    log_type: str | None = None,
    client_context: Mapping[str, Any] | str | None = None,
    tenant_id: str | None = None,
) -> Request:
    """Build the ``InvokeWithResponseStream`` request for these parameters.

    ``function_name`` is a name, partial ARN or ARN (optionally ``:qualifier``);
    ``payload`` the function's input (``str`` is sent as UTF-8); ``invocation_type``
    ``"RequestResponse"`` or ``"DryRun"``; ``log_type`` ``"None"`` or ``"Tail"``;
    ``client_context`` a mapping (sent as compact JSON, base64-encoded) or a string
    that is already base64; ``tenant_id`` the tenant of a multi-tenant function.
    ``None`` leaves a parameter out, as botocore does.

    Raises :class:`InvalidParameterError` (a ``ValueError``) naming the parameter when
    one breaks the model's constraints.
    """
    name = _check_function_name(function_name)
    body = _payload_bytes(payload)
    query: dict[str, str] = {}
    if qualifier is not None:
        query["Qualifier"] = _check_qualifier(qualifier)
    headers: dict[str, str] = {}
    if invocation_type is not None:
        headers["X-Amz-Invocation-Type"] = _check_enum(
            "InvocationType", invocation_type, INVOCATION_TYPES
        )
    if log_type is not None:
        headers["X-Amz-Log-Type"] = _check_enum("LogType", log_type, LOG_TYPES)
    if client_context is not None:
        headers["X-Amz-Client-Context"] = _encode_client_context(client_context)
    if tenant_id is not None:
        headers["X-Amz-Tenant-Id"] = _check_tenant_id(tenant_id)
    path = PATH_TEMPLATE.replace("{FunctionName}", quote(name, safe=_SAFE_CHARS))
    return Request(method=METHOD, path=path, query=query, headers=headers, body=body)
