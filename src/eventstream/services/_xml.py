"""Shape-driven XML payloads (``rest-xml``: S3 ``SelectObjectContent``).

Parsing does what botocore's XML parser does to the same payload (the root
element's children are the members, by ``locationName``; namespaces dropped;
repeated elements form lists; an empty element is ``""``) with every scalar
checked. The parser is expat without DTDs: a ``<!DOCTYPE`` is refused, so no
entity can expand, and depth is bounded by :data:`~._documents.MAX_DEPTH`.
"""

from __future__ import annotations

import base64
import datetime as _dt
import xml.parsers.expat
from typing import Any
from xml.sax.saxutils import escape

from ._documents import MAX_DEPTH, DocumentReader, ShapeError, _join, write_timestamp
from ._model import ServiceModel, Shape


class Node:
    """An XML element: tag without namespace, attributes, children, text."""

    __slots__ = ("attrib", "children", "tag", "text")

    def __init__(self, tag: str, attrib: dict[str, str]) -> None:
        self.tag = tag.rsplit("}", 1)[-1].rsplit(" ", 1)[-1]
        self.attrib = attrib
        self.children: list[Node] = []
        self.text = ""


def parse_xml(payload: bytes) -> Node:
    """The root element of ``payload`` (raises ShapeError)."""
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    stack: list[Node] = []
    roots: list[Node] = []

    def start(tag: str, attrib: dict[str, str]) -> None:
        if len(stack) >= MAX_DEPTH:
            raise ShapeError("", f"XML nested deeper than {MAX_DEPTH} levels")
        node = Node(tag, attrib)
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].text += data

    def doctype(*args: Any) -> None:
        raise ShapeError("", "XML with a DOCTYPE is refused")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = doctype
    try:
        parser.Parse(payload, True)
    except xml.parsers.expat.ExpatError as exc:
        raise ShapeError("", f"not XML: {exc}") from exc
    except (LookupError, ValueError) as exc:
        # The XML declaration names the codec expat asks Python for: an unknown
        # name (LookupError) or a codec that cannot decode text (UnicodeError).
        raise ShapeError("", f"not XML: unusable encoding in the XML declaration: {exc}") from exc
    return roots[0]


class XmlReader:
    """XML node -> boto3 value."""

    def __init__(self, model: ServiceModel) -> None:
        self._model = model
        # Scalars from text: the JSON reader's checks on converted text.
        self._scalars = DocumentReader(model, binary=False)

    def read(
        self, shape_name: str, node: Node | list[Node], path: str = "", depth: int = 0
    ) -> Any:
        # The element tree's depth is bounded when parsed, but a flattened list reads
        # its items from the same element: a model whose flattened list holds itself
        # would recurse without descending, so the shape depth is bounded too.
        if depth > MAX_DEPTH:
            raise ShapeError(path, f"nested deeper than {MAX_DEPTH} levels")
        shape = self._model.shapes[shape_name]
        kind = shape["type"]
        if kind == "list":
            nodes = (
                node
                if isinstance(node, list)
                else ([node] if shape.get("flattened") else node.children)
            )
            member = shape["member"]["shape"]
            return [
                self.read(member, item, f"{path}[{i}]", depth + 1) for i, item in enumerate(nodes)
            ]
        if isinstance(node, list):
            raise ShapeError(path, f"element repeated {len(node)} times; expected one")
        if kind == "structure":
            return self.read_members(shape, node, path, depth)
        if kind == "map":
            raise ShapeError(path, "XML maps are not supported in event payloads")
        return self._scalar(kind, node.text, path)

    def read_members(self, shape: Shape, node: Node, path: str, depth: int) -> dict[str, Any]:
        by_tag: dict[str, Node | list[Node]] = {}
        for child in node.children:
            held = by_tag.get(child.tag)
            if held is None:
                by_tag[child.tag] = child
            elif isinstance(held, list):
                held.append(child)
            else:
                by_tag[child.tag] = [held, child]
        parsed: dict[str, Any] = {}
        for name, ref in shape.get("members", {}).items():
            if ref.get("eventheader") or ref.get("location"):
                continue
            target = self._model.shapes[ref["shape"]]
            tag = ref.get("locationName", name)
            if target["type"] == "list" and target.get("flattened"):
                tag = target["member"].get("locationName", tag)
            found = by_tag.get(tag)
            if found is not None:
                parsed[name] = self.read(ref["shape"], found, _join(path, name), depth + 1)
        return parsed

    def _scalar(self, kind: str, text: str, path: str) -> Any:
        value: Any = text
        if kind in ("integer", "long", "short", "byte"):
            try:
                value = int(text)
            except ValueError as exc:
                raise ShapeError(path, f"expected {kind}, got {text[:40]!r}") from exc
        elif kind in ("float", "double"):
            try:
                value = float(text)
            except ValueError as exc:
                raise ShapeError(path, f"expected {kind}, got {text[:40]!r}") from exc
        elif kind == "boolean":
            if text not in ("true", "false"):
                raise ShapeError(path, f"expected true or false, got {text[:40]!r}")
            value = text == "true"
        return self._scalars.read_scalar(kind, value, path)


