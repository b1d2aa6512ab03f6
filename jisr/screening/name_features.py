"""Name-evidence features: how much a name match, however close, can say on its own.

Two names can agree perfectly and still identify nobody: a single part (``Hannibal``,
``Mataa``), a short name (``Ma Tao``, ``Li Na``), or only very common parts (``Mohamed Ali``,
``Wang Wei``). These features look at the aligned parts and count against such matches, so that
they need a date of birth or a document to reach the threshold: both are lifted when the date
of birth agrees to the month or a document number is the same (``corroborated``).
"""

from __future__ import annotations

from collections.abc import Callable

from jisr.screening.alignment import How, NameAlignment, PartMatch
from jisr.screening.features import NONE, Feature, birth_year_agrees
from jisr.screening.model import Subject, SubjectKind
from jisr.screening.names.common import is_common_part

NameFeatureFunction = Callable[[Subject, Subject, NameAlignment, bool], Feature]
# A part below this score is not an agreement (same cut as the alignment's own count).
_AGREES = 0.75
# Fewer letters than this in the agreeing parts is a short name (Li Na, Ma Tao, Wu Ping).
_SHORT_LETTERS = 7
# For organisations only names shorter than this are too short to identify anything.
_SHORT_ORG_LETTERS = 3


def _agreeing(alignment: NameAlignment) -> list[PartMatch]:
    return [
        p
        for p in alignment.parts
        if p.score >= _AGREES and p.how is not How.INITIAL and p.how is not How.PARTICLE
    ]


def short_name_feature(
    query: Subject, cand: Subject, alignment: NameAlignment, corroborated: bool
) -> Feature:
    """Short name: the names agree on a single part (``Hannibal``, ``Mataa``), or on parts with
    fewer than seven letters in all (``Ma Tao``, ``Li Na``). Many people share such a name, so
    it needs a date of birth or a document; the same birth year lifts it to a candidate shown
    with this reason, and a listed mononym (the list says the one name is the whole name)
    is not short. Initials count as parts but not as letters; for organisations only names of
    one or two letters are too short."""
    parts = _agreeing(alignment)
    if not parts or corroborated:
        return NONE
    if cand.mononym and len(parts) == 1 and len(cand.names[0].split()) == 1:
        # The list says this one name is the person's whole name.
        return NONE
    initials = sum(1 for p in alignment.parts if p.how is How.INITIAL)
    covered = sum(p.size for p in parts) + initials
    letters = max(sum(len(p.query) for p in parts), sum(len(p.candidate) for p in parts))
    if SubjectKind.PERSON not in (query.kind, cand.kind):
        if letters >= _SHORT_ORG_LETTERS:
            return NONE
    elif covered >= 2 and letters >= _SHORT_LETTERS:
        return NONE
    listed = " ".join(p.candidate for p in parts)
    if birth_year_agrees(query, cand):
        # A single name with the same year of birth is a candidate to show, with its reason.
        return Feature(-0.4, f"short name: only {listed!r} agrees, with the same birth year")
    return Feature(-1.0, f"short name: only {listed!r} agrees")


def common_parts_feature(
    query: Subject, cand: Subject, alignment: NameAlignment, corroborated: bool
) -> Feature:
    """Common parts: every agreeing part is a very common name (Mohamed, Wang, Garcia) or at
    most two letters long; such names are shared by many people."""
    parts = _agreeing(alignment)
    if len(parts) < 2 or corroborated:
        return NONE
    for part in parts:
        tokens = [t for t in (part.query, part.candidate) if t]
        # A romanised Arabic-script part is short for want of vowels (عزت: zt), so a part is
        # very short only when both sides are.
        if not (any(is_common_part(t) for t in tokens) or all(len(t) <= 2 for t in tokens)):
            return NONE
    listed = ", ".join(p.candidate for p in parts)
    if birth_year_agrees(query, cand):
        return Feature(
            -0.4, f"only common or very short name parts agree ({listed}), same birth year"
        )
    return Feature(-1.0, f"only common or very short name parts agree ({listed})")
