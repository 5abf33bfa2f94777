"""The README's command-line examples and quick start run as shown.

Each ``$ command`` in the "Command-line tool" section's console blocks is
run with bash from the project root, stdout and stderr together, and must
print exactly the lines shown (a ``...`` line stands for any lines).
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from ..conftest import FIXTURES
from .cli_run import CONSOLE_SCRIPT

ROOT = FIXTURES.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README.split("## Command-line tool", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"^```console\n(.*?)^```$", SECTION, re.M | re.S)

pytestmark = pytest.mark.skipif(not CONSOLE_SCRIPT.exists(), reason="console script not installed")


def examples(block: str) -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], []))
        else:
            found[-1][1].append(line)
    return found


def shell(command: str) -> list[str]:
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
    if not shown:
        return not actual
    if shown[0] == "...":
        return any(matches(shown[1:], actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and shown[0] == actual[0] and matches(shown[1:], actual[1:])


def test_there_are_examples() -> None:
    assert sum(len(examples(block)) for block in BLOCKS) >= 8


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_example_output(block: str) -> None:
    # A block's commands run in order: a later one may use an earlier one's file.
    try:
        for command, shown in examples(block):
            actual = shell(command)
            assert matches(shown, actual), f"$ {command}\n" + "\n".join(actual)
    finally:
        (ROOT / "repaired.bin").unlink(missing_ok=True)


def test_quick_start_first_command() -> None:
    quick = README.split("## Quick start", 1)[1]
    install, command = re.search(r"```sh\n(.*?)\n", quick).group(1).split(" && ")  # type: ignore[union-attr]
    assert install == "pip install ."
    lines = shell(command)
    assert len(lines) == 4 and all(line.startswith('{"offset": ') for line in lines)
