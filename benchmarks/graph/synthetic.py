"""A labelled, multi-script synthetic set of fictional people and bank accounts.

Written from the linguistics of Arabic names, independently of ``jisr/screening``'s tables:
each name part is a sequence of phonemes (consonants of Modern Standard Arabic, the short
vowels a/i/u and the long aa/ii/uu); a record renders it in one of four traditions, as the
agencies that hold it would:
- Arabic script: consonants and long vowels only (short vowels are not written), a doubled
  consonant written once (the shadda is omitted), the article ``al`` attached (``ال``);
- French (Maghreb civil-status usage): u -> ou (long) or o/e (short), sh -> ch, j -> dj,
  q -> k, kh -> kh, the ain dropped, the article ``El``/``Al`` or dropped, the Maghrebi
  reduction of a short vowel to e;
- English (Library-of-Congress-like, simplified): sh, j, q, kh, dh, th, w, y, ii -> ee or i;
- Spanish: kh -> j (the Castilian velar), sh -> ch, j -> y, w -> u, u -> u, the ain dropped.
On top comes data-entry noise: a letter dropped or doubled, two letters swapped, a part left
out, family name first, hyphens and spaces. Dates of birth are the same, missing, or with day
and month swapped; passport numbers and IBANs carry spaces and dashes; phones are written in
national or international form. Namesakes (same name, other person) come from a small pool of
common names. Truth is a separate label per record.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Name parts as phonemes (space-separated). All fictional combinations.
GIVEN = [
    "m u H a m m a d",
    "y uu s u f",
    "kh aa l i d",
    "H a s a n",
    "' a l ii",
    "' u m a r",
    "r a sh ii d",
    "k a r ii m",
    "n aa d i y a",
    "f aa T i m a",
    "s a m ii r",
    "h i sh aa m",
    "' a b d u l l aa h",
    "j a m aa l",
    "s a ' ii d",
    "m u s T a f aa",
    "i b r aa h ii m",
    "z a k a r i y y aa",
    "H a m ii d",
    "' aa ʔ i sh a",
    "kh a d ii j a",
    "l a y l aa",
    "T aa r i q",
    "n a b ii l",
    "m a H m uu d",
    "s u l a y m aa n",
    "b i l aa l",
    "q aa s i m",
    "dh a k i y y a",
    "gh aa d a",
    "sh a r ii f",
    "w a l ii d",
    "y a H y aa",
    "' i m aa d",
]
FAMILY = [
    "al b a n n aa n ii",
    "al ' a m r aa n ii",
    "T a z ii",
    "b a n n i s",
    "al q aa s i m ii",
    "sh a r q aa w ii",
    "al kh a T T aa b ii",
    "al f aa s ii",
    "b a r r aa d a",
    "al H a d d aa d",
    "z i y aa n ii",
    "b u sh r aa",
    "al ' a l a w ii",
    "l a H s a n",
    "w a z z aa n ii",
    "al m a n S uu r ii",
    "q a b b aa j",
    "al gh aa z ii",
    "s a l aa w ii",
    "al j a z aa ʔ i r ii",
    "b a n j a l uu n",
    "D a r r aa b",
    "al y uu s u f ii",
    "T a h i r ii",
    "al kh a y y aa T",
    "sh aa w ii",
    "b a r aa d a",
    "kh a l f ii",
    "al ' i d r ii s ii",
    "z a r h uu n ii",
    "m a q r i b ii",
    "al w aa f ii",
    "H a r r aa q",
    "al b u kh aa r ii",
    "s uu s ii",
    "j a b r ii",
    "f i l aa l ii",
    "al q u r a y sh ii",
    "n aa S i r ii",
    "b a k k aa r",
]
# Root-and-pattern morphology: a family name is a triliteral root (three consonants) poured
# into a pattern, as Arabic forms its words: the intensive CaCCaaC of trades (Haddaad,
# Khayyaat), the nisba -ii of origins (al-Faasii, Tazii), the participle CaaCiC (Qaasim), the
# diminutive CuCayC, CaCiiC, the plural-like CaCaaCiC with the nisba (1, 2, 3: the radicals).
_PATTERNS = (
    "1 a 2 2 aa 3",
    "al 1 a 2 2 aa 3",
    "1 aa 2 i 3",
    "1 a 2 ii 3 ii",
    "al 1 a 2 2 aa 3 ii",
    "1 u 2 a y 3",
    "1 a 2 aa 2 i 3 ii",
    "al 1 aa 2 i 3 ii",
    "1 a 2 2 uu 3",
    "1 a 2 2 aa 3 ii",
)
_RADICALS = "b t j H kh d r z s sh S T ' gh f q k l m n h w y".split()


def family_names(count: int, seed: int) -> list[str]:
    rng = random.Random(seed * 31 + 1)
    names: dict[str, None] = dict.fromkeys(FAMILY)
    while len(names) < count:
        root = [rng.choice(_RADICALS) for _ in range(3)]
        if root[0] == root[1]:
            continue
        pattern = rng.choice(_PATTERNS).split()
        slots = {"1": root[0], "2": root[1], "3": root[2]}
        names.setdefault(" ".join(slots.get(u, u) for u in pattern), None)
    return list(names)


_ARABIC = {
    "b": "ب",
    "t": "ت",
    "th": "ث",
    "j": "ج",
    "H": "ح",
    "kh": "خ",
    "d": "د",
    "dh": "ذ",
    "r": "ر",
    "z": "ز",
    "s": "س",
    "sh": "ش",
    "S": "ص",
    "D": "ض",
    "T": "ط",
    "Z": "ظ",
    "'": "ع",
    "gh": "غ",
    "f": "ف",
    "q": "ق",
    "k": "ك",
    "l": "ل",
    "m": "م",
    "n": "ن",
    "h": "ه",
    "w": "و",
    "y": "ي",
    "ʔ": "ئ",
    "aa": "ا",
    "ii": "ي",
    "uu": "و",
}
_LATIN = {
    "french": {
        "th": "t",
        "j": "dj",
        "H": "h",
        "dh": "d",
        "sh": "ch",
        "S": "s",
        "D": "d",
        "T": "t",
        "Z": "z",
        "'": "",
        "q": "k",
        "w": "ou",
        "ʔ": "",
        "aa": "a",
        "ii": "i",
        "uu": "ou",
        "a": "a",
        "i": "i",
        "u": "o",
    },
    "english": {
        "th": "th",
        "j": "j",
        "H": "h",
        "dh": "dh",
        "sh": "sh",
        "S": "s",
        "D": "d",
        "T": "t",
        "Z": "z",
        "'": "",
        "q": "q",
        "w": "w",
        "ʔ": "",
        "aa": "a",
        "ii": "ee",
        "uu": "oo",
        "a": "a",
        "i": "i",
        "u": "u",
    },
    "spanish": {
        "th": "z",
        "j": "y",
        "H": "h",
        "kh": "j",
        "dh": "d",
        "sh": "ch",
        "S": "s",
        "D": "d",
        "T": "t",
        "Z": "z",
        "'": "",
        "q": "k",
        "w": "u",
        "ʔ": "",
        "aa": "a",
        "ii": "i",
        "uu": "u",
        "a": "a",
        "i": "i",
        "u": "u",
    },
}
_VOWELS = {"a", "i", "u", "aa", "ii", "uu"}
_ARTICLE = {
    "french": ["El ", "El-", "Al ", ""],
    "english": ["Al-", "al-", "Al "],
    "spanish": ["El ", ""],
}
TRADITIONS = ("arabic", "french", "english", "spanish")


def render_part(phonemes: str, tradition: str, rng: random.Random) -> str:
    units = phonemes.split()
    article = units[:1] == ["al"]
    if article:
        units = units[1:]
    if tradition == "arabic":
        out = []
        for index, unit in enumerate(units):
            if unit in {"a", "i", "u"}:
                if index == 0:
                    out.append("ا")
                continue
            letter = _ARABIC[unit]
            if out and out[-1] == letter and unit not in _VOWELS:
                continue
            out.append(letter)
        return ("ال" if article else "") + "".join(out)
    table = _LATIN[tradition]
    pieces = []
    for index, unit in enumerate(units):
        text = table.get(unit, unit)
        if tradition == "french" and unit == "u" and rng.random() < 0.4:
            text = "ou"
        if (
            tradition == "french"
            and unit == "a"
            and 0 < index < len(units) - 1
            and rng.random() < 0.2
        ):
            text = "e"
        if pieces and text == pieces[-1] and unit not in _VOWELS and rng.random() < 0.5:
            continue  # a doubled consonant often written once
        pieces.append(text)
    word = "".join(pieces).capitalize()
    if article:
        prefix = rng.choice(_ARTICLE[tradition])
        word = prefix + (word if prefix.endswith((" ", "-")) or not prefix else word)
    return word


def _typo(text: str, rng: random.Random) -> str:
    if len(text) < 5 or not text.isascii():
        return text
    i = rng.randrange(1, len(text) - 2)
    kind = rng.random()
    if kind < 0.33:
        return text[:i] + text[i + 1 :]
    if kind < 0.66:
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


@dataclass(frozen=True)
class Person:
    key: str
    given: str
    middle: str | None
    family: str
    birth: str
    passport: str | None
    phone: str | None


def _passport(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return f"{rng.choice(letters)}{rng.choice(letters)}{rng.randrange(10**6, 10**7)}"


def _person(rng: random.Random, key: str, common: bool, families: list[str]) -> Person:
    pool_given = GIVEN[:6] if common else GIVEN
    pool_family = FAMILY[:5] if common else families
    year, month, day = rng.randrange(1955, 2002), rng.randrange(1, 13), rng.randrange(1, 29)
    return Person(
        key=key,
        given=rng.choice(pool_given),
        middle=rng.choice(GIVEN) if rng.random() < 0.35 else None,
        family=rng.choice(pool_family),
        birth=f"{year:04d}-{month:02d}-{day:02d}",
        passport=_passport(rng) if rng.random() < 0.6 else None,
        phone=f"+2126{rng.randrange(10**7, 10**8)}" if rng.random() < 0.5 else None,
    )


def _record(person: Person, rng: random.Random, index: int, tradition: str) -> dict[str, object]:
    parts = [render_part(person.given, tradition, rng)]
    if person.middle and rng.random() < 0.6:
        parts.append(render_part(person.middle, tradition, rng))
    family = render_part(person.family, tradition, rng)
    if tradition != "arabic" and rng.random() < 0.15:
        family = _typo(family, rng)
    if tradition != "arabic" and rng.random() < 0.1:
        parts[0] = _typo(parts[0], rng)
    name = " ".join([family, *parts] if rng.random() < 0.15 else [*parts, family])
    props: dict[str, list[str]] = {"name": [name]}
    roll = rng.random()
    if roll < 0.75:
        props["birthDate"] = [person.birth]
    elif roll < 0.82:
        year, month, day = person.birth.split("-")
        if int(day) <= 12 and day != month:
            props["birthDate"] = [f"{year}-{day}-{month}"]
    if person.passport and rng.random() < 0.6:
        number = person.passport
        props["passportNumber"] = [
            rng.choice([number, f"{number[:2]} {number[2:]}", number.lower()])
        ]
    if person.phone and rng.random() < 0.5:
        national = "0" + person.phone[4:]
        props["phone"] = [
            rng.choice([person.phone, f"00{person.phone[1:]}", f"+212 {national[1:]}"])
        ]
    return {"id": f"rec-{index:08d}", "schema": "Person", "properties": props}


def _iban(rng: random.Random) -> str:
    return f"FR76{rng.randrange(10**22, 10**23)}"


def generate(count: int, seed: int = 7) -> Iterator[tuple[dict[str, object], str]]:
    """``count`` records with their true cluster label."""
    rng = random.Random(seed)
    families = family_names(max(200, count), seed)
    index = 0
    number = 0
    while index < count:
        number += 1
        if rng.random() < 0.08:
            iban = _iban(rng)
            for _ in range(rng.choice((1, 2, 2, 3))):
                if index >= count:
                    break
                spaced = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
                record = {
                    "id": f"rec-{index:08d}",
                    "schema": "BankAccount",
                    "properties": {"iban": [rng.choice([iban, spaced])]},
                }
                yield record, f"acct-{number}"
                index += 1
            continue
        person = _person(rng, f"p-{number}", rng.random() < 0.05, families)
        copies = rng.choice((1, 1, 2, 2, 3, 4))
        for _ in range(copies):
            if index >= count:
                break
            tradition = rng.choice(TRADITIONS)
            yield _record(person, rng, index, tradition), person.key
            index += 1


def write(path: Path, labels: Path, count: int, seed: int = 7) -> None:
    with path.open("w", encoding="utf-8") as out, labels.open("w", encoding="utf-8") as lab:
        for record, label in generate(count, seed):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            lab.write(json.dumps({"id": record["id"], "label": label}) + "\n")


if __name__ == "__main__":
    import sys

    for record, label in generate(int(sys.argv[1]) if len(sys.argv) > 1 else 20):
        print(label, json.dumps(record, ensure_ascii=False))
