"""Screening: a pure library (no database, no settings, no HTTP) matching people across scripts.

Build a ``Screener`` from watchlist ``Subject`` entries, then ``check`` one traveller or
``screen`` a manifest; each ``Match`` carries a 0-1 score and a readable explanation.
"""

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
