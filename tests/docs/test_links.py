"""What README.md and docs/*.md point at exists: linked files, and repository paths named.

The site's own build (`mkdocs build --strict`) checks links between pages; this
covers the README, which is not part of the site, and the repository files the
pages name in code spans, which go stale when a file moves.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .samples import PAGES, ROOT

LINK = re.compile(r"\]\((?![a-z]+:)([^)\s#]+)(?:#[^)\s]*)?\)")
# A code span or not-run comment naming a file of the repository: a top-level directory of it,
# then a path ending in an extension (`tests/core/test_x.py`, `fixtures/lambda-stream.bin`).
TOP = "|".join(sorted(p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")))
NAMED = re.compile(rf"(?<![\w/.-])((?:{TOP})/[\w./-]*\.[a-z]+)\b")

IDS = [p.relative_to(ROOT).as_posix() for p in PAGES]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_relative_links_resolve(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    missing = [t for t in LINK.findall(text) if not (page.parent / t).exists()]
    assert not missing, f"{page.name} links to files that do not exist: {missing}"


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_named_repository_files_exist(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    named = set(NAMED.findall(text))
    missing = sorted(n for n in named if not (ROOT / n).exists())
    assert not missing, f"{page.name} names files that do not exist: {missing}"


def test_named_files_are_found() -> None:
    """The pattern does find names, so the test above is not vacuous."""
    text = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
    assert "tests/adapters/test_recipes.py" in NAMED.findall(text)
    assert "examples/httpx_sync.py" in NAMED.findall(text)


def test_every_extra_is_listed() -> None:
    """docs/index.md's table of extras and the README's list name every extra there is."""
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = pyproject.split("[project.optional-dependencies]", 1)[1].split("\n[", 1)[0]
    extras = re.findall(r"^([A-Za-z][\w-]*) = \[", section, re.M)
    assert "fastcrc" in extras and "docs" in extras
    for page in (ROOT / "docs" / "index.md", ROOT / "README.md"):
        text = page.read_text(encoding="utf-8")
        missing = [extra for extra in extras if f"`{extra}`" not in text]
        assert not missing, f"{page.name} does not list the extras {missing}"
