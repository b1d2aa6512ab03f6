"""Fictional people for screening benchmarks, with names as real border data writes them.

Six naming conventions: Maghreb Arabic (French-style transliteration: Mohamed, Youssef,
Abdellatif, Ben/El), Mashriq/Gulf Arabic (English-style: Muhammad, Yusuf, Abd al-Latif, bin/Al-,
father's and grandfather's names), French, Spanish (two surnames), English, Chinese (characters
and pinyin, surname first). Every Arabic name carries its Arabic-script form. First names follow
a Zipf-like distribution, so innocent travellers share first names with listed people, as in
life. The tables (`synthetic_tables.py`) are independent from the matcher's; all are fictional.
"""

from __future__ import annotations

import random
import re
import unicodedata
from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import accumulate

from benchmarks.screening.synthetic_tables import (
    ARABIC_FAMILY_MAGHREB,
    ARABIC_FAMILY_MASHRIQ,
    ARABIC_FEMALE,
    ARABIC_MALE,
    CHINESE_FAMILY,
    CHINESE_GIVEN,
    CULTURES,
    ENGLISH_FAMILY,
    ENGLISH_FEMALE,
    ENGLISH_MALE,
    FRENCH_FAMILY,
    FRENCH_FEMALE,
    FRENCH_MALE,
    SPANISH_FAMILY,
    SPANISH_FEMALE,
    SPANISH_MALE,
)
from jisr.screening.model import Subject

NOISE_KINDS = (
    "arabic_script", "latin_variant", "typo", "swap", "drop_middle", "join_split",
    "chinese_chars", "pinyin", "partial_dob",
)  # fmt: skip

_GULF = {"sa", "qa", "ae"}
_REFERENCE_DAY = date(2024, 1, 1)


@dataclass(frozen=True, slots=True)
class _Entry:
    script: str  # Arabic script or Chinese characters; "" for Latin-only names
    spellings: tuple[str, ...]


class _Pool:
    """Zipf-weighted choice over a table: the first names are the commonest."""

    def __init__(self, items: Sequence[_Entry], exponent: float = 0.9) -> None:
        self.items = tuple(items)
        self.cum = list(accumulate(1.0 / (i + 1) ** exponent for i in range(len(items))))

    def pick(self, rng: random.Random) -> _Entry:
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


def _arabic_table(text: str, column: int) -> list[_Entry]:
    entries = []
    for line in text.strip().splitlines():
        arabic, maghreb, mashriq = line.split(":")
        primary = (maghreb if column == 1 else mashriq) or maghreb or mashriq
        others = [s for s in (maghreb + "," + mashriq).split(",") if s]
        spellings = tuple(dict.fromkeys(primary.split(",") + others))
        entries.append(_Entry(arabic, spellings))
    return entries


def _latin_table(words: str) -> list[_Entry]:
    merged = re.sub(r"\b(Le|De) ", r"\1_", words)
    return [_Entry("", (w.replace("_", " "),)) for w in merged.split()]


def _chinese_table(text: str) -> list[_Entry]:
    return [
        _Entry(chars, tuple(latin.split(",")))
        for chars, latin in (t.split(":") for t in text.split())
    ]  # noqa: E501


_TABLES = {
    f"{c}:{g}": _Pool(_arabic_table(t, 1 if c == "maghreb" else 2))
    for c in ("maghreb", "mashriq")
    for g, t in (("m", ARABIC_MALE), ("f", ARABIC_FEMALE))
}
_TABLES["maghreb:family"] = _Pool(_arabic_table(ARABIC_FAMILY_MAGHREB, 1))
_TABLES["mashriq:family"] = _Pool(_arabic_table(ARABIC_FAMILY_MASHRIQ, 2))
for _culture, _male, _female, _family in (
    ("french", FRENCH_MALE, FRENCH_FEMALE, FRENCH_FAMILY),
    ("spanish", SPANISH_MALE, SPANISH_FEMALE, SPANISH_FAMILY),
    ("english", ENGLISH_MALE, ENGLISH_FEMALE, ENGLISH_FAMILY),
):
    _TABLES[f"{_culture}:m"] = _Pool(_latin_table(_male))
    _TABLES[f"{_culture}:f"] = _Pool(_latin_table(_female))
    _TABLES[f"{_culture}:family"] = _Pool(_latin_table(_family), exponent=0.7)
