"""The optional ``h2`` dependency (python-hyper's sans-IO HTTP/2), imported on first use.

Everything else in :mod:`eventstream` works without it; the duplex session and the
loopback HTTP/2 server say which extra to install when it is missing.
"""

from __future__ import annotations

import importlib
from types import ModuleType

_MISSING = (
    "{what} needs the 'h2' package (python-hyper's HTTP/2): pip install 'eventstream-codec[h2]'"
)


def require_h2(what: str) -> ModuleType:
    """The ``h2`` package, or an ``ImportError`` naming the extra and ``what`` needs it."""
    try:
        importlib.import_module("h2.events")
        importlib.import_module("h2.connection")
        importlib.import_module("h2.config")
        importlib.import_module("h2.exceptions")
        importlib.import_module("h2.settings")
        return importlib.import_module("h2")
    except ImportError as exc:
        raise ImportError(_MISSING.format(what=what)) from exc
