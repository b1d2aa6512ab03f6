"""Features: small documented functions comparing one aspect of a query and a listed subject.

Each returns a ``Feature`` (a value in -1..1 and a sentence); the docstring is the text shown
to users to explain the feature. Weights live in the algorithm's table, not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from jisr.screening.model import Subject, SubjectKind


@dataclass(frozen=True, slots=True)
class Feature:
    value: float
    detail: str | None = None


FeatureFunction = Callable[[Subject, Subject], Feature]
NONE = Feature(0.0)


@lru_cache(maxsize=65_536)
def _parse_date(text: str) -> tuple[int, int | None, int | None] | None:
    match = re.match(r"^\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if match is None:
        return None
    year, month, day = match.groups()
    return int(year), int(month) if month else None, int(day) if day else None


def _precise(month: int | None, day: int | None) -> tuple[int | None, int | None]:
    # Civil registers and lists often write an unknown day of birth as 1 January.
    return (None, None) if month == 1 and day == 1 else (month, day)


@lru_cache(maxsize=65_536)
def _compare_dates(a: str, b: str) -> tuple[float, str]:
    """Compare two dates at the precision both give (1 January counts as the year only)."""
    pa, pb = _parse_date(a), _parse_date(b)
    if pa is None or pb is None:
        return 0.0, ""
    (ya, ma, da), (yb, mb, db) = pa, pb
    (ma, da), (mb, db) = _precise(ma, da), _precise(mb, db)
    gap = abs(ya - yb)
    # A year one off or day and month swapped are typing slips: they weaken, never veto.
    if ma is None or mb is None:
        if gap == 0:
            return 0.5, "same year"
        return (-0.2, "a year apart") if gap == 1 else (-1.0, "conflicting")
    if (ya, ma) == (yb, mb):
        if da is None or db is None:
            return 0.7, "same month"
        return (1.0, "exact") if da == db else (-0.5, "same month, another day")
    swapped = da is not None and da == mb and db == ma
    if gap == 0 and swapped:
        return 0.6, "day and month swapped"
    if gap == 1 and (ma, da) == (mb, db):
        return -0.2, "same day and month, a year apart"
    if gap == 1 and swapped:
        return -0.3, "day and month swapped, a year apart"
    if gap <= 1:
        return -0.7, "another date" + (", a year apart" if gap else "")
    return -1.0, "conflicting"


def dob_feature(query: Subject, cand: Subject) -> Feature:
    """Date of birth: exact or compatible partial dates support the match; different dates
    count against it, strongly when more than a year apart. Dates are compared at the
    precision both give (1 January is read as an unknown day); missing dates are neutral."""
    best: tuple[float, str] | None = None
    for a in query.birth_dates:
        for b in cand.birth_dates:
            value, how = _compare_dates(a, b)
            if how and (best is None or value > best[0]):
                best = (value, how)
    if best is None:
        return NONE
    value, how = best
    return Feature(value, f"date of birth {how} ({query.birth_dates[0]} / {cand.birth_dates[0]})")


# Full dates that differ by a typing slip only: the same person, written carelessly.
_SLIPS = frozenset(
    {
        # A year one off where one side gives the year only: the year's typing slip.
        "a year apart",
        "same day and month, a year apart",
        "day and month swapped",
        "day and month swapped, a year apart",
    }
)


def birth_year_agrees(query: Subject, cand: Subject) -> bool:
    """Whether the dates of birth agree at least on the year, or differ only by a slip (a
    year one off with the same day and month or with no day and month to compare, day and
    month swapped)."""
    for a in query.birth_dates:
        for b in cand.birth_dates:
            value, how = _compare_dates(a, b)
            if value >= 0.5 or how in _SLIPS:
                return True
    return False


def nationality_feature(query: Subject, cand: Subject) -> Feature:
    """Nationality: a shared nationality supports the match, entirely different nationalities
    count slightly against it (people hold several and lists are incomplete)."""
    if not query.nationalities or not cand.nationalities:
        return NONE
    qs = {n.lower() for n in query.nationalities}
    cs = {n.lower() for n in cand.nationalities}
    if not qs or not cs:
        return NONE
    shared = qs & cs
    if shared:
        return Feature(1.0, f"same nationality ({', '.join(sorted(shared))})")
    return Feature(
        -1.0, f"different nationality ({', '.join(sorted(qs))} / {', '.join(sorted(cs))})"
    )


def gender_feature(query: Subject, cand: Subject) -> Feature:
    """Gender: a different recorded gender counts against the match."""
    if not query.gender or not cand.gender:
        return NONE
    if query.gender.lower() == cand.gender.lower():
        return Feature(1.0, "same gender")
    return Feature(-1.0, f"different gender ({query.gender} / {cand.gender})")


@lru_cache(maxsize=65_536)
def _doc_key(number: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", number.upper())


def document_feature(query: Subject, cand: Subject) -> Feature:
    """Identity document: the same passport or ID number is strong evidence; different numbers
    count a little against (people renew documents and hold several)."""
    if not query.documents or not cand.documents:
        return NONE
    qs = {k for k in map(_doc_key, query.documents) if len(k) >= 4}
    cs = {k for k in map(_doc_key, cand.documents) if len(k) >= 4}
    if not qs or not cs:
        return NONE
    shared = qs & cs
    if shared:
        return Feature(1.0, f"same document number {sorted(shared)[0]}")
    return Feature(-1.0, "different document numbers")


def kind_feature(query: Subject, cand: Subject) -> Feature:
    """Kind: a person against an organisation, vessel or aircraft entry (or an organisation
    against a vessel) is another thing with a similar name; a generic legal entity is neither."""
    if query.kind is cand.kind:
        return NONE
    kinds = {query.kind, cand.kind}
    if len(kinds) == 1 or SubjectKind.OTHER in kinds:
        return NONE
    return Feature(-1.0, f"{query.kind.value.lower()} against {cand.kind.value.lower()} entry")
