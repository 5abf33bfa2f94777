"""Every ``pip install`` the project tells a user to type names what can be installed.

The PyPI distribution is ``eventstream-codec`` (``eventstream`` there is
someone else's); the import name stays ``eventstream``.  So each ``pip
install`` in the docs, examples, error messages and docstrings must install
this checkout (``.``, ``-e .``, ``'.[extra]'``), the distribution by its name
with extras pyproject.toml declares, or a third-party tool by name (listed
below); never ``eventstream[...]``.
"""

from __future__ import annotations

import re
import shlex

import pytest

from .samples import ROOT

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None  # type: ignore[assignment]

#: Tools the docs install by name, not this project.
TOOLS = {"nox", "atheris"}
#: Where install lines are written for users.
FILES = sorted(
    {
        ROOT / "README.md",
        *(ROOT / "docs").rglob("*.md"),
        *(ROOT / "examples").rglob("*.py"),
        *(ROOT / "fuzz").glob("*.md"),
        *(ROOT / "fuzz").glob("*.py"),
        *(ROOT / "src").rglob("*.py"),
    }
)
# `pip install` and its arguments up to the end of the command: a closing
# backtick, a line end, `&&` or a closing quote of an enclosing string.
INSTALL = re.compile(r"pip install ((?:[^`\n&\"]|'[^'\n]*')+)")


def install_lines() -> list[tuple[str, str]]:
    found = []
    for path in FILES:
        for match in INSTALL.finditer(path.read_text(encoding="utf-8")):
            found.append((path.relative_to(ROOT).as_posix(), match.group(1).strip()))
    return found


def project() -> tuple[str, set[str]]:
    if tomllib is None:
        pytest.skip("tomllib is Python 3.11+")
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return meta["name"], set(meta["optional-dependencies"])


def test_the_distribution_name_is_not_the_taken_one() -> None:
    name, _ = project()
    assert name == "eventstream-codec"


def test_install_lines_are_found() -> None:
    lines = install_lines()
    assert any(arg == "eventstream-codec" for _, arg in lines)
    assert any("eventstream-codec[" in arg for _, arg in lines)


def test_every_install_line_names_something_installable() -> None:
    name, extras = project()
    wrong = []
    for where, args in install_lines():
        for word in shlex.split(args):
            if word.startswith("-") or word in TOOLS:
                continue
            requirement = re.fullmatch(r"([\w.-]+)(?:\[([\w,-]+)\])?", word)
            if requirement is None:
                wrong.append((where, args))
                continue
            target, wanted = requirement.groups()
            if target not in (".", name) or not set((wanted or "").split(",")) - {""} <= extras:
                wrong.append((where, args))
    assert not wrong, wrong
