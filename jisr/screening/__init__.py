"""Screening: a pure library (no database, no settings, no HTTP) matching people across scripts.

Build a ``Screener`` from watchlist ``Subject`` entries, then ``check`` one traveller or
``screen`` a manifest; each ``Match`` carries a 0-1 score and a readable explanation.

The names below are loaded on first use (name analysis loads ICU and dictionaries), so that
importing ``jisr.screening.module`` for ``jisr --help`` costs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jisr.screening.algorithms import ScoringAlgorithm, UnknownAlgorithmError, get_algorithm
    from jisr.screening.model import Match, Subject, SubjectKind
    from jisr.screening.screener import DEFAULT_THRESHOLD, Screener

__all__ = [
    "DEFAULT_THRESHOLD",
    "Match",
    "ScoringAlgorithm",
    "Screener",
    "Subject",
    "SubjectKind",
    "UnknownAlgorithmError",
    "get_algorithm",
]


def __getattr__(name: str) -> object:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if name in {"ScoringAlgorithm", "UnknownAlgorithmError", "get_algorithm"}:
        from jisr.screening import algorithms as home
    elif name in {"Match", "Subject", "SubjectKind"}:
        from jisr.screening import model as home  # type: ignore[no-redef]
    else:
        from jisr.screening import screener as home  # type: ignore[no-redef]
    value: object = getattr(home, name)
    globals()[name] = value
    return value
