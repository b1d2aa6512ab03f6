"""Align the tokens of two names and say how each pair of parts matched.

Tokens are compared in any order (first and last names are often swapped), a part of one name
may be two joined parts of the other (``Abdelhay`` / ``Abdel Hay``, ``Xiaoming`` / ``Xiao
Ming``), and parts present on one side only (a missing middle name) cost less than a clash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import OSA, Levenshtein

from jisr.screening.names import NameForm, Script
from jisr.screening.names.eastasian import romanization_keys
from jisr.screening.names.phonetic import coarse_skeleton, finish_skeleton, skeleton_variants


class How(StrEnum):
    EXACT = "exact"
    VARIANT = "transliteration variant"
    PHONETIC = "phonetic"
    TYPO = "typo"
    INITIAL = "initial"
    MISSING = "missing"


@dataclass(frozen=True, slots=True)
class PartMatch:
    query: str
    candidate: str
    score: float
    how: How
    # Name parts covered: 2 when two joined parts of one name matched one part of the other.
    size: int = 1


@dataclass(frozen=True, slots=True)
class NameAlignment:
    score: float
    parts: tuple[PartMatch, ...]

    def describe(self) -> str:
        """E.g. ``salek~salk (transliteration variant), hay missing``."""
        out = []
        for part in self.parts:
            if part.how is How.MISSING:
                out.append(f"{part.query or part.candidate} missing")
            elif part.how is How.EXACT:
                out.append(f"{part.query} (exact)")
            else:
                out.append(f"{part.query}~{part.candidate} ({part.how.value})")
        return ", ".join(out)


# Cost of a part present in one name only, relative to a clash, when at least two parts match.
MISSING_PART_COST = 0.35


# A unit: one part, or (``merges``) two adjacent parts read as one. Tuples, not objects: the
# alignment runs for every candidate. (first, last, token, skeleton, weight, span bit mask)
_Unit = tuple[int, int, str, str, float, int]


def _units(form: NameForm, merges: bool) -> tuple[_Unit, ...]:
    return _cached_units(form.tokens, form.skeletons, merges)


@lru_cache(maxsize=65_536)
def _cached_units(
    tokens: tuple[str, ...], skeletons: tuple[str, ...], merges: bool
) -> tuple[_Unit, ...]:
    units = [
        (i, i, t, s, _weight(s), 1 << i)
        for i, (t, s) in enumerate(zip(tokens, skeletons, strict=True))
    ]
    if merges:
        for i in range(len(tokens) - 1):
            token = tokens[i] + tokens[i + 1]
            skeleton = finish_skeleton(skeletons[i] + skeletons[i + 1])
            units.append((i, i + 1, token, skeleton, _weight(skeleton), 3 << i))
    return tuple(units)


# A match through a less usual rendering of an ambiguous letter (ق as g, ض as z) counts a
# little less than through the everyday one.
_OTHER_RENDERING = 0.98


@lru_cache(maxsize=262_144)
def compare_tokens(
    query: str, q_skel: str, cand: str, c_skel: str, cross: bool
) -> tuple[float, How]:
    """Similarity of two name parts. ``cross``: one side came from a non-Latin script.

    An Arabic-script skeleton may stand for several Latin ones (``skeleton_variants``); the
    best reading counts."""
    q_vars, c_vars = skeleton_variants(q_skel), skeleton_variants(c_skel)
    if len(q_vars) == 1 and len(c_vars) == 1:
        return _compare(query, q_vars[0], cand, c_vars[0], cross)
    best = (0.0, How.MISSING)
    for i, q in enumerate(q_vars):
        for j, c in enumerate(c_vars):
            score, how = _compare(query, q, cand, c, cross)
            if i or j:
                score *= _OTHER_RENDERING
            if score > best[0]:
                best = (score, how)
    return best


def _compare(query: str, q_skel: str, cand: str, c_skel: str, cross: bool) -> tuple[float, How]:
    if query == cand:
        return 1.0, How.EXACT
    if romanization_keys(query) & romanization_keys(cand):
        # Zhang / Cheung / Chang, Hsiao-ming / Xiaoming, Pak / Park: one East Asian name
        # in pinyin, Wade-Giles, Cantonese or Korean romanisations.
        return 0.92, How.VARIANT
    if not cross and (len(query) == 1 or len(cand) == 1):
        if query[0] == cand[0]:
            return 0.8, How.INITIAL
        return 0.0, How.MISSING
    if q_skel == c_skel and q_skel != "V":
        if cross:
            return 0.95, How.VARIANT
        spelled = max(
            OSA.normalized_similarity(query, cand),
            OSA.normalized_similarity(_fold_vowels(query), _fold_vowels(cand)),
        )
        if spelled >= 0.6:
            return max(0.92, spelled), How.VARIANT
        # Same consonants, other vowels: Hossein / Ehsan, Salim / Sulaym are other names.
        return (0.7 + 0.25 * spelled if len(q_skel) >= 3 else 0.82), How.PHONETIC
    if _without_particle(q_skel) == _without_particle(c_skel):
        return 0.88, How.VARIANT
    q_coarse, c_coarse = coarse_skeleton(q_skel), coarse_skeleton(c_skel)
    if cross and q_coarse == c_coarse and len(q_coarse) >= 2:
        return 0.88, How.VARIANT
    sound = max(
        Levenshtein.normalized_similarity(q_skel, c_skel),
        0.95 * Levenshtein.normalized_similarity(q_coarse, c_coarse),
    )
    if cross:
        return 0.9 * sound, How.PHONETIC
    # OSA counts a swap of two adjacent letters (Robetr / Robert) as one typo.
    spelled = OSA.normalized_similarity(query, cand)
    if spelled >= 0.9 * sound:
        return spelled, How.TYPO
    # Within Latin script the vowels are written: near consonants with other vowels
    # (Tubaigy / Atabak, Khalil / Ale) are weak evidence.
    vowels = OSA.normalized_similarity(_fold_vowels(query), _fold_vowels(cand))
    return 0.9 * sound * (0.7 + 0.3 * vowels), How.PHONETIC


_VOWEL_SPELLINGS = (("ou", "u"), ("oo", "u"), ("ee", "i"), ("ie", "i"), ("o", "u"), ("e", "i"))
_DOUBLES = re.compile(r"(.)\1+")


@lru_cache(maxsize=65_536)
def _fold_vowels(token: str) -> str:
    """One spelling per vowel sound and no doubled letters: ``youssef`` and ``yusuf`` become
    ``yusif`` / ``yusuf`` (French ou, English oo/ee, Arabic short vowels written e or i)."""
    token = _DOUBLES.sub(r"\1", token)
    for spelled, vowel in _VOWEL_SPELLINGS:
        token = token.replace(spelled, vowel)
    # Abu / Abou / Bou: the Maghrebi form drops the first vowel (Bouchaib, Abu Shuayb).
    return token[1:] if token.startswith("abu") else token


@lru_cache(maxsize=65_536)
def _without_particle(skeleton: str) -> str:
    """``Ben Ali`` / ``Ali``, ``Ould Salem`` / ``Salem``: the particle is often left out."""
    for particle in ("BN", "LD", "L"):
        if skeleton.startswith(particle) and len(skeleton) > len(particle):
            return skeleton[len(particle) :]
    return skeleton


def _weight(skeleton: str) -> float:
    return 0.6 + 0.2 * min(len(skeleton), 4)


_LOSSY = frozenset({Script.ARABIC, Script.OTHER})


def align_names(query: NameForm, cand: NameForm) -> NameAlignment:
    """Best order-free alignment of two names' parts, scored 0-1."""
    if not query.tokens or not cand.tokens:
        return NameAlignment(0.0, ())
    # Pinyin from Han characters is a Latin spelling; Arabic script and ICU's readings of
    # other scripts lose vowels or letters, and are compared more leniently.
    cross = query.script in _LOSSY or cand.script in _LOSSY
    nq, nc = len(query.tokens), len(cand.tokens)
    q_units = _units(query, merges=nq > 1)
    c_units = _units(cand, merges=nc > 1)
    scored: list[tuple[float, _Unit, _Unit, How]] = []
    for qu in q_units:
        q_merged = qu[0] != qu[1]
        for cu in c_units:
            if q_merged and cu[0] != cu[1]:
                continue
            score, how = compare_tokens(qu[2], qu[3], cu[2], cu[3], cross)
            if score > 0.5:
                scored.append((score, qu, cu, how))
    # Best pairs first; equal scores keep their order (query part, then candidate part).
    scored.sort(key=_first, reverse=True)
    q_used = c_used = 0
    parts: list[PartMatch] = []
    num = 0.0
    den = 0.0
    matched = 0
    for score, qu, cu, how in scored:
        if q_used & qu[5] or c_used & cu[5]:
            continue
        q_used |= qu[5]
        c_used |= cu[5]
        weight = qu[4] + cu[4]
        num += score * score * weight
        den += weight
        size = max(qu[1] - qu[0], cu[1] - cu[0]) + 1
        parts.append(PartMatch(qu[2], cu[2], score, how, size))
        if score >= 0.75 and how is not How.INITIAL:
            matched += 1
    cost = MISSING_PART_COST if matched >= 2 else 1.0
    q_left = [u for u in q_units[:nq] if not q_used & u[5]]
    c_left = [u for u in c_units[:nc] if not c_used & u[5]]
    if q_left or c_left:
        # A part on each side that matches nothing is a clash (different names), not a gap.
        clashes = min(len(q_left), len(c_left))
        for left in (q_left, c_left):
            for rank, weight in enumerate(sorted((u[4] for u in left), reverse=True)):
                den += weight * (1.0 if rank < clashes else cost)
        parts.extend(PartMatch(u[2], "", 0.0, How.MISSING) for u in q_left)
        parts.extend(PartMatch("", u[2], 0.0, How.MISSING) for u in c_left)
    if not matched:
        num *= 0.5
    return NameAlignment(num / den if den else 0.0, tuple(parts))


def _first(item: tuple[float, _Unit, _Unit, How]) -> float:
    return item[0]
