"""Griffe extension: the docstrings' Sphinx conventions, as mkdocstrings renders them.

The docstrings are written the way Python's own tools read them:
``:class:`Decoder``` style cross-references and ``#:`` comments above a
documented attribute.  mkdocstrings reads Markdown, so this turns

* a role such as ``:class:`Name```, ``:meth:`Decoder.feed``` or
  ``:mod:`eventstream.events``` into a Markdown cross-reference, which
  mkdocstrings resolves from the docstring's scope (``scoped_crossrefs``) and
  ``mkdocs build --strict`` fails on when it names nothing documented; a
  builtin or standard-library name such as ``ValueError`` or
  ``datetime.datetime`` becomes plain code (there is no inventory of Python's
  own documentation, which would need the network);
* a reST literal-block marker, ``text::`` or a line of only ``::``, into
  ``text:`` or nothing (the indented block under it is already a Markdown code
  block);
* ``#:`` comment lines right above an attribute into that attribute's
  docstring, when it has none.
"""

from __future__ import annotations

import builtins
import re
import sys
from typing import Any

import griffe

ROLE = re.compile(r":(?:class|func|meth|attr|exc|data|mod|obj):`(~?)([\w.]+)`")
COMMENT = re.compile(r"^\s*#: ?(.*)$")
LITERAL_ONLY = re.compile(r"^[ \t]*::[ \t]*\n", re.M)
LITERAL_AFTER_TEXT = re.compile(r"(\S)::[ \t]*$", re.M)


def cross_reference(match: re.Match[str]) -> str:
    short, target = match.group(1) == "~", match.group(2)
    shown = target.rsplit(".", 1)[-1] if short else target
    top = target.split(".", 1)[0]
    if ("." not in target and hasattr(builtins, target)) or top in sys.stdlib_module_names:
        return f"`{shown}`"
    return f"[`{shown}`][{target}]"


class SphinxRoles(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is None and obj.is_attribute:
            comment = self.comment_above(obj)
            if comment:
                obj.docstring = griffe.Docstring(comment, parent=obj)
        if obj.docstring is not None:
            text = ROLE.sub(cross_reference, obj.docstring.value)
            text = LITERAL_ONLY.sub("", text)
            obj.docstring.value = LITERAL_AFTER_TEXT.sub(r"\1:", text)

    @staticmethod
    def comment_above(obj: griffe.Object) -> str:
        """The ``#:`` lines just above ``obj``'s first line, without the markers."""
        if obj.lineno is None or obj.filepath is None or isinstance(obj.filepath, list):
            return ""
        lines = obj.lines_collection[obj.filepath]
        found: list[str] = []
        index = obj.lineno - 2  # the line above, 0-based
        while index >= 0 and (match := COMMENT.match(lines[index])):
            found.insert(0, match.group(1))
            index -= 1
        return "\n".join(found)
