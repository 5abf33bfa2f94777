"""What pyproject.toml cannot say stably: the optional C module and the build's scratch space.

eventstream._cfeed (src/eventstream/_cfeed.c) is the compiled fast path of
Decoder.feed.  optional=True: where it does not build (no compiler, no Python
headers) the install goes on without it and the pure-Python path serves, with
the same answers (src/eventstream/_feedgate.py).

Environment switches, read at build time:

- ``EVENTSTREAM_PURE_PYTHON=1``: no C module; the wheel is ``py3-none-any``
  (the same variable makes an installed C module unused at run time).
- ``EVENTSTREAM_ABI3=1``: build the C module against the stable ABI
  (``Py_LIMITED_API`` 3.9): one ``cp39-abi3`` wheel for CPython 3.9 and later,
  instead of one ``cpXY-cpXY`` wheel per version.  Not the default: the
  one-byte feed is slower that way (``python -m benchmarks.builds`` measures
  both builds in one run).
"""

import atexit
import os
import shutil
import tempfile

from setuptools import Extension, setup


def _switch(name: str, default: str) -> bool:
    return os.environ.get(name, default) not in ("", "0")


ext_modules = []
options = {}
if not _switch("EVENTSTREAM_PURE_PYTHON", ""):
    if _switch("EVENTSTREAM_ABI3", ""):
        ext_modules.append(
            Extension(
                "eventstream._cfeed",
                ["src/eventstream/_cfeed.c"],
                optional=True,
                define_macros=[("Py_LIMITED_API", "0x03090000")],
                py_limited_api=True,
            )
        )
        options["bdist_wheel"] = {"py_limited_api": "cp39"}
    else:
        ext_modules.append(
            Extension("eventstream._cfeed", ["src/eventstream/_cfeed.c"], optional=True)
        )

# pip builds in the checkout; setuptools' work files (build/, *.egg-info) go
# to a temporary directory instead, so an install leaves the tree as it was.
scratch = tempfile.mkdtemp(prefix="eventstream-build-")
atexit.register(shutil.rmtree, scratch, True)
options["build"] = {"build_base": os.path.join(scratch, "build")}
options["egg_info"] = {"egg_base": scratch}

setup(ext_modules=ext_modules, options=options)
