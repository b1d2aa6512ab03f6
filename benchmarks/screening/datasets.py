"""Evaluation data sets: who is listed, who is a listed person's query, who is innocent."""

from __future__ import annotations

import csv
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from jisr.screening import Subject, SubjectKind

DATA = Path("/work/shared/data/names")


@dataclass
class Dataset:
    """``positives``: (query, id of the listed subject it must find); ``innocents``: queries
    for people who are not listed (any hit above threshold is a false positive);
    ``namesakes``: ids of innocents bearing exactly the full name of a listed person."""

    name: str
    listed: list[Subject]
    positives: list[tuple[Subject, str]]
    innocents: list[Subject]
    notes: str = ""
    namesakes: set[str] = field(default_factory=set)


@dataclass
class PairCases:
    """Labelled name pairs (nomenklatura's test cases)."""

    name: str
    pairs: list[tuple[Subject, Subject, bool]] = field(default_factory=list)


def _read_pairs(
    path: Path, parse: Callable[[list[str]], tuple[str, str] | None]
) -> list[tuple[str, str]]:
    pairs = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            parsed = parse(cols)
            if parsed is not None:
                pairs.append(parsed)
    return pairs


def _google(cols: list[str]) -> tuple[str, str] | None:
    if len(cols) < 2 or not cols[0] or not cols[1].strip(". "):
        return None
    return cols[1], cols[0]


def _wikidata(cols: list[str]) -> tuple[str, str] | None:
    if len(cols) < 2 or not cols[0] or not cols[1]:
        return None
    return cols[0], cols[1].replace(" ", "")


def split_pairs(
    name: str, pairs: list[tuple[str, str]], size: int, seed: int, reverse: bool = False
) -> Dataset:
    """Half of the (latin, other-script) pairs are listed in one script and queried in the other;
    the other half are innocent travellers. ``reverse`` lists the non-Latin form instead."""
    rng = random.Random(seed)
    by_latin: dict[str, list[str]] = {}
    for latin, other in pairs:
        by_latin.setdefault(latin.lower(), []).append(other)
    keys = sorted(by_latin)
    rng.shuffle(keys)
    keys = keys[: 2 * size]
    listed_keys, innocent_keys = keys[:size], keys[size:]
    listed: list[Subject] = []
    positives: list[tuple[Subject, str]] = []
    for i, key in enumerate(listed_keys):
        other = rng.choice(by_latin[key])
        listing, query = (other, key) if reverse else (key, other)
        listed.append(Subject(f"L{i}", (listing,)))
        positives.append((Subject(f"Q{i}", (query,)), f"L{i}"))
    innocents = []
    for i, key in enumerate(innocent_keys):
        other = rng.choice(by_latin[key])
        innocents.append(Subject(f"I{i}", (key if reverse else other,)))
    return Dataset(name, listed, positives, innocents)


def google_ar2en(size: int, seed: int = 1, reverse: bool = False) -> Dataset:
    pairs = _read_pairs(DATA / "google_ar2en.tsv", _google)
    label = "google_ar2en " + ("latin->arabic" if reverse else "arabic->latin")
    return split_pairs(label, pairs, size, seed, reverse)


def wikidata(lang: str, size: int, seed: int = 2, reverse: bool = False) -> Dataset:
    pairs = _read_pairs(DATA / f"wikidata_en_{lang}.tsv", _wikidata)
    script = "arabic" if lang == "ar" else "chinese"
    label = f"wikidata_en_{lang} " + (f"latin->{script}" if reverse else f"{script}->latin")
    return split_pairs(label, pairs, size, seed, reverse)


def nomenklatura_cases() -> PairCases:
    cases = PairCases("nomenklatura_name_cases")
    with (DATA / "nomenklatura_name_cases.csv").open(encoding="utf-8") as fh:
        for i, row in enumerate(csv.DictReader(fh)):
            kind = SubjectKind.PERSON if row["schema"] == "Person" else SubjectKind.ORGANIZATION
            left = Subject(f"a{i}", (row["name1"],), kind=kind)
            right = Subject(f"b{i}", (row["name2"],), kind=kind)
            cases.pairs.append((left, right, row["is_match"].strip().lower() == "true"))
    return cases
