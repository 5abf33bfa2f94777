"""The project's checks as named sessions, each runnable on its own.

    nox -l                  # the sessions
    nox -s tests-3.12       # the README's test command on one interpreter
    nox -s lint typecheck   # ruff and mypy --strict
    nox -s tests_pure       # the whole suite with the pure-Python feed()
    nox -s no_compiler      # an install where the C module cannot build
    nox -s fuzz             # a bounded atheris run (FUZZ_SECONDS per harness)

``.ci/run`` installs nox and calls these.  Every session builds a fresh
virtualenv and installs the project into it, as a user would.
"""

from __future__ import annotations

import os
import shutil

import nox

PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]
# One interpreter is enough for the checks that do not depend on it.
MAIN_PYTHON = "3.12"

nox.options.sessions = ["tests", "tests_pure", "lint", "typecheck", "no_compiler"]
nox.options.reuse_venv = "no"
# No interpreter is fetched from the network: a missing one is a skip.
nox.options.download_python = "never"


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The README's test command, word for word, in a fresh virtualenv."""
    session.run("pip", "install", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python=MAIN_PYTHON)
def tests_pure(session: nox.Session) -> None:
    """The whole suite with the pure-Python feed(), which an install without a compiler runs."""
    session.install(".[test]")
    env = {"EVENTSTREAM_PURE_PYTHON": "1", "EVENTSTREAM_REQUIRE_COMPILED": "0"}
    session.run("python", "-m", "pytest", "-q", *session.posargs, env=env)


@nox.session(python=MAIN_PYTHON)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check (configuration in pyproject.toml)."""
    session.install(".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python=MAIN_PYTHON)
def typecheck(session: nox.Session) -> None:
    """mypy --strict over src/, with the optional dependencies installed."""
    session.install(".[test,lint]")
    session.run("mypy", "--strict", "src")


@nox.session(python=MAIN_PYTHON)
def no_compiler(session: nox.Session) -> None:
    """An install where the C module cannot build must go on and fall back to Python.

    CC=false stands in for a machine with no compiler.
    """
    # build/ would hand the install a module compiled by an earlier one.
    shutil.rmtree("build", ignore_errors=True)
    session.run("pip", "install", "-q", ".", env={"CC": "false"})
    version = session.run("eventstream", "--version", silent=True) or ""
    session.log(version.strip())
    if "feed: python" not in version:
        session.error(f"expected the pure-Python feed after a compiler-less install: {version!r}")
    session.run("eventstream", "decode", "fixtures/lambda-stream.bin", silent=True)
    session.log("fell back to the pure-Python feed")


@nox.session(python=list(reversed(PYTHONS)))
def fuzz(session: nox.Session) -> None:
    """A bounded atheris run of the harnesses in fuzz/ (FUZZ_SECONDS each, 20 by default).

    atheris ships wheels for some interpreters only and no compiler is
    assumed, so where it does not install the session is skipped, not failed.
    A crashing input is kept in fuzz-artifacts/ (and printed in base64).
    """
    try:
        session.install("--only-binary", "atheris", ".[fuzz]", silent=True)
    except nox.command.CommandFailed:
        session.skip("atheris does not install on this interpreter")
    seconds = os.environ.get("FUZZ_SECONDS", "20")
    session.run("python", "fuzz/run.py", "--seconds", seconds)
