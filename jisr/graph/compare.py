"""The one comparison both the incremental linker and the batch engines run.

Names go through the screening engine's cross-script analysis and its ``jisr-v1`` scoring
algorithm (birth date, nationality, gender, documents included); strong identifiers come on
top: an identifying value both entities carry (passport or ID number, IBAN, e-mail) makes them
the same unless their names disagree, a shared phone only supports a name match. Pairs are
always scored with the smaller id first, so every engine computes the same score for a pair.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from rapidfuzz import fuzz

from jisr.graph.profiles import IDENTIFYING, SUPPORTING, Profile
from jisr.screening import Subject, SubjectKind, get_algorithm
from jisr.screening.names import NameForm, analyze_name

ALGORITHM = "jisr-v1"
# Scores at or above AUTO_LINK merge two entities without an analyst; between REVIEW and
# AUTO_LINK the pair waits in the judgement queue.
AUTO_LINK = 0.9
REVIEW = 0.7
# An identifying value agreeing: this score, unless the names clearly disagree.
_IDENTIFIER_SCORE = 0.97
_IDENTIFIER_NAME_FLOOR = 0.5
_IDENTIFIER_CONFLICT_SCORE = 0.8
_PHONE_SUPPORT = 0.1
# A name shared by at least this many entities (the size of the rarest name key the pair
# shares, a term-frequency measure) is common: alone, without a date of birth, identifier or
# phone agreeing, it only puts the pair in the review queue.
COMMON_NAME = 10
_COMMON_CAP = 0.85
# A name aligning at least this well plus the same full date of birth is the same person for
# resolution (screening, which must not stop travellers on that, asks more of the name).
_DATED_NAME = 0.6
_DATED_SCORE = 0.92
# Name keys: pairs of part skeletons among the first parts of each name.
_KEY_PARTS = 4
_KIND = {
    "Person": SubjectKind.PERSON,
    "Organization": SubjectKind.ORGANIZATION,
    "Vessel": SubjectKind.VESSEL,
    "Airplane": SubjectKind.AIRCRAFT,
}
_LABELS = {"doc": "document number", "iban": "account", "email": "e-mail", "phone": "phone"}


@dataclass(frozen=True, slots=True)
class Prepared:
    """A profile with its names analysed once."""

    profile: Profile
    subject: Subject
    forms: tuple[NameForm, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    score: float
    explanation: str


@lru_cache(maxsize=200_000)
def _analyse(name: str, person: bool) -> NameForm | None:
    form = analyze_name(name, person=person)
    return form if form.tokens else None


def prepare(profile: Profile) -> Prepared:
    person = profile.family == "Person"
    forms = tuple(f for f in (_analyse(n, person) for n in profile.names if n.strip()) if f)
    subject = Subject(
        id=profile.id,
        names=profile.names or ("",),
        kind=_KIND.get(profile.family, SubjectKind.OTHER),
        birth_dates=profile.birth_dates,
        nationalities=profile.nationalities,
        gender=profile.gender,
        documents=profile.values("doc"),
    )
    return Prepared(profile, subject, forms if profile.named else ())


def blocking_keys(prepared: Prepared) -> list[str]:
    """Keys under which candidates are looked up: identifiers, and name-part skeleton pairs
    (cross-script: an Arabic and a Latin spelling of one name share their skeletons)."""
    profile = prepared.profile
    family = profile.family
    keys: dict[str, None] = {}
    for kind in (*IDENTIFYING, *SUPPORTING):
        for value in profile.values(kind):
            keys[f"{family}|{kind}:{value}"[:200]] = None
    for form in prepared.forms:
        skeletons = sorted({s for s in form.skeletons[:_KEY_PARTS] if s})
        if len(skeletons) == 1:
            keys[f"{family}|n1:{skeletons[0]}"[:200]] = None
        for first, second in combinations(skeletons, 2):
            keys[f"{family}|n:{first}+{second}"[:200]] = None
        # A full date of birth with a part's initial sound: finds pairs whose names are
        # spelled too differently to share a skeleton pair.
        for date in profile.birth_dates:
            if len(date) == 10:
                for skeleton in skeletons:
                    keys[f"{family}|d:{date}:{skeleton[0]}"] = None
    return list(keys)


def _same_full_date(a: Profile, b: Profile) -> bool:
    full = {d for d in a.birth_dates if len(d) == 10 and not d.endswith("-01-01")}
    return bool(full & set(b.birth_dates))


def is_name_key(key: str) -> bool:
    return "|n" in key


# Below this token-set similarity of the names' skeletons (0-100) a pair with no identifier,
# phone or full date of birth in common cannot reach REVIEW: it is not scored in full.
_QUICK_FLOOR = 55.0


def worth_comparing(left: Prepared, right: Prepared) -> bool:
    """A cheap test (a few microseconds) run before ``compare`` on every candidate pair."""
    a, b = left.profile, right.profile
    if a.family != b.family:
        return False
    for kind in (*IDENTIFYING, *SUPPORTING):
        if set(a.values(kind)) & set(b.values(kind)):
            return True
    if not (left.forms and right.forms):
        return False
    if _same_full_date(a, b):
        return True
    return (
        max(
            fuzz.token_set_ratio(" ".join(x.skeletons), " ".join(y.skeletons))
            for x in left.forms
            for y in right.forms
        )
        >= _QUICK_FLOOR
    )


def compare(left: Prepared, right: Prepared, name_frequency: int = 1) -> Comparison:
    """Score a pair 0-1 with the evidence in words; symmetric (the smaller id goes first).
    ``name_frequency``: how many entities share the rarest name key of the pair."""
    if right.profile.id < left.profile.id:
        left, right = right, left
    a, b = left.profile, right.profile
    if a.family != b.family:
        return Comparison(0.0, f"{a.family} against {b.family}")
    shared = [
        (kind, value)
        for kind in IDENTIFYING
        for value in sorted(set(a.values(kind)) & set(b.values(kind)))
    ]
    phones = sorted(set(a.values("phone")) & set(b.values("phone")))
    reasons: list[str] = [f"same {_LABELS[kind]} {value}" for kind, value in shared[:2]]
    name_score: float | None = None
    dated = False
    if left.forms and right.forms:
        scored = get_algorithm(ALGORITHM).score(
            left.subject, left.forms, right.subject, right.forms
        )
        name_score = scored.score
        dated = scored.features.get("dob", 0.0) > 0
        if (
            scored.features.get("name", 0.0) >= _DATED_NAME
            and _same_full_date(left.profile, right.profile)
            and name_score < _DATED_SCORE
        ):
            name_score = _DATED_SCORE
            reasons.append("the same full date of birth")
        reasons.append(scored.explanation)
    if shared:
        if name_score is None or name_score >= _IDENTIFIER_NAME_FLOOR:
            score = max(_IDENTIFIER_SCORE, name_score or 0.0)
        else:
            score = _IDENTIFIER_CONFLICT_SCORE
            reasons.append("the names disagree")
    elif name_score is None:
        return Comparison(0.0, "nothing to compare")
    else:
        score = name_score
        if phones and score >= REVIEW - _PHONE_SUPPORT:
            score = min(1.0, score + _PHONE_SUPPORT)
            reasons.append(f"same phone {phones[0]}")
        elif not dated and name_frequency >= COMMON_NAME and score > _COMMON_CAP:
            score = _COMMON_CAP
            reasons.append(f"a common name ({name_frequency} entities share it), uncorroborated")
    return Comparison(round(score, 4), "; ".join(reasons))
