"""Every code sample of README.md and docs/*.md runs as shown (see samples.py).

A new page under docs/ is picked up by its file name; the table at the end keeps
today's samples from being dropped or turned off without anyone noticing.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from .samples import (
    ALL,
    CONSOLE_SCRIPT,
    DISPLAY_ONLY,
    PAGES,
    ROOT,
    RUN,
    Sample,
    matches,
    samples,
    shell,
    to_run,
)

PYTHON = to_run("python")
CONSOLE = to_run("console")
needs_console_script = pytest.mark.skipif(
    not CONSOLE_SCRIPT.exists(), reason="console script not installed"
)


@pytest.mark.parametrize("sample", PYTHON, ids=[s.id for s in PYTHON])
def test_python_sample_runs(
    sample: Sample, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    # Line numbers in a traceback are the page's own.
    source = "\n" * sample.line + sample.code
    exec(compile(source, sample.page, "exec"), {"__name__": "__docs__"})


@needs_console_script
@pytest.mark.parametrize("sample", CONSOLE, ids=[s.id for s in CONSOLE])
def test_console_sample_prints_what_is_shown(sample: Sample) -> None:
    # A block's commands run in order: a later one may use an earlier one's file.
    before = set(ROOT.iterdir())
    try:
        for command, shown in sample.commands():
            actual = shell(command)
            assert matches(shown, actual), f"{sample.id}: $ {command}\n" + "\n".join(actual)
    finally:
        for left in set(ROOT.iterdir()) - before:  # such as repaired.bin
            left.unlink()


def test_every_block_runs_or_says_why() -> None:
    silent = [
        s.id
        for s in ALL
        if s.language not in RUN and s.language not in DISPLAY_ONLY and s.not_run is None
    ]
    assert not silent, f"blocks neither run nor marked <!-- not run: why -->: {silent}"


def test_console_blocks_start_with_a_command() -> None:
    for sample in CONSOLE:
        assert sample.commands(), sample.id


def test_finder_sees_every_kind_of_block(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n```python\nx = 1\n```\n\n"
        "- in a list:\n\n  <!-- not run: needs the network -->\n  ```sh\n  curl x\n  ```\n\n"
        "```console\n$ echo a\na\n$ true\n```\n\n```\nbare\n```\n",
        encoding="utf-8",
    )
    found = samples(page)
    assert [(s.line, s.language, s.code, s.not_run) for s in found] == [
        (3, "python", "x = 1\n", None),
        (10, "sh", "curl x\n", "needs the network"),
        (14, "console", "$ echo a\na\n$ true\n", None),
        (20, "", "bare\n", None),
    ]
    assert found[2].commands() == [("echo a", ["a"]), ("true", [])]


@needs_console_script
def test_quick_start() -> None:
    """The README's quick start, word for word, and what its first command prints."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    quick = readme.split("## Quick start", 1)[1]
    block = re.search(r"```sh\n(.*?)```", quick, re.S)
    assert block is not None
    assert block.group(1) == (
        "pip install . && eventstream decode fixtures/lambda-stream.bin\n"
        "pip install '.[test]' && python -m pytest\n"
    )
    index = (ROOT / "docs" / "index.md").read_text(encoding="utf-8")
    assert "pip install . && eventstream decode fixtures/lambda-stream.bin\n" in index
    lines = shell("eventstream decode fixtures/lambda-stream.bin")
    assert len(lines) == 4 and all(line.startswith('{"offset": ') for line in lines)


# The samples each page had when this table was written: python blocks run, and
# $ commands run from console blocks.  A page may gain samples, never lose one
# (or have one turned off with a not-run comment) unnoticed.
TODAY = {
    "README.md": {"python": 1},
    "docs/index.md": {"python": 1},
    "docs/format.md": {"python": 1},
    "docs/lambda.md": {"python": 1},
    "docs/clients.md": {"python": 7},
    "docs/testing.md": {"python": 1},
    "docs/cli.md": {"console": 11},
    "docs/signing.md": {"python": 2, "console": 3},
}


def run_counts(page: str) -> Counter[str]:
    counts: Counter[str] = Counter()
    for sample in ALL:
        if sample.page == page and sample.not_run is None:
            if sample.language == "python":
                counts["python"] += 1
            elif sample.language == "console":
                counts["console"] += len(sample.commands())
    return counts


@pytest.mark.parametrize("page", sorted(TODAY))
def test_no_sample_was_dropped(page: str) -> None:
    assert page in {p.relative_to(ROOT).as_posix() for p in PAGES}
    counts = run_counts(page)
    for language, expected in TODAY[page].items():
        assert counts[language] >= expected, (page, language, counts)
