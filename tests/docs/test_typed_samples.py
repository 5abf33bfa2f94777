"""The Python samples of README.md and docs/*.md pass ``mypy --strict`` as written.

A user copies them; the public API must type-check the natural way they are
written.  One mypy run checks every ```python sample that the docs tests run
(each a module of its own); one marked not run is often a fragment that uses
names from its neighbours, and is left out here as it is there.

Needs mypy (the ``lint`` extra, which the ``typecheck`` nox session installs);
skipped without it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .samples import ALL


def typed_samples() -> dict[str, str]:
    """Module name -> source, for every checked sample."""
    found = {}
    for sample in ALL:
        if sample.language != "python" or sample.not_run is not None:
            continue
        found[re.sub(r"\W", "_", f"sample_{sample.page}_{sample.line}")] = sample.code
    return found


@pytest.fixture(scope="module")
def mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache for this file's runs; a fresh one, since a shared cache
    replays a module's old errors when a file of the same name moved."""
    return tmp_path_factory.mktemp("mypy_cache")


def run_mypy(tmp_path: Path, cache: Path, modules: dict[str, str]) -> tuple[str, int]:
    api = pytest.importorskip("mypy.api", reason="mypy is not installed (the lint extra)")
    for name, source in modules.items():
        (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    stdout, stderr, status = api.run(
        [
            "--strict",
            "--no-error-summary",
            "--cache-dir",
            str(cache),
            *(str(tmp_path / f"{name}.py") for name in modules),
        ]
    )
    return stdout + stderr, status


def test_pages_have_samples() -> None:
    assert len(typed_samples()) >= 11


def test_samples_pass_mypy_strict(tmp_path: Path, mypy_cache: Path) -> None:
    output, status = run_mypy(tmp_path, mypy_cache, typed_samples())
    assert status == 0, output


def test_mixed_header_dict_checks_and_a_wrong_value_is_caught(
    tmp_path: Path, mypy_cache: Path
) -> None:
    # The check can fail: the same literal with a float value must be refused,
    # while the natural forms (literal, list of pairs, an annotated dict) pass.
    good = (
        "import uuid\n"
        "import eventstream as es\n"
        "m = es.Message(headers={':event-type': 'x', 'attempt': es.Short(2), 'raw': b'..',"
        " 'final': False, 'id': uuid.UUID(int=1), 'n': 3}, payload=b'')\n"
        "h = es.Headers([(':event-type', 'x'), ('attempt', es.Short(2))])\n"
        "d: dict[str, es.HeaderValueIn] = {'a': 1, 'b': 'x'}\n"
        "es.encode_headers(d)\n"
        "t: str | None = m.event_type\n"
    )
    bad = "import eventstream as es\nes.Message(headers={':event-type': 'x', 'ratio': 0.5})\n"
    output, status = run_mypy(tmp_path, mypy_cache, {"good_sample": good, "bad_sample": bad})
    assert status == 1
    errors = [line for line in output.splitlines() if ": error:" in line]
    assert errors, output
    assert all(line.startswith(str(tmp_path / "bad_sample.py")) for line in errors), output
