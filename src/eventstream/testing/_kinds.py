"""Picking a named kind of damage (shared by the mutators and the corruptions)."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import TypeVar

_T = TypeVar("_T")


def pick_kind(
    table: Mapping[str, _T], kind: str | None, rng: random.Random, what: str
) -> tuple[str, _T]:
    """``(kind, table[kind])``, a random entry when ``kind`` is None; a clear
    ``ValueError`` for a name not in ``table``."""
    if kind is None:
        kind = rng.choice(tuple(table))
    try:
        return kind, table[kind]
    except KeyError:
        raise ValueError(f"unknown {what} kind {kind!r}; expected one of {tuple(table)}") from None
