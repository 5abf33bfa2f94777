"""The code samples of README.md and docs/*.md, found by their fences.

Every fenced block is a `Sample`.  ```python blocks run as written; ```console
blocks run each ``$ command`` and compare its output with the lines shown;
```text blocks are display only.  A block that cannot run as written says so on
the line just before its fence::

    <!-- not run: why, and which test covers it instead -->

and any other block without that comment is an error (tests/docs/test_samples.py),
so a sample is never skipped by accident.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ..cli.cli_run import CONSOLE_SCRIPT
from ..conftest import FIXTURES

ROOT = FIXTURES.parent
#: README.md, then every page of the site.
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
RUN = ("python", "console")
DISPLAY_ONLY = ("text",)
NOT_RUN = re.compile(r"^\s*<!-- not run: (.+?) -->\s*$")
FENCE = re.compile(r"^( *)```([\w-]*)[ \t]*\n(.*?)^\1```[ \t]*$", re.M | re.S)


@dataclass(frozen=True)
class Sample:
    page: str  # relative to the repository root
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    not_run: str | None  # the reason given, for a block that does not run

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"

    def commands(self) -> list[tuple[str, list[str]]]:
        """A console block's ``$ command`` lines, each with the output lines shown under it."""
        found: list[tuple[str, list[str]]] = []
        for line in self.code.splitlines():
            if line.startswith("$ "):
                found.append((line[2:], []))
            elif found:
                found[-1][1].append(line)
            else:
                raise ValueError(f"{self.id}: output before the first $ command")
        return found


def samples(page: Path) -> list[Sample]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        indent, language, body = match.groups()
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = NOT_RUN.match(before)
        code = "".join(
            row[len(indent) :] if row.startswith(indent) else row
            for row in body.splitlines(keepends=True)
        )
        found.append(
            Sample(
                page=page.relative_to(ROOT).as_posix() if ROOT in page.parents else page.name,
                line=line,
                language=language,
                code=code,
                not_run=marker.group(1) if marker else None,
            )
        )
    return found


ALL = [sample for page in PAGES for sample in samples(page)]


def to_run(language: str) -> list[Sample]:
    return [s for s in ALL if s.language == language and s.not_run is None]


def shell(command: str) -> list[str]:
    """``command`` run with bash from the repository root: stdout and stderr, as lines."""
    env = {**os.environ, "PATH": f"{CONSOLE_SCRIPT.parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(
        ["bash", "-c", f"{{ {command}; }} 2>&1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    return result.stdout.decode("utf-8").splitlines()


def matches(shown: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` is ``shown``, where a ``...`` line stands for any lines."""
    if not shown:
        return not actual
    if shown[0] == "...":
        return any(matches(shown[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and shown[0] == actual[0] and matches(shown[1:], actual[1:])
