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
from jisr.screening.names.compounds import (
    PARTICLE_SKELETONS,
    split_compound,
    standalone_particle,
)
from jisr.screening.names.eastasian import romanization_keys
from jisr.screening.names.phonetic import coarse_skeleton, finish_skeleton, skeleton_variants


class How(StrEnum):
    EXACT = "exact"
    VARIANT = "transliteration variant"
    PHONETIC = "phonetic"
    TYPO = "typo"
    INITIAL = "initial"
    PARTICLE = "particle"
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


# A unit: one part, two adjacent parts read as one (``merges``), or one half of a compound part
# opened at its particle (``compounds``). Tuples, not objects: the alignment runs for every
# candidate. (first, last, token, skeleton, weight, span bit mask, kind, particle of a
# compound or ""). Each part owns two bits of the mask: its particle half and its rest; a whole
# part or a merge takes both.
_Unit = tuple[int, int, str, str, float, int, int, str]
_WHOLE, _PARTICLE, _ALONE, _REST, _MERGED = 0, 1, 2, 3, 4
# A match through the rest of a compound counts a little less than one between whole parts.
_HALF = 0.95
# The particle a missing particle costs, as a part present in one name only.
_PARTICLE_WEIGHT = 0.5
# "Servant of" and "father of" make another name (Abd al-Rahman is not Rahman, Abu Hamza not
# Hamza): the rest of such a compound meets a part of the other name only when that name has
# the particle too, on its own or in a compound. "Son of" and "ould" are often left out.
_NAME_MAKING = frozenset({"abd", "abu"})


@dataclass(frozen=True, slots=True)
class _Units:
    units: tuple[_Unit, ...]
    # Per part: the whole part, and its particle and rest halves when it is a compound.
    parts: tuple[tuple[_Unit, _Unit | None, _Unit | None], ...]
    # Particles the name has, on their own or opening a compound.
    particles: frozenset[str]


def _units(form: NameForm, merges: bool) -> _Units:
    return _cached_units(form.tokens, form.skeletons, merges, form.script is Script.ARABIC)


@lru_cache(maxsize=65_536)
def _cached_units(
    tokens: tuple[str, ...], skeletons: tuple[str, ...], merges: bool, romanised: bool
) -> _Units:
    units: list[_Unit] = []
    parts: list[tuple[_Unit, _Unit | None, _Unit | None]] = []
    extra: list[_Unit] = []
    particles: set[str] = set()
    for i, (t, s) in enumerate(zip(tokens, skeletons, strict=True)):
        split = split_compound(t, s, romanised)
        whole = (i, i, t, s, _weight(s), 3 << 2 * i, _WHOLE, split[0] if split else "")
        units.append(whole)
        particle_unit = rest_unit = None
        alone = standalone_particle(t)
        if alone is not None and len(tokens) > 1:
            # A particle left on its own (parts reordered: ``RAHIM Mufti Abdul``).
            skel = PARTICLE_SKELETONS[alone]
            extra.append((i, i, alone, skel, _PARTICLE_WEIGHT, 3 << 2 * i, _ALONE, alone))
            particles.add(alone)
        if split is not None:
            particle, rest, rest_skel = split
            skel = PARTICLE_SKELETONS[particle]
            particle_unit = (
                i, i, particle, skel, _PARTICLE_WEIGHT, 1 << 2 * i, _PARTICLE, particle
            )  # fmt: skip
            rest_unit = (i, i, rest, rest_skel, _weight(rest_skel), 2 << 2 * i, _REST, particle)
            extra.extend((particle_unit, rest_unit))
            particles.add(particle)
        parts.append((whole, particle_unit, rest_unit))
    if merges:
        for i in range(len(tokens) - 1):
            token = tokens[i] + tokens[i + 1]
            skeleton = finish_skeleton(skeletons[i] + skeletons[i + 1])
            units.append((i, i + 1, token, skeleton, _weight(skeleton), 15 << 2 * i, _MERGED, ""))
    return _Units(tuple(units + extra), tuple(parts), frozenset(particles))


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


