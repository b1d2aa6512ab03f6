"""Recall per class on real names, against a plain ICU + Jaro-Winkler brute force.

``python -m benchmarks.screening.real_eval [--part report|tune] [--innocents N]``

The listing is the whole OFAC SDN list (14,965 entries, each under its primary name only).
Queries are built from its Arabic-origin people (``real_data``): their real aliases, their
names in Arabic script, and rule-made variants of each class (``variants``, independent of the
engine), each with the listed birth date unless the class is about the date. ``--part report``
(the default) is the held-out half; ``tune`` is the half the engine may be tuned on.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import icu
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from benchmarks.screening import real_data, variants
from jisr.screening import DEFAULT_THRESHOLD, Match, Screener, Subject, SubjectKind
from jisr.screening.screener import analyze_subject
from jisr.screening.sources import read_subjects

_ICU = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")
BASELINE_THRESHOLD = 0.9
CHINESE = frozenset({"cn", "tw", "hk", "mo"})
KOREAN = frozenset({"kp", "kr"})
EAST_ASIAN = CHINESE | KOREAN


@dataclass
class ClassResult:
    cls: str
    queries: int
    found: int
    baseline_found: int

    def line(self) -> str:
        rate = self.found / self.queries if self.queries else 0.0
        base = self.baseline_found / self.queries if self.queries else 0.0
        return f"| {self.cls} | {self.queries:,} | **{rate:.3f}** | {base:.3f} |"


class Baseline:
    """ICU ``Any-Latin; Latin-ASCII`` then Jaro-Winkler against every listed name."""

    def __init__(self, listed: Sequence[Subject]) -> None:
        self.ids = [s.id for s in listed for _ in s.names]
        self.names = [str(_ICU.transliterate(n)) for s in listed for n in s.names]

    @classmethod
    def from_names(cls, names: Sequence[str]) -> Baseline:
        """Over bare names (ids are their positions)."""
        baseline = cls([])
        baseline.names = [str(_ICU.transliterate(n)) for n in names]
        baseline.ids = [str(i) for i in range(len(baseline.names))]
        return baseline

    def check(self, query: Subject) -> set[str]:
        found: set[str] = set()
        for name in query.names:
            hits = process.extract(
                str(_ICU.transliterate(name)),
                self.names,
                scorer=JaroWinkler.normalized_similarity,
                limit=5,
                score_cutoff=BASELINE_THRESHOLD,
            )
            found.update(self.ids[i] for _, _, i in hits)
        return found


def _evaluate(
    cls: str,
    pairs: list[tuple[Subject, str]],
    screener: Screener,
    baseline: Baseline,
    misses: bool = False,
) -> ClassResult:
    found = base = 0
    for query, listed_id in pairs:
        matches = screener.check(query)
        hit = any(m.entity_id == listed_id for m in matches)
        found += hit
        base += listed_id in baseline.check(query)
        if misses and not hit:
            _print_miss(cls, query, listed_id, screener, matches)
    return ClassResult(cls, len(pairs), found, base)


def _print_miss(
    cls: str, query: Subject, listed_id: str, screener: Screener, matches: Sequence[Match]
) -> None:
    """One missed query: what was expected, whether the index proposed it, its score, and
    what the engine proposed instead (for tuning on ``--part tune`` only)."""
    listed = next(s for s in screener._subjects if s.id == listed_id)
    proposed = [s.id for s in screener.candidates(query)]
    where = (
        f"candidate #{proposed.index(listed_id) + 1}" if listed_id in proposed else "NOT PROPOSED"
    )
    scored = screener.algorithm.score(
        query, analyze_subject(query), listed, analyze_subject(listed)
    )
    print(
        f"MISS [{cls}] {query.names[0]!r} {query.birth_dates[:1]} -> {listed.names[0]!r} "
        f"{listed.birth_dates[:1]}: {where}, score {scored.score:.3f} ({scored.explanation})"
    )
    for match in matches[:2]:
        print(f"    instead {match.name!r} {match.score:.3f}")


def _rule_pairs(
    people: list[Subject], rule: Callable[[str, random.Random], str | None], seed: int
) -> list[tuple[Subject, str]]:
    rng = random.Random(seed)
    out = []
    for person in people:
        name = rule(person.names[0], rng)
        if name:
            query = Subject(id=f"{person.id}~v", names=(name,), birth_dates=person.birth_dates[:1])
            out.append((query, person.id))
    return out


def _date_pairs(
    people: list[Subject], rule: Callable[[str | None, random.Random], str | None], seed: int
) -> list[tuple[Subject, str]]:
    from jisr.screening.sources.dates import read_birth_date

    rng = random.Random(seed)
    out = []
    for person in people:
        written = rule(person.birth_dates[0] if person.birth_dates else None, rng)
        if written:
            # As a manifest reader would: parse leniently, keep the warning.
            parsed = read_birth_date(written)
            query = Subject(
                id=f"{person.id}~d",
                names=person.names[:1],
                birth_dates=parsed.dates,
                warnings=(parsed.warning,) if parsed.warning else (),
            )
            out.append((query, person.id))
    return out


def _people_of(everyone: list[Subject], countries: frozenset[str], part: str) -> list[Subject]:
    return [
        s
        for s in everyone
        if s.kind is SubjectKind.PERSON
        and set(s.nationalities) & countries
        and real_data.part_of(s.id) == part
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--part", choices=("report", "tune"), default="report")
    parser.add_argument("--innocents", type=int, default=2000)
    parser.add_argument(
        "--misses",
        action="store_true",
        help="print each missed query and each innocent hit (tune half only: never the report)",
    )
    args = parser.parse_args(argv)
    if args.misses and args.part != "tune":
        parser.error("--misses is for the tune half: the report half is never looked at")
    started = time.perf_counter()
    everyone = [replace(s, names=s.names[:1]) for s in read_subjects(real_data.OFAC)]
    screener = Screener(everyone)
    baseline = Baseline(everyone)
    people = real_data.listing(args.part)
    chinese = _people_of(everyone, CHINESE, args.part)
    korean = _people_of(everyone, KOREAN, args.part)
    sets: list[tuple[str, list[tuple[Subject, str]]]] = [
        (
            "Arabic script → Latin listing (Wikidata/Google spellings)",
            real_data.ofac_arabic_script(args.part),
        ),
        ("real OFAC aliases (other spellings)", real_data.ofac_alias_pairs(args.part)),
    ]
    arabic = real_data.ofac_arabic_script(args.part)
    rng = random.Random(3)
    noisy_arabic = []
    for query, listed_id in arabic:
        noisy = variants.arabic_script_noise(query.names[0], rng)
        if noisy:
            noisy_arabic.append((replace(query, names=(noisy,)), listed_id))
    sets.append(("Arabic script + tatweel/harakat/ZWNJ/Persian letters/line break", noisy_arabic))
    for number, (cls, rule) in enumerate(variants.NAME_CLASSES.items()):
        sets.append((f"noisy Latin: {cls}", _rule_pairs(people, rule, seed=10 + number)))
    for number, (cls, date_rule) in enumerate(variants.DATE_CLASSES.items()):
        sets.append((f"date: {cls}", _date_pairs(people, date_rule, seed=20 + number)))
    sets.append(
        ("Chinese: pinyin listed, Wade-Giles query", _rule_pairs(chinese, variants.wade_giles, 30))
    )
    sets.append(("Korean: surname spellings", _rule_pairs(korean, variants.korean, 31)))
    print(f"## Real-data evaluation, part {args.part!r} (held out: {args.part == 'report'})")
    print(
        f"listing: OFAC SDN, {len(everyone):,} entries; threshold {DEFAULT_THRESHOLD}, "
        f"baseline ICU + Jaro-Winkler >= {BASELINE_THRESHOLD} over every listed name\n"
    )
    print("| class | queries | jisr recall | baseline recall |\n|---|---|---|---|")
    for cls, pairs in sets:
        print(_evaluate(cls, pairs, screener, baseline, args.misses).line())
    hit = base_hit = unscreened = total = 0
    for query in real_data.innocents(args.part, args.innocents):
        total += 1
        try:
            found = screener.check(query)
            hit += bool(found)
            if args.misses and found:
                print(f"INNOCENT HIT {query.names[0]!r} -> {found[0].name!r} {found[0].score:.3f}")
                print(f"    {found[0].explanation}")
        except Exception:  # noqa: BLE001 - a traveller the engine could not screen is counted
            unscreened += 1
        base_hit += bool(baseline.check(query))
    print(
        f"\ninnocent travellers (real name parts mixed, random dates): {total:,}; "
        f"hit {hit} ({hit / total:.2%}), baseline {base_hit} ({base_hit / total:.2%}); "
        f"unscreened {unscreened}; {time.perf_counter() - started:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
