"""Finding, reading and checking a botocore-format service model.

Goal: the shapes of one operation's event stream, from the model data botocore
installs (``botocore/data/<service>/<api-version>/service-2.json[.gz]``, the newest
API version, as botocore's loader picks it) or from a file or dict the user gives,
without importing botocore: its package is located with
``importlib.util.find_spec``, which runs none of its code.

A model is input like any other: every shape reachable from the stream is checked
once here (types known, references resolvable, lists and maps complete), so the
codecs can trust it; anything else is an :class:`InvalidModelError` with the path.
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
import os
import zlib
from typing import Any

from .._peer_json import PeerJSONError, parse_peer_json
from ._errors import (
    InvalidModelError,
    NoEventStreamError,
    UnknownOperationError,
    UnknownServiceError,
)
from ._exceptions import StreamException, exception_class

Shape = dict[str, Any]

SCALAR_TYPES = frozenset(
    {"string", "blob", "boolean", "integer", "long", "float", "double", "timestamp",
     "byte", "short", "bigInteger", "bigDecimal", "character"}
)  # fmt: skip
_COMPOUND_TYPES = frozenset({"structure", "list", "map"})
# A model file is read whole; no real one comes near this.
_MAX_MODEL_BYTES = 64 * 1024 * 1024


def _botocore_data_dir() -> str | None:
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = os.path.join(location, "data")
        if os.path.isdir(candidate):
            return candidate
    return None


def available_services() -> list[str]:
    """The service names the installed botocore has models for (``[]`` without botocore)."""
    data = _botocore_data_dir()
    if data is None:
        return []
    return sorted(name for name in os.listdir(data) if _newest_model_file(data, name))


def _newest_model_file(data: str, service: str) -> str | None:
    directory = os.path.join(data, service)
    if not os.path.isdir(directory):
        return None
    for version in sorted(os.listdir(directory), reverse=True):
        for name in ("service-2.json", "service-2.json.gz"):
            path = os.path.join(directory, version, name)
            if os.path.isfile(path):
                return path
    return None


def find_model_file(service: str) -> str:
    """Path of the newest model of ``service`` in the installed botocore."""
    data = _botocore_data_dir()
    if data is None:
        raise UnknownServiceError(
            f"no model for service {service!r}: botocore is not installed; "
            "install it or pass model= (a path or a parsed service-2.json)",
            [],
        )
    path = None
    if service and os.sep not in service and service not in (".", ".."):
        path = _newest_model_file(data, service)
    if path is None:
        available = available_services()
        raise UnknownServiceError(
            f"botocore has no model for service {service!r} "
            f"({len(available)} services are installed, e.g. {', '.join(available[:5])})",
            available,
        )
    return path


def read_model_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse a ``service-2.json`` (or ``.json.gz``) file."""
    path = os.fspath(path)
    try:
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as file:
            raw = file.read(_MAX_MODEL_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        # A truncated or corrupt .gz raises EOFError or zlib.error, not OSError.
        raise InvalidModelError(f"cannot read the model file: {exc}", path) from exc
    if len(raw) > _MAX_MODEL_BYTES:
        raise InvalidModelError(f"model file over {_MAX_MODEL_BYTES} bytes", path)
    try:
        document = parse_peer_json(raw)
    except PeerJSONError as exc:
        raise InvalidModelError(f"not a JSON model: {exc}", path) from None
    if not isinstance(document, dict):
        raise InvalidModelError("a model is a JSON object", path)
    return document


class ServiceModel:
    """The parts of a parsed model the event-stream layer reads."""

    def __init__(self, document: Any, source: str) -> None:
        if not isinstance(document, dict):
            raise InvalidModelError(f"a model is a dict, not {type(document).__name__}", source)
        self.source = source
        metadata = document.get("metadata", {})
        shapes = document.get("shapes")
        operations = document.get("operations")
        if not isinstance(metadata, dict):
            raise InvalidModelError("metadata is not an object", source)
        if not isinstance(shapes, dict) or not isinstance(operations, dict):
            raise InvalidModelError("a model needs 'shapes' and 'operations' objects", source)
        self.metadata: dict[str, Any] = metadata
        self.shapes: dict[str, Any] = shapes
        self.operations: dict[str, Any] = operations
        self.protocol = _protocol(metadata, source)
        # Built on first use and kept, so that every load_stream() of one installed
        # model hands out the same StreamModel and the same exception classes.
        self.streams: dict[tuple[str, str], Any] = {}
        self._exception_classes: dict[str, type[StreamException]] = {}

    def exception_class(self, shape_name: str) -> type[StreamException]:
        """The class generated for the exception shape ``shape_name`` (one per model)."""
        cls = self._exception_classes.get(shape_name)
        if cls is None:
            cls = exception_class(shape_name, self.shapes[shape_name])
            self._exception_classes[shape_name] = cls
        return cls

    def operation(self, name: str) -> tuple[str, dict[str, Any]]:
        """The operation by API name (``ConverseStream``) or Python name (``converse_stream``)."""
        found = self.operations.get(name)
        if isinstance(found, dict):
            return name, found
        wanted = name.replace("_", "").lower()
        for key, value in self.operations.items():
            if isinstance(value, dict) and key.lower() == wanted:
                return key, value
        raise UnknownOperationError(f"the {self.source} model has no operation {name!r}")

    def shape(self, name: Any, path: str) -> Shape:
        """The shape called ``name``, checked to be an object with a known type."""
        shape = self.shapes.get(name) if isinstance(name, str) else None
        if not isinstance(shape, dict):
            raise InvalidModelError(f"refers to shape {name!r}, which the model lacks", path)
        kind = shape.get("type")
        if kind not in SCALAR_TYPES and kind not in _COMPOUND_TYPES:
            raise InvalidModelError(f"shape {name!r} has unknown type {kind!r}", path)
        return shape

    def stream_member(self, operation: str, direction: str) -> tuple[str, str, str]:
        """(operation API name, stream member name, stream union shape name)."""
        op_name, op = self.operation(operation)
        key = "output" if direction == "output" else "input"
        ref = op.get(key)
        if isinstance(ref, dict) and "shape" in ref:
            container = self.shape(ref["shape"], f"operations.{op_name}.{key}")
            for member, member_ref in _members(container, f"shape {ref['shape']}").items():
                target = self.shape(member_ref.get("shape"), f"{ref['shape']}.{member}")
                if target.get("eventstream"):
                    return op_name, member, member_ref["shape"]
        raise NoEventStreamError(f"{self.source} {op_name} has no {key} event stream")

    def check_reachable(self, root: str) -> None:
        """Check every shape reachable from ``root`` once (iteratively: models are input)."""
        pending = [(root, root)]
        seen: set[str] = set()
        while pending:
            name, path = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            shape = self.shape(name, path)
            kind = shape["type"]
            if kind == "structure":
                for member, ref in _members(shape, path).items():
                    pending.append((ref.get("shape"), f"{path}.{member}"))
            elif kind == "list":
                pending.append((_ref(shape, "member", path), f"{path}[]"))
            elif kind == "map":
                pending.append((_ref(shape, "key", path), f"{path}{{key}}"))
                pending.append((_ref(shape, "value", path), f"{path}{{value}}"))


def _members(shape: Shape, path: str) -> dict[str, Any]:
    members = shape.get("members", {})
    if not isinstance(members, dict) or not all(
        isinstance(ref, dict) and isinstance(ref.get("shape"), str) for ref in members.values()
    ):
        raise InvalidModelError("members must map names to {'shape': name}", path)
    return members


def _ref(shape: Shape, key: str, path: str) -> str:
    ref = shape.get(key)
    if not isinstance(ref, dict) or not isinstance(ref.get("shape"), str):
        raise InvalidModelError(f"{shape['type']} shape without a '{key}' reference", path)
    name: str = ref["shape"]
    return name


def _protocol(metadata: dict[str, Any], source: str) -> str:
    protocols = metadata.get("protocols")
    candidates: list[Any] = list(protocols) if isinstance(protocols, list) else []
    candidates.append(metadata.get("protocol"))
    for protocol in candidates:
        # Hostile metadata may hold a list or dict here: unhashable, so test the type first.
        if isinstance(protocol, str) and protocol in PROTOCOL_CODECS:
            name: str = protocol
            return name
    raise InvalidModelError(f"no supported protocol in {candidates!r}", f"{source} metadata")


#: Protocol (botocore metadata name) -> payload codec name.
PROTOCOL_CODECS = {
    "json": "json",
    "rest-json": "json",
    "rest-xml": "xml",
    "query": "xml",
    "ec2": "xml",
    "smithy-rpc-v2-cbor": "cbor",
}


@functools.lru_cache(maxsize=16)
def _installed_model(path: str, mtime_ns: int, service: str) -> ServiceModel:
    # Parsing a large model takes milliseconds and programs load the same few
    # again and again; a ServiceModel is never changed once built, so it is shared.
    return ServiceModel(read_model_file(path), service)


def load_model(
    service: str, model: str | os.PathLike[str] | dict[str, Any] | None
) -> ServiceModel:
    """The model of ``service``: ``model`` if given, else the installed botocore's
    (parsed once per file version)."""
    if model is None:
        path = find_model_file(service)
        return _installed_model(path, os.stat(path).st_mtime_ns, service)
    if isinstance(model, dict):
        return ServiceModel(model, service or "model")
    if isinstance(model, (str, os.PathLike)):
        return ServiceModel(read_model_file(model), os.fspath(model))
    raise InvalidModelError(f"model= takes a path or a dict, not {type(model).__name__}")
