"""MkDocs hook: links from a page to repository files outside ``docs/``.

The pages link to files such as ``../examples/httpx_sync.py`` so that they
work where the Markdown is read in the repository.  The built site holds only
``docs/``, so such a link is rendered as its text there, once the file is
found to exist; a link to a repository file that does not exist is a warning,
which ``mkdocs build --strict`` turns into a failure.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.repository_links")

# [text](target) where target is relative and not an http(s) or mailto link.
LINK = re.compile(r"\[([^\]\n]+)\]\((?![a-z]+:)([^)\s#]+)(#[^)\s]*)?\)")


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    docs_dir = Path(config["docs_dir"]).resolve()
    root = docs_dir.parent
    page_dir = (docs_dir / page.file.src_path).parent

    def rewrite(match: re.Match[str]) -> str:
        text, target = match.group(1), match.group(2)
        path = (page_dir / target).resolve()
        if path == docs_dir or docs_dir in path.parents:
            return match.group(0)  # MkDocs validates links inside docs/
        if root not in path.parents or not path.exists():
            log.warning(
                "%s links to %s, which is not a file of the repository", page.file.src_path, target
            )
            return match.group(0)
        return text

    return LINK.sub(rewrite, markdown)