class XmlWriter:
    """boto3 value -> XML text (timestamps ISO 8601 unless the shape says otherwise)."""

    def __init__(self, model: ServiceModel) -> None:
        self._model = model

    def element(self, tag: str, shape_name: str, value: Any, path: str, depth: int = 0) -> str:
        if depth > MAX_DEPTH:
            raise ShapeError(path, f"nested deeper than {MAX_DEPTH} levels")
        shape = self._model.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            if not isinstance(value, dict):
                raise ShapeError(path, f"expected a dict, got {type(value).__name__}")
            return f"<{tag}>{self.members(shape, value, path, depth)}</{tag}>"
        if kind == "list":
            if not isinstance(value, (list, tuple)):
                raise ShapeError(path, f"expected a list, got {type(value).__name__}")
            member = shape["member"]
            inner_tag = member.get("locationName", "member")
            items = "".join(
                self.element(inner_tag if not shape.get("flattened") else tag, member["shape"],
                             item, f"{path}[{i}]", depth + 1)
                for i, item in enumerate(value)
            )  # fmt: skip
            return items if shape.get("flattened") else f"<{tag}>{items}</{tag}>"
        if kind == "map":
            raise ShapeError(path, "XML maps are not supported in event payloads")
        return f"<{tag}>{escape(self._scalar(shape, kind, value, path))}</{tag}>"

    def members(self, shape: Shape, value: dict[str, Any], path: str, depth: int) -> str:
        members = shape.get("members", {})
        unknown = [key for key in value if key not in members]
        if unknown:
            raise ShapeError(path, f"unknown member(s) {unknown!r}; expected {sorted(members)!r}")
        parts = []
        for name, item in value.items():
            ref = members[name]
            if item is None or ref.get("eventheader") or ref.get("location"):
                continue
            tag = ref.get("locationName", name)
            parts.append(self.element(tag, ref["shape"], item, _join(path, name), depth + 1))
        return "".join(parts)

    def _scalar(self, shape: Shape, kind: str, value: Any, path: str) -> str:
        if kind == "boolean" and isinstance(value, bool):
            return "true" if value else "false"
        if kind == "timestamp" and isinstance(value, _dt.datetime):
            return str(write_timestamp(value, shape.get("timestampFormat") or "iso8601"))
        if (
            kind in ("integer", "long", "short", "byte")
            and isinstance(value, int)
            and not isinstance(value, bool)
        ):
            return str(value)
        if (
            kind in ("float", "double")
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):
            return repr(float(value))
        if kind in ("string", "character") and isinstance(value, str):
            return value
        if kind == "blob" and isinstance(value, (bytes, bytearray, memoryview, str)):
            raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            return base64.b64encode(raw).decode("ascii")
        raise ShapeError(path, f"expected {kind}, got {type(value).__name__}")