def align_names(query: NameForm, cand: NameForm, halves: bool = True) -> NameAlignment:
    """Best order-free alignment of two names' parts, scored 0-1. ``halves``: compound parts
    may also be read as their particle and their rest (``compounds``)."""
    if not query.tokens or not cand.tokens:
        return NameAlignment(0.0, ())
    # Pinyin from Han characters is a Latin spelling; Arabic script and ICU's readings of
    # other scripts lose vowels or letters, and are compared more leniently.
    cross = query.script in _LOSSY or cand.script in _LOSSY
    nq, nc = len(query.tokens), len(cand.tokens)
    q_all = _units(query, merges=nq > 1)
    c_all = _units(cand, merges=nc > 1)
    scored: list[tuple[float, _Unit, _Unit, How]] = []
    for qu in q_all.units:
        q_kind = qu[6]
        if not halves and q_kind in _HALVES:
            continue
        for cu in c_all.units:
            c_kind = cu[6]
            if not halves and c_kind in _HALVES:
                continue
            if q_kind in _PARTICLES or c_kind in _PARTICLES:
                # Particles meet particles only: ``abd`` says nothing about ``abid``.
                if q_kind in _PARTICLES and c_kind in _PARTICLES and qu[2] == cu[2]:
                    scored.append((1.0, qu, cu, How.PARTICLE))
                continue
            if q_kind == _REST or c_kind == _REST:
                if not _rest_pairs(qu, cu, c_all) or not _rest_pairs(cu, qu, q_all):
                    continue
            elif q_kind == _MERGED and c_kind == _MERGED:
                continue
            score, how = compare_tokens(qu[2], qu[3], cu[2], cu[3], cross)
            if q_kind == _REST or c_kind == _REST:
                score *= _HALF
            if score > 0.5:
                scored.append((score, qu, cu, how))
    # Best pairs first; equal scores keep their order (query part, then candidate part). A
    # particle meeting its own kind is taken after every good pair of name parts, so that it
    # never opens a compound that matches better whole (``Abdtllah`` / ``Abdallah``).
    scored.sort(key=_rank, reverse=True)
    q_used = c_used = 0
    # (side, particle bit) of each rest of a name-making compound that matched.
    unopened: list[tuple[int, int]] = []
    parts: list[PartMatch] = []
    num = 0.0
    den = 0.0
    matched = 0
    for score, qu, cu, how in scored:
        if q_used & qu[5] or c_used & cu[5]:
            continue
        if how is How.PARTICLE:
            # Two compounds opening with one particle (``Ben Ali`` / ``Ben Romdhane``) are
            # not opened by it: one of the particles stands alone, or a rest matched.
            if not (_opened(qu, q_used) or _opened(cu, c_used)):
                continue
            q_used |= qu[5]
            c_used |= cu[5]
            # A shared particle is no evidence: it only spares its own cost.
            parts.append(PartMatch(qu[2], cu[2], score, how))
            continue
        q_used |= qu[5]
        c_used |= cu[5]
        for unit, side in ((qu, 0), (cu, 1)):
            if unit[6] == _REST and unit[7] in _NAME_MAKING:
                unopened.append((side, unit[5] >> 1))
        weight = qu[4] + cu[4]
        num += score * score * weight
        den += weight
        size = max(qu[1] - qu[0], cu[1] - cu[0]) + 1
        parts.append(PartMatch(qu[2], cu[2], score, how, size))
        if score >= 0.75 and how is not How.INITIAL:
            matched += size
    if any(not (q_used, c_used)[side] & bit for side, bit in unopened):
        # The rest of "servant of" or "father of" matched, but its particle did not: Abd
        # al-Jan is not Jan. Read every part whole.
        return align_names(query, cand, halves=False)
    cost = MISSING_PART_COST if matched >= 2 else 1.0
    q_left = _left_over(q_all, q_used)
    c_left = _left_over(c_all, c_used)
    if q_left or c_left:
        # A part on each side that matches nothing is a clash (different names), not a gap;
        # a particle is never a clash (it is often left out), nor is it weighed as a part.
        named = [u for u in q_left if u[6] != _PARTICLE], [u for u in c_left if u[6] != _PARTICLE]
        clashes = min(len(named[0]), len(named[1]))
        for left in named:
            ranked = sorted(left, key=_weight_of, reverse=True)
            for rank, unit in enumerate(ranked):
                if rank < clashes:
                    den += unit[4]
                else:
                    # The rest of a compound whose particle matched (``Abd`` for ``Abdallah``)
                    # is a part left out even when no other part matched.
                    den += unit[4] * (MISSING_PART_COST if unit[6] == _REST else cost)
        den += MISSING_PART_COST * sum(u[4] for u in (*q_left, *c_left) if u[6] == _PARTICLE)
        parts.extend(PartMatch(u[2], "", 0.0, How.MISSING) for u in q_left)
        parts.extend(PartMatch("", u[2], 0.0, How.MISSING) for u in c_left)
    if not matched:
        num *= 0.5
    return NameAlignment(num / den if den else 0.0, tuple(parts))


_PARTICLES = frozenset({_PARTICLE, _ALONE})
_HALVES = frozenset({_PARTICLE, _ALONE, _REST})


def _rest_pairs(rest: _Unit, other: _Unit, other_units: _Units) -> bool:
    """Whether the rest of a compound may meet ``other``: a whole part that is no compound
    itself, in a name that has the particle when the particle makes another name."""
    if rest[6] != _REST:
        return True
    if other[6] != _WHOLE or other[7]:
        return False
    return rest[7] not in _NAME_MAKING or rest[7] in other_units.particles


def _opened(particle: _Unit, used: int) -> bool:
    """A particle standing alone, or the particle of a compound whose rest matched."""
    return particle[6] == _ALONE or bool(used & (particle[5] << 1))


def _weight_of(unit: _Unit) -> float:
    return unit[4]


def _left_over(units: _Units, used: int) -> list[_Unit]:
    """The parts (or halves of compound parts) that matched nothing."""
    left: list[_Unit] = []
    for i, (whole, particle, rest) in enumerate(units.parts):
        bits = (used >> 2 * i) & 3
        if bits == 0:
            left.append(whole)
        elif bits == 1 and rest is not None:
            left.append(rest)
        elif bits == 2 and particle is not None:
            left.append(particle)
    return left


_PARTICLE_RANK = 0.75


def _rank(item: tuple[float, _Unit, _Unit, How]) -> float:
    return _PARTICLE_RANK if item[3] is How.PARTICLE else item[0]
