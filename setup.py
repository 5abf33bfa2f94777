"""The one thing pyproject.toml cannot say stably: the optional C module.

eventstream._cfeed (src/eventstream/_cfeed.c) is the compiled fast path of
Decoder.feed.  optional=True: where it does not build (no compiler,
no Python headers) the install goes on without it and the pure-Python path
serves, with the same answers (src/eventstream/_feedgate.py chooses, once, at import).
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension("eventstream._cfeed", ["src/eventstream/_cfeed.c"], optional=True),
    ]
)