_TABLES["chinese:family"] = _Pool(_chinese_table(CHINESE_FAMILY), exponent=0.8)
_CHINESE_SYLLABLES = _Pool(_chinese_table(CHINESE_GIVEN), exponent=0.5)
_SPELLINGS: dict[str, tuple[str, ...]] = {
    spelling: entry.spellings
    for pool in _TABLES.values()
    for entry in pool.items
    for spelling in entry.spellings
}
_SPELLINGS.update({s: ("bin", "ibn", "ben") for s in ("bin", "ibn", "ben")})
_CULTURE_NAMES = tuple(CULTURES)
_CULTURE_CUM = list(accumulate(w for w, _ in CULTURES.values()))
_NATIONALITY = {
    c: (tuple(n), list(accumulate(n.values()))) for c, (_, n) in CULTURES.items()
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Person:
    """A fictional person. ``name`` is the name as this record writes it (Latin by default)."""

    id: str
    culture: str
    gender: str  # "male" / "female"
    birth_date: str  # ISO 8601, possibly partial after ``partial_dob``
    nationality: str  # ISO 3166-1 alpha-2, lower case
    passport: str
    given: tuple[str, ...]  # first name, then middle / father's / grandfather's names
    family: tuple[str, ...]  # family name(s); two for Spanish people
    arabic_given: tuple[str, ...] = ()  # Arabic script, aligned with ``given``
    arabic_family: tuple[str, ...] = ()
    chinese: str | None = None  # characters, surname first
    syllables: tuple[str, ...] = ()  # pinyin syllables of a Chinese given name
    family_first: bool = False
    written: str | None = None  # set by a variant that changes how the name is written
    variant_of: str | None = None
    noise: str | None = None

    @property
    def latin_name(self) -> str:
        parts = self.family + self.given if self.family_first else self.given + self.family
        return " ".join(parts)

    @property
    def arabic_name(self) -> str | None:
        return " ".join(self.arabic_given + self.arabic_family) or None

    @property
    def chinese_name(self) -> str | None:
        return self.chinese

    @property
    def name(self) -> str:
        return self.written or self.latin_name


def _pick_weighted(names: tuple[str, ...], cum: list[int], rng: random.Random) -> str:
    return names[bisect(cum, rng.random() * cum[-1])]


def _birth_date(rng: random.Random, culture: str) -> str:
    day = _REFERENCE_DAY - timedelta(days=int(18 * 365.25 + rng.random() * 62 * 365.25))
    # Civil registers in the Maghreb and Mashriq often record an unknown day as 1 January.
    if culture in ("maghreb", "mashriq") and rng.random() < 0.06:
        day = date(day.year, 1, 1)
    return day.isoformat()


def _passport(rng: random.Random, nationality: str) -> str:
    digits = f"{rng.randrange(10**9):09d}"
    letters = "".join(chr(65 + rng.randrange(26)) for _ in range(3))
    if nationality == "fr":
        return digits[:2] + letters[:2] + digits[2:7]
    if nationality in ("ma", "dz", "tn"):
        return letters[:2] + digits[:7]
    if nationality == "es":
        return letters + digits[:6]
    if nationality == "cn":
        return "E" + digits[:8]
    return letters[0] + digits[:8]


def _arabic(
    culture: str, gender: str, nationality: str, rng: random.Random
) -> tuple[list[str], list[str], _Entry]:
    """Given names (Latin and Arabic, aligned) and the family-name entry of an Arab person."""
    region = "maghreb" if culture == "maghreb" else "mashriq"
    first = _TABLES[f"{region}:{gender[0]}"].pick(rng)
    given, arabic = [first.spellings[0]], [first.script]
    extra: list[_Entry] = []
    if region == "maghreb":
        if rng.random() < 0.12:
            extra.append(_TABLES[f"maghreb:{gender[0]}"].pick(rng))
    else:
        if nationality in _GULF and gender == "male" and rng.random() < 0.6:
            given.append("bin")
            arabic.append("بن")
        extra.append(_TABLES["mashriq:m"].pick(rng))  # father's name
        if rng.random() < 0.4:
            extra.append(_TABLES["mashriq:m"].pick(rng))  # grandfather's name
    for entry in extra:
        given.append(entry.spellings[0])
        arabic.append(entry.script)
    return given, arabic, _TABLES[f"{region}:family"].pick(rng)


def _latin(culture: str, gender: str, rng: random.Random) -> tuple[list[str], list[str]]:
    pool = _TABLES[f"{culture}:{gender[0]}"]
    given = [pool.pick(rng).spellings[0]]
    roll = rng.random()
    if culture == "french" and roll < 0.2:
        given[0] = f"{given[0]}-{pool.pick(rng).spellings[0]}"
    elif roll < (0.15 if culture == "spanish" else 0.35):
        given.append(pool.pick(rng).spellings[0])
    families = _TABLES[f"{culture}:family"]
    family = [families.pick(rng).spellings[0]]
    if culture == "spanish":
        family.append(families.pick(rng).spellings[0])
    return given, family


def _person(index: int, prefix: str, rng: random.Random) -> Person:
    culture = _CULTURE_NAMES[bisect(_CULTURE_CUM, rng.random() * _CULTURE_CUM[-1])]
    gender = "male" if rng.random() < 0.55 else "female"
    nationality = _pick_weighted(*_NATIONALITY[culture], rng)
    common = {
        "id": f"{prefix}{index:07d}",
        "culture": culture,
        "gender": gender,
        "birth_date": _birth_date(rng, culture),
        "nationality": nationality,
        "passport": _passport(rng, nationality),
    }
    if culture in ("maghreb", "mashriq"):
        given, arabic, family = _arabic(culture, gender, nationality, rng)
        return Person(
            given=tuple(given),
            family=(family.spellings[0],),
            arabic_given=tuple(arabic),
            arabic_family=(family.script,),
            **common,  # type: ignore[arg-type]
        )
    if culture == "chinese":
        surname = _TABLES["chinese:family"].pick(rng)
        chars = [_CHINESE_SYLLABLES.pick(rng) for _ in range(1 if rng.random() < 0.25 else 2)]
        syllables = tuple(c.spellings[0] for c in chars)
        return Person(
            given=("".join(syllables).capitalize(),),
            family=(surname.spellings[0],),
            chinese=surname.script + "".join(c.script for c in chars),
            syllables=syllables,
            family_first=True,
            **common,  # type: ignore[arg-type]
        )
    latin_given, latin_family = _latin(culture, gender, rng)
    return Person(given=tuple(latin_given), family=tuple(latin_family), **common)  # type: ignore[arg-type]


def iter_people(n: int, seed: int, prefix: str = "P") -> Iterator[Person]:
    """``n`` fictional people, deterministic for a seed, generated lazily."""
    rng = random.Random(seed)
    for index in range(n):
        yield _person(index, prefix, rng)


def generate_people(n: int, seed: int) -> list[Person]:
    return list(iter_people(n, seed))


def innocent_travellers(n: int, seed: int) -> list[Person]:
    """Travellers not on any list, from the same distributions (so they share common names)."""
    return list(iter_people(n, seed * 7919 + 104_729, prefix="T"))


_PARTICLE_JOIN = re.compile(r"\b(Abdel|Abdul|Abd|Ben|Bin|Ibn|El|Al|Ait|Bou|Abu|Abou|Le|De)[ -](\w)")
_PARTICLE_SPLIT = re.compile(
    r"\b(Abdel|Abdul|Ben|El|Ait|Bou|Le)(?=[a-z]{3})|(?<=[a-z])(?=eddine\b)"
)
_ARABIC_LETTERS = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي"
_LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def fold(text: str) -> str:
    """The machine-readable-zone spelling: no accents (José -> Jose, Muñoz -> Munoz)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _latin_variant(person: Person, rng: random.Random) -> Person | None:
    if person.chinese:
        surname = next(e for e in _TABLES["chinese:family"].items if e.script == person.chinese[0])
        if len(surname.spellings) > 1:
            return replace(person, family=(rng.choice(surname.spellings[1:]),))
        if len(person.syllables) == 2:
            return replace(person, given=("-".join(person.syllables).title(),))
        return None
    tokens = list(person.given + person.family)
    options = [i for i, t in enumerate(tokens) if len(_SPELLINGS.get(t, ())) > 1]
    if options:
        for i in rng.sample(options, k=max(1, len(options) // 2)):
            tokens[i] = rng.choice([s for s in _SPELLINGS[tokens[i]] if s != tokens[i]])
    else:
        folded = [fold(t) for t in tokens]
        if folded != tokens:
            tokens = folded
        elif any("-" in t for t in tokens):
            tokens = [t.replace("-", " ") for t in tokens]
        elif len(person.family) == 2:
            tokens[-2:] = ["-".join(person.family)]
            return replace(person, given=tuple(tokens[:-1]), family=(tokens[-1],))
        else:
            return None
    split = len(person.given)
    return replace(person, given=tuple(tokens[:split]), family=tuple(tokens[split:]))


def _typo(text: str, rng: random.Random) -> str:
    """One edit (delete, insert, substitute, transpose), never on the first letter."""
    positions = [i for i, c in enumerate(text) if c.isalpha() and i > 0 and text[i - 1] != " "]
    if not positions:
        return text + text[-1]
    i = rng.choice(positions)
    alphabet = _ARABIC_LETTERS if "\u0600" <= text[i] <= "\u06ff" else _LATIN_LETTERS
    op = rng.randrange(4)
    if op == 0:
        return text[:i] + text[i + 1 :]
    if op == 1:
        return text[:i] + rng.choice(alphabet) + text[i:]
    if op == 2:
        letter = rng.choice([c for c in alphabet if c != text[i].lower()])
        return text[:i] + (letter.upper() if text[i].isupper() else letter) + text[i + 1 :]
    if i + 1 < len(text) and text[i + 1].isalpha():
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i + 1 :]


def _join_split(person: Person) -> str | None:
    name = person.latin_name
    if len(person.syllables) == 2:
        given = " ".join(s.capitalize() for s in person.syllables)
        return (
            f"{person.family[0]} {given}" if person.family_first else f"{given} {person.family[0]}"
        )
    joined = re.sub(r"\bAbd al-(\w)", lambda m: "Abdal" + m.group(1).lower(), name)
    joined = _PARTICLE_JOIN.sub(lambda m: m.group(1) + m.group(2).lower(), joined)
    if joined != name:
        return joined
    split = _PARTICLE_SPLIT.sub(lambda m: (m.group(1) or "") + " ", name)
    split = re.sub(r" (\w)", lambda m: " " + m.group(1).upper(), split)
    return split if split != name else None


def _pinyin(person: Person, rng: random.Random) -> str | None:
    if not person.chinese:
        return None
    surname, given = person.family[0], person.given[0]
    spaced = " ".join(s.capitalize() for s in person.syllables)
    forms = [f"{surname.upper()} {given}", f"{given} {surname}", f"{surname} {spaced}"]
    if len(person.syllables) == 2:
        forms.append(f"{surname} {person.syllables[0].capitalize()}-{person.syllables[1]}")
    return rng.choice(forms)


def noisy_variant(person: Person, rng: random.Random, kind: str) -> Person | None:
    """The same person written another way; None when ``kind`` does not apply to this person."""
    changed: Person | None
    if kind == "arabic_script":
        changed = replace(person, written=person.arabic_name) if person.arabic_name else None
    elif kind == "latin_variant":
        changed = _latin_variant(person, rng)
    elif kind == "typo":
        changed = replace(person, written=_typo(person.name, rng))
    elif kind == "swap":
        changed = replace(person, family_first=not person.family_first, written=None)
    elif kind == "drop_middle":
        if len(person.given) > 1:
            changed = replace(person, given=person.given[:1], arabic_given=person.arabic_given[:1])
        elif len(person.family) > 1:
            changed = replace(person, family=person.family[:1])
        else:
            changed = None
    elif kind == "join_split":
        written = _join_split(person)
        changed = replace(person, written=written) if written else None
    elif kind == "chinese_chars":
        changed = replace(person, written=person.chinese) if person.chinese else None
    elif kind == "pinyin":
        written = _pinyin(person, rng)
        changed = replace(person, written=written) if written else None
    elif kind == "partial_dob":
        changed = replace(person, birth_date=person.birth_date[: rng.choice((4, 7))])
    else:
        raise ValueError(f"unknown noise kind {kind!r}; expected one of {NOISE_KINDS}")
    if changed is None:
        return None
    return replace(changed, id=f"{person.id}~{kind}", variant_of=person.id, noise=kind)


def applicable_kinds(person: Person) -> tuple[str, ...]:
    probe = random.Random(0)
    return tuple(k for k in NOISE_KINDS if noisy_variant(person, probe, k) is not None)


def to_subject(person: Person, *, all_scripts: bool = False) -> Subject:
    """A query (the name as written) or, with ``all_scripts``, a list entry with native forms."""
    names = [person.name]
    if all_scripts:
        names += [n for n in (person.latin_name, person.arabic_name, person.chinese) if n]
    return Subject(
        id=person.id,
        names=tuple(dict.fromkeys(names)),
        birth_dates=(person.birth_date,),
        nationalities=(person.nationality,),
        gender=person.gender,
        documents=(person.passport,),
        source="synthetic",
    )


def to_subjects(people: Iterable[Person], *, all_scripts: bool = False) -> Iterator[Subject]:
    return (to_subject(p, all_scripts=all_scripts) for p in people)
