"""``eventstream lambda``: placeholder until the Lambda layer is merged."""

from __future__ import annotations

import argparse

from ._errors import CliError


def run(args: argparse.Namespace) -> int:
    raise CliError("not yet")
