"""Candidate index: blocking keys that survive transliteration, in sorted integer arrays.

Every listed name (a *row*) is reduced to a few integer keys built from its parts' phonetic
skeletons, so that ``عبد الحي سالك``, ``ABDULHAI SALEK`` and ``Salek Abdel-Hay`` share keys:

* each part's skeleton (``SLK``), if at least two letters long;
* each ordered pair of parts: one part's skeleton with the first two letters of another's
  (``BDLH+SL``), which survives a typo or a different transliteration in the second part;
* for long skeletons, each one-letter deletion (``MHMD`` -> ``HMD MMD MHD MHM``), which
  tolerates one wrong, missing or extra consonant;
* for a part whose skeleton says little (``Wu``, ``Li``, ``Alaoui``: fewer than three
  consonants) and for a Chinese surname (``Cheung`` / ``Zhang``, by its pinyin), that part with
  the first letter of each other part, so ``Wu Pin`` still meets ``Wu Ping``.

Keys are 64-bit hashes kept in one sorted ``numpy`` array beside the row numbers (a CSR-like
layout: about 12 bytes per key, no Python object per key). Blocks bigger than ``block_cap``
(very common parts like ``mohamed``) are skipped at query time; the pair keys still find the
person. A query never compares itself with the whole list.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from jisr.screening.names import NameForm, Script
from jisr.screening.names.compounds import opened_part
from jisr.screening.names.eastasian import romanization_keys
from jisr.screening.names.phonetic import (
    coarse_skeleton,
    finish_skeleton,
    primary_skeleton,
    skeleton_variants,
)

IntArray = npt.NDArray[np.int64]


def blocking_keys(form: NameForm, year: int = 0) -> set[int]:
    """The integer keys under which a name is filed (and, with ``query_keys``, looked up).

    An Arabic-script name whose letters Latin writes several ways (``skeleton_variants``) is
    filed under its everyday reading and, part by part, under each other reading. A part
    opening with a particle or a glued article (``Abdulrahim``, ``Elamrani``) is also filed
    without it, and, with a birth ``year``, each part with that year: among thousands of
    namesakes of a common name the year still makes a small block."""
    keys = _form_keys(form.script, form.tokens, form.skeletons)
    opened = _opened_by_part(form)
    for _, rest, skeleton in opened:
        keys.update(_token_keys(rest))
        if len(skeleton) >= 2:
            keys.add(hash(("s", skeleton)))
    if year:
        parts = [(r[0],) for r in _readings(form)] + [(s,) for _, _, s in opened]
        keys.update(_year_keys(form.tokens, parts, (year,)))
    return keys


def query_keys(form: NameForm, year: int = 0) -> set[int]:
    """The keys a query looks up: its own filing keys, every reading of its letters (a Latin
    ``j`` may be kh: Ajras / Akhras), its parts without their particle or glued article with
    the other parts (``Elamrani``: ``Amrani``), and each part with the birth year and the years
    either side (a year one off is a typing slip)."""
    keys = blocking_keys(form)
    readings = _readings(form)
    primary = tuple(r[0] for r in readings)
    if form.script is not Script.ARABIC:
        for i, options in enumerate(readings):
            for other in options[1:]:
                _skeleton_tuple_keys(primary[:i] + (other,) + primary[i + 1 :], keys)
    opened = _opened_by_part(form)
    for i, _, skeleton in opened:
        _skeleton_tuple_keys(primary[:i] + (skeleton,) + primary[i + 1 :], keys)
    if len(form.tokens) > 1:
        # Syllables written apart (Pin Hsu) of a listing written joined (Binxu).
        for i in range(len(form.tokens) - 1):
            keys.update(_token_keys(form.tokens[i] + form.tokens[i + 1]))
    if year:
        parts = [tuple(r) for r in readings] + [(s,) for _, _, s in opened]
        keys.update(_year_keys(form.tokens, parts, (year - 1, year, year + 1)))
    return keys


def _readings(form: NameForm) -> list[tuple[str, ...]]:
    return [skeleton_variants(s) for s in form.skeletons]


def _opened_by_part(form: NameForm) -> list[tuple[int, str, str]]:
    """(position, rest, everyday skeleton of the rest) of each part opened at its particle."""
    romanised = form.script is Script.ARABIC
    out = []
    for i, (token, skeleton) in enumerate(zip(form.tokens, form.skeletons, strict=True)):
        opened = opened_part(token, skeleton, romanised)
        if opened is not None:
            out.append((i, opened[0], primary_skeleton(opened[1])))
    return out


def _year_keys(
    tokens: tuple[str, ...], parts: Sequence[tuple[str, ...]], years: tuple[int, ...]
) -> set[int]:
    """Each part's readings with each year, by their coarse sounds (so that a Latin s for ز
    still meets: Susan / سوزان); a part whose skeleton says little (``Li``: L) by its
    spelling."""
    keys: set[int] = set()
    for i, readings in enumerate(parts):
        keys.update(_part_year_keys(tokens[min(i, len(tokens) - 1)], readings, years))
    return keys


@lru_cache(maxsize=262_144)
def _part_year_keys(
    token: str, readings: tuple[str, ...], years: tuple[int, ...]
) -> tuple[int, ...]:
    names: set[str] = set()
    for reading in readings:
        # The coarse sounds only: the same reading has the same coarse sounds.
        coarse = coarse_skeleton(reading)
        if len(coarse) >= 2:
            names.add(coarse)
        elif len(reading) >= 2:
            names.add(reading)
        else:
            names.add("w" + token)
    return tuple(hash(("y", name, year)) for name in names for year in years)


def _form_keys(script: Script, tokens: tuple[str, ...], skeletons: tuple[str, ...]) -> set[int]:
    # The pieces that depend on one part only are cached by part (name parts recur).
    readings = [skeleton_variants(s) for s in skeletons]
    if script is not Script.ARABIC:
        # Latin letters read several ways are compared every way, but filed under their
        # everyday reading only: the other parts' keys still find the name.
        readings = [r[:1] for r in readings]
    # Each part as spelled: when its sound blocks are too big to read (Mahmoudi's MHMD is
    # Mohammad's), the exact spelling still finds the name.
    keys: set[int] = set()
    for token in tokens:
        keys.update(_token_keys(token))
    if script is not Script.ARABIC and len(tokens) > 1:
        keys |= _short_part_keys(tokens, skeletons)
    primary = tuple(r[0] for r in readings)
    _skeleton_tuple_keys(primary, keys)
    for i, options in enumerate(readings):
        for other in options[1:]:
            _skeleton_tuple_keys(primary[:i] + (other,) + primary[i + 1 :], keys)
    return keys


@lru_cache(maxsize=262_144)
def _token_keys(token: str) -> tuple[int, ...]:
    keys = [hash(("w", token))] if len(token) >= 3 else []
    # A Wade-Giles part is filed under its pinyin readings too (Tsunghua: zonghua).
    keys.extend(hash(("w", k[3:])) for k in romanization_keys(token) if k.startswith("py:"))
    return tuple(keys)


@lru_cache(maxsize=262_144)
def _skeleton_keys(skel: str) -> tuple[int, ...]:
    keys = []
    if len(skel) >= 2:
        keys.append(hash(("s", skel)))
    if len(skel) >= 4:
        keys.extend(hash(("d", skel[:i] + skel[i + 1 :])) for i in range(len(skel)))
    if len(skel) >= 3:
        keys.append(hash(("d", skel)))
    return tuple(keys)


def _skeleton_tuple_keys(skeleton_tuple: tuple[str, ...], keys: set[int]) -> None:
    skeletons = [s for s in dict.fromkeys(skeleton_tuple) if s != "V"]
    for skel in skeletons:
        keys.update(_skeleton_keys(skel))
    for a in skeletons:
        for b in skeletons:
            if a != b:
                keys.add(hash(("p", a, b[:2])))
    if len(skeletons) > 1:
        # Parts written joined on one side (Abdelhay / Abdel Hay, Xiaoming / Xiao Ming).
        for i in range(len(skeleton_tuple) - 1):
            keys.add(hash(("s", finish_skeleton(skeleton_tuple[i] + skeleton_tuple[i + 1]))))
    elif len(skeletons) == 1 and len(skeletons[0]) == 1:
        keys.add(hash(("s", skeletons[0])))


def _surname_keys(token: str) -> set[str]:
    return {k for k in romanization_keys(token) if not k.startswith("py:")}


def _short_part_keys(tokens: tuple[str, ...], skeletons: tuple[str, ...]) -> set[int]:
    keys: set[int] = set()
    heads = [{k[3:5] for k in romanization_keys(t)} | {t[:2]} for t in tokens]
    for i, (token, skel) in enumerate(zip(tokens, skeletons, strict=True)):
        names = {"z" + p for p in _surname_keys(token)}
        # Hsu Hsiao-ming / Xu Xiaoming: the surname with the pinyin start of another part.
        for name in names:
            for j, starts in enumerate(heads):
                if j != i:
                    keys.update(hash(("r", name, head)) for head in starts)
        if len(skel) < 3:
            names.add("t" + token)
        for name in names:
            for j, other in enumerate(tokens):
                if j != i:
                    keys.add(hash(("q", name, other[0])))
    return keys


class IndexBuilder:
    """Collects (key, row) pairs in compact arrays, then sorts them once."""

    def __init__(self) -> None:
        self._keys = array("q")
        self._rows = array("i")

    def add(self, row: int, form: NameForm, year: int = 0) -> None:
        keys = blocking_keys(form, year)
        self._keys.extend(keys)
        self._rows.extend([row] * len(keys))

    def extend(self, keys: bytes, rows: bytes, first_row: int) -> None:
        """Add pairs given as the bytes of an int64 key array and an int32 array of row
        numbers counted from ``first_row``."""
        self._keys.frombytes(keys)
        self._rows.frombytes((np.frombuffer(rows, dtype=np.int32) + first_row).tobytes())

    def build(self, block_cap: int = 2000) -> CandidateIndex:
        keys = np.frombuffer(self._keys, dtype=np.int64)
        rows = np.frombuffer(self._rows, dtype=np.int32)
        order = np.argsort(keys, kind="stable")
        index = CandidateIndex(keys[order], rows[order], block_cap)
        self._keys = array("q")
        self._rows = array("i")
        return index


class CandidateIndex:
    """Sorted keys and their rows; looks up the rows sharing most keys with a query."""

    def __init__(self, keys: IntArray, rows: npt.NDArray[np.int32], block_cap: int) -> None:
        self._keys = keys
        self._rows = rows
        self.block_cap = block_cap

    def __len__(self) -> int:
        return int(self._keys.shape[0])

    def matches(
        self, forms: Sequence[NameForm], year: int = 0
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        """Every row sharing keys with any of the query's names (born about ``year``, when
        known), and how many keys it shares."""
        wanted: set[int] = set()
        for form in forms:
            wanted |= query_keys(form, year)
        empty = (np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int64))
        if not wanted or not len(self._keys):
            return empty
        probe = np.fromiter(wanted, dtype=np.int64, count=len(wanted))
        lo = np.searchsorted(self._keys, probe, side="left")
        hi = np.searchsorted(self._keys, probe, side="right")
        sizes = hi - lo
        take = np.nonzero((sizes > 0) & (sizes <= self.block_cap))[0]
        if take.size == 0:
            present = np.nonzero(sizes > 0)[0]
            if present.size == 0:
                return empty
            # Only very common parts: look in the smallest block, truncated.
            smallest = present[np.argmin(sizes[present])]
            start = int(lo[smallest])
            rows = self._rows[start : start + 4 * self.block_cap]
            return rows.copy(), np.ones(rows.shape[0], dtype=np.int64)
        # Every row of every block taken, gathered in one step (no loop over the blocks).
        starts, lengths = lo[take], sizes[take]
        ends = np.cumsum(lengths)
        positions = np.arange(int(ends[-1])) + np.repeat(starts - ends + lengths, lengths)
        found = np.sort(self._rows[positions])
        # Runs of one row in the sorted array: the row and how many keys it shares.
        edges = np.flatnonzero(np.diff(found)) + 1
        firsts = np.concatenate(([0], edges))
        counts = np.diff(np.concatenate((firsts, [found.size])))
        return found[firsts], counts.astype(np.int64)

    def candidates(self, forms: Sequence[NameForm], limit: int = 200) -> npt.NDArray[np.int32]:
        """Rows sharing keys with any of the query's names, most shared keys first."""
        rows, counts = self.matches(forms)
        return top_rows(rows, counts, limit)


def top_rows(
    rows: npt.NDArray[np.int32], ranks: npt.NDArray[np.int64], limit: int
) -> npt.NDArray[np.int32]:
    """The ``limit`` rows of highest rank, best first (ties in row order)."""
    return rows[top_positions(ranks, limit)]


def top_positions(ranks: npt.NDArray[np.int64], limit: int) -> npt.NDArray[np.intp]:
    """Positions of the ``limit`` highest ranks, best first (ties in position order)."""
    if ranks.size <= limit:
        return np.argsort(-ranks, kind="stable")
    best = np.argpartition(-ranks, limit)[:limit]
    return best[np.argsort(-ranks[best], kind="stable")]


def build_index(forms: Iterable[tuple[int, NameForm]], block_cap: int = 2000) -> CandidateIndex:
    builder = IndexBuilder()
    for row, form in forms:
        builder.add(row, form)
    return builder.build(block_cap)
