"""Name-evidence features: how much a name match, however close, can say on its own.

Two names can agree perfectly and still identify nobody: a single part (``Mataa``, ``MIT``,
``Ma Tao`` read as ``Matao``), or only very common parts (``Mohamed Ali``, ``Wang Wei``). These
features look at the aligned parts and count against such matches, so that they need a date of
birth or a document to reach the threshold: both features are lifted when the date of birth
agrees to the month or a document number is the same (``corroborated``).
"""

from __future__ import annotations

from collections.abc import Callable

from jisr.screening.alignment import How, NameAlignment, PartMatch
from jisr.screening.features import NONE, Feature
from jisr.screening.model import Subject, SubjectKind
from jisr.screening.names.common import is_common_part

NameFeatureFunction = Callable[[Subject, Subject, NameAlignment, bool], Feature]
# A part below this score is not an agreement (same cut as the alignment's own count).
_AGREES = 0.75
# An organisation's single-word name of this many letters or more is distinctive enough.
_DISTINCT_ORG_LETTERS = 5


def _agreeing(alignment: NameAlignment) -> list[PartMatch]:
    return [p for p in alignment.parts if p.score >= _AGREES and p.how is not How.INITIAL]


def single_part_feature(
    query: Subject, cand: Subject, alignment: NameAlignment, corroborated: bool
) -> Feature:
    """Single part: the names agree on one part only (one of them may have only one part, or
    two parts may be read as one). For people that is too little to identify anyone; for
    organisations only a short one-word name is."""
    parts = _agreeing(alignment)
    if len(parts) != 1 or corroborated:
        return NONE
    part = parts[0]
    people = SubjectKind.PERSON in (query.kind, cand.kind)
    if not people and min(len(part.query), len(part.candidate)) >= _DISTINCT_ORG_LETTERS:
        return NONE
    return Feature(-1.0, f"the names agree on one part only ({part.candidate or part.query})")


def common_parts_feature(
    query: Subject, cand: Subject, alignment: NameAlignment, corroborated: bool
) -> Feature:
    """Common parts: every agreeing part is a very common name (Mohamed, Wang, Garcia) or at
    most two letters long; such names are shared by many people."""
    parts = _agreeing(alignment)
    if len(parts) < 2 or corroborated:
        return NONE
    for part in parts:
        tokens = (part.query, part.candidate)
        if not any(is_common_part(t) or len(t) <= 2 for t in tokens if t):
            return NONE
    listed = ", ".join(p.candidate for p in parts)
    return Feature(-1.0, f"only common or very short name parts agree ({listed})")
