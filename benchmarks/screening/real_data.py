"""Real-world evaluation sets built from the shared public data (never from the engine's tables).

* ``ofac_alias_pairs``: OFAC SDN individuals of Arabic-script origin (a nationality of the Arab
  League, Iran, Afghanistan or Pakistan) listed under one of their names; the query is another
  of their names (an alias that is a spelling of the same name, not a nickname: ICU-folded
  ``token_set_ratio`` >= 60 with the listed one) with the listed birth date.
* ``ofac_arabic_script``: the same people's listed names written in Arabic script token by token
  from the Wikidata and Google transliteration pairs (the commonest Arabic spelling of each
  Latin token; particles by the rules of Arabic orthography: ``al-`` joins its word, ``bin``
  is بن, ``abd`` binds to the next word); only names whose every token has an Arabic form.
* ``innocents``: travellers composed from real name tokens of the same people (given name of
  one, father's name of another, family name of a third) with random birth dates, so they look
  like the listed names without being anyone listed.

Every set is split by a hash of the entity number: ``part="tune"`` is what the engine may be
tuned on, ``part="report"`` is held out and is what the README quotes.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path

import icu
from rapidfuzz import fuzz

from jisr.screening import Subject, SubjectKind
from jisr.screening.sources import read_subjects

SHARED = Path("/work/shared/data")
OFAC = SHARED / "lists" / "ofac_sdn_2024-05-03.csv"
NAMES = SHARED / "names"
# Arab League members, Iran, Afghanistan, Pakistan (ISO 3166-1 alpha-2).
ARABIC_SCRIPT_COUNTRIES = frozenset(
    "dz eg ly ma tn mr sd so dj km ye om ae qa bh kw sa iq sy jo lb ps ir af pk".split()
)
_FOLD = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII; Lower")
_TOKEN = re.compile(r"[a-z']+")


def part_of(entity_id: str) -> str:
    """``tune`` or ``report``, fixed by the id (about half each)."""
    digest = hashlib.sha256(entity_id.encode()).digest()
    return "tune" if digest[0] % 2 == 0 else "report"


def fold(text: str) -> str:
    return str(_FOLD.transliterate(text))


@cache
def _all_people() -> tuple[Subject, ...]:
    return tuple(s for s in read_subjects(OFAC) if s.kind is SubjectKind.PERSON)


@cache
def arabic_origin_people() -> tuple[Subject, ...]:
    people = (
        s
        for s in read_subjects(OFAC)
        if s.kind is SubjectKind.PERSON and set(s.nationalities) & ARABIC_SCRIPT_COUNTRIES
    )
    return tuple(people)


def listing(part: str) -> list[Subject]:
    """Every Arabic-origin OFAC person of the part, listed under the primary name only."""
    return [replace(s, names=s.names[:1]) for s in arabic_origin_people() if part_of(s.id) == part]


def ofac_alias_pairs(part: str) -> list[tuple[Subject, str]]:
    """(query under another spelling, listed id) for every alias that spells the same name."""
    out = []
    for person in arabic_origin_people():
        if part_of(person.id) != part:
            continue
        primary = fold(person.names[0])
        for number, alias in enumerate(person.names[1:], start=1):
            if fuzz.token_set_ratio(primary, fold(alias)) < 60:
                continue
            query = Subject(
                id=f"{person.id}~{number}",
                names=(alias,),
                birth_dates=person.birth_dates[:1],
                nationalities=person.nationalities[:1],
            )
            out.append((query, person.id))
    return out


@cache
def _arabic_spellings() -> dict[str, str]:
    """Latin token -> its commonest Arabic spelling in Wikidata, then Google's pairs."""
    best: dict[str, tuple[str, int]] = {}
    with (NAMES / "wikidata_en_ar.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 3 and cols[2].isdigit():
                latin, count = cols[0].lower(), int(cols[2])
                if latin not in best or count > best[latin][1]:
                    best[latin] = (cols[1].replace(" ", ""), count)
    table = {latin: arabic for latin, (arabic, _) in best.items()}
    with (NAMES / "google_ar2en.tsv").open(encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2:
                table.setdefault(cols[1].lower(), cols[0])
    return table


_PARTICLES = {"bin": "بن", "ben": "بن", "ibn": "ابن", "abu": "أبو", "abou": "أبو", "bint": "بنت"}


def to_arabic_script(name: str) -> str | None:
    """The name in Arabic script token by token, or None when a token has no known spelling."""
    table = _arabic_spellings()
    words: list[str] = []
    pending_article = False
    for token in _TOKEN.findall(fold(name).replace("-", " ")):
        token = token.replace("'", "")
        if token in ("al", "el"):
            pending_article = True
            continue
        if token in _PARTICLES:
            words.append(_PARTICLES[token])
            continue
        arabic = table.get(token)
        if arabic is None and token.startswith(("al", "el")) and len(token) > 4:
            arabic = table.get(token[2:])
            pending_article = pending_article or arabic is not None
        if arabic is None:
            return None
        arabic = unicodedata.normalize("NFKC", arabic)
        article = "ال" if pending_article and not arabic.startswith("ال") else ""
        words.append(article + arabic)
        pending_article = False
    return " ".join(words) if words else None


def ofac_arabic_script(part: str) -> list[tuple[Subject, str]]:
    out = []
    for person in arabic_origin_people():
        if part_of(person.id) != part:
            continue
        arabic = to_arabic_script(person.names[0])
        if arabic is None:
            continue
        query = Subject(
            id=f"{person.id}~ar",
            names=(arabic,),
            birth_dates=person.birth_dates[:1],
            nationalities=person.nationalities[:1],
        )
        out.append((query, person.id))
    return out


def innocents(part: str, count: int, seed: int = 5) -> Iterator[Subject]:
    """Travellers whose names mix real parts of different listed people (nobody listed)."""
    rng = random.Random(seed)
    people = [p for p in arabic_origin_people() if part_of(p.id) == part]
    listed_names = {fold(n) for p in people for n in p.names}
    # Anyone whose name holds two parts of one listed name (Masoud Khaled Bahadori against
    # listed Masoud Bahadori) is a namesake a border must look at, not an innocent.
    listed_pairs = {
        (a, b)
        for p in _all_people()
        for n in p.names
        for a in fold(n).split()
        for b in fold(n).split()
        if a != b
    }
    made = 0
    while made < count:
        parts = []
        for position in (0, 1, -1):
            tokens = fold(rng.choice(people).names[0]).split()
            parts.append(tokens[min(position, len(tokens) - 1)] if position >= 0 else tokens[-1])
        name = " ".join(dict.fromkeys(parts))
        tokens = name.split()
        if name in listed_names or len(tokens) < 2:
            continue
        if any((a, b) in listed_pairs for a in tokens for b in tokens if a != b):
            continue
        year = rng.randint(1950, 2004)
        yield Subject(
            id=f"innocent-{made}",
            names=(name.title(),),
            birth_dates=(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",),
        )
        made += 1
