"""Spelling variants of real names, written from linguistic rules alone.

Independent of the engine: this module imports nothing from ``jisr.screening`` and shares no
table with it. Each rule is a fact of Arabic-, Persian-, Chinese- or Korean-to-Latin practice
(ALA-LC vs French vs Spanish consonant spellings, particles, Wade-Giles initials, Korean
surname spellings), or of how clerks type (a typo, parts swapped, a date a year off). A
``Variant`` says which class of the issue it exercises, so results can be read per class.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

# Consonant spellings that transliteration traditions use for one Arabic letter. Both
# directions are listed so a rule can rewrite English-style into French/Spanish-style and back.
_CONSONANT_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("sh", ("ch", "sch", "x")),
    ("ch", ("sh",)),
    ("kh", ("h", "j", "x")),
    ("q", ("k", "g", "c")),
    ("k", ("q", "c")),
    ("j", ("dj", "g", "dj")),
    ("dj", ("j",)),
    ("dh", ("z", "th", "d")),
    ("th", ("t", "s")),
    ("gh", ("g", "r")),
    ("w", ("ou", "u")),
    ("ou", ("w", "u", "o")),
    ("u", ("ou", "o")),
    ("ee", ("i",)),
    ("i", ("e", "y")),
    ("e", ("a", "i")),
    ("ss", ("s",)),
    ("s", ("ss",)),
    ("y", ("i", "ie")),
)
_PARTICLE_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"\bbin\b", ("ben", "ibn", "b.")),
    (r"\bben\b", ("bin", "ibn")),
    (r"\bibn\b", ("bin", "ben")),
    (r"\bal-", ("el-", "el ", "al ", "")),
    (r"\bel-", ("al-", "al ", "el", "")),
    (r"\bal ", ("el ", "al-", "")),
    (r"\babd al-", ("abdel", "abdul ", "abd el ", "abdel-")),
    (r"\babdul ", ("abdel", "abd al-", "abdoul ")),
    (r"\babdel", ("abdul", "abd al-", "abd el-")),
    (r"\babu ", ("abou ", "bou", "abo ")),
    (r"\babou ", ("abu ", "bou")),
    (r"\bould ", ("ould-", "weld ", "o. ")),
    (r"ullah\b", (" allah", "ollah", "allah", "ulla")),
    (r"allah\b", ("ullah", " allah")),
    (r"\bud-", ("ed-", "ad-", "u", "e")),
    (r"uddin\b", ("eddine", " ad-din", "-ud-din")),
    (r"eddine\b", ("uddin", " al-din", " ed-din")),
)
# Pinyin initials as Wade-Giles writes them (apostrophes dropped, as passports do).
_WADE_GILES = (("zh", "ch"), ("x", "hs"), ("q", "ch"), ("z", "ts"), ("c", "ts"), ("r", "j"))
_WG_UNVOICED = (("b", "p"), ("d", "t"), ("g", "k"), ("j", "ch"))
# Korean surnames: Revised Romanization vs McCune-Reischauer and passport spellings.
_KOREAN = {
    "park": ("pak", "bak", "pack"),
    "lee": ("yi", "ri", "rhee", "i"),
    "choi": ("choe", "chwe"),
    "jung": ("jeong", "chung", "chong"),
    "kang": ("gang",),
    "yoon": ("yun",),
    "kim": ("gim",),
    "shin": ("sin",),
    "cho": ("jo",),
}


@dataclass(frozen=True, slots=True)
class Variant:
    cls: str
    name: str
    birth_date: str | None = None


def _cap(text: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in text.split())


def consonant_variant(name: str, rng: random.Random) -> str | None:
    lower = name.lower()
    rules = [(a, b) for a, b in _CONSONANT_RULES if a in lower]
    if not rules:
        return None
    for _ in range(rng.randint(1, 2)):
        rules = [(a, b) for a, b in _CONSONANT_RULES if a in lower]
        if not rules:
            break
        spelled, options = rng.choice(rules)
        spots = [m.start() for m in re.finditer(re.escape(spelled), lower)]
        at = rng.choice(spots)
        lower = lower[:at] + rng.choice(options) + lower[at + len(spelled) :]
    return _cap(lower) if lower != name.lower() else None


def particle_variant(name: str, rng: random.Random) -> str | None:
    lower = name.lower()
    rules = [(p, o) for p, o in _PARTICLE_RULES if re.search(p, lower)]
    if not rules:
        return None
    pattern, options = rng.choice(rules)
    out = re.sub(pattern, rng.choice(options), lower, count=1)
    return _cap(re.sub(r"\s+", " ", out).strip()) if out != lower else None


def typo(name: str, rng: random.Random) -> str | None:
    letters = [i for i, c in enumerate(name) if c.isalpha()]
    if len(letters) < 6:
        return None
    at = rng.choice(letters[1:])
    kind = rng.choice(("drop", "double", "swap", "replace"))
    if kind == "drop":
        return name[:at] + name[at + 1 :]
    if kind == "double":
        return name[:at] + name[at] + name[at:]
    if kind == "swap" and at + 1 < len(name) and name[at + 1].isalpha():
        return name[:at] + name[at + 1] + name[at] + name[at + 2 :]
    return name[:at] + rng.choice("aeioulnrst") + name[at + 1 :]


def reorder(name: str, rng: random.Random) -> str | None:
    parts = name.split()
    if len(parts) < 2:
        return None
    return " ".join(parts[-1:] + parts[:-1])


def messy_whitespace(name: str, rng: random.Random) -> str | None:
    parts = name.split()
    if len(parts) < 2:
        return None
    at = rng.randrange(1, len(parts))
    glue = rng.choice(("\n", "  ", "\t", " \u200b"))
    return " ".join(parts[:at]) + glue + " ".join(parts[at:])


def arabic_script_noise(name: str, rng: random.Random) -> str | None:
    """Tatweel, harakat, zero-width joiners, Persian letter forms, a line break."""
    if not re.search("[\u0600-\u06ff]", name):
        return None
    out = name
    choice = rng.choice(("tatweel", "harakat", "zwnj", "persian", "break"))
    if choice == "tatweel":
        out = re.sub("([بتثجحخسشصضطظعغفقكلمنهي])(?=[\u0600-\u06ff])", "\\1\u0640", out, count=2)
    elif choice == "harakat":
        out = re.sub("([بتسمنلر])", "\\1\u064e", out, count=3)
    elif choice == "zwnj":
        out = out.replace(" ", " \u200c", 1).replace("ا", "ا\u200d", 1)
    elif choice == "persian":
        out = out.replace("ي", "ی").replace("ك", "ک").replace("ى", "ی")
    else:
        out = out.replace(" ", "\n", 1)
    return out if out != name else None


# Pinyin finals as Wade-Giles writes them (Hanyu Pinyin vs Wade-Giles conversion tables).
_WG_FINALS = (("iong", "iung"), ("ong", "ung"), ("ian", "ien"), ("ie", "ieh"), ("ue", "ueh"))


_WG_FINALS_RE = re.compile("|".join(p for p, _ in _WG_FINALS))


def _wade_giles_finals(word: str) -> str:
    finals = dict(_WG_FINALS)
    word = _WG_FINALS_RE.sub(lambda m: finals[m.group(0)], word)
    if word in ("zi", "ci", "si"):
        return {"zi": "tzu", "ci": "tzu", "si": "ssu"}[word]
    return re.sub(r"^(zh|ch|sh|r)i$", r"\1ih", word)


def wade_giles(name: str, rng: random.Random) -> str | None:
    words = [_wade_giles_finals(w) for w in name.lower().split()]
    out = []
    for word in words:
        if word.startswith(("ch", "sh")):
            out.append(word)  # pinyin ch and sh are Wade-Giles ch' and sh
            continue
        for pinyin, wg in _WADE_GILES:
            if word.startswith(pinyin):
                word = wg + word[len(pinyin) :]
                break
        else:
            for voiced, unvoiced in _WG_UNVOICED:
                if word.startswith(voiced):
                    word = unvoiced + word[len(voiced) :]
                    break
        out.append(word)
    return _cap(" ".join(out)) if out != name.lower().split() else None


def korean(name: str, rng: random.Random) -> str | None:
    words = name.lower().split()
    for i, word in enumerate(words):
        if word in _KOREAN:
            words[i] = rng.choice(_KOREAN[word])
            return _cap(" ".join(words))
    return None


def year_off(date: str | None, rng: random.Random) -> str | None:
    if not date or not date[:4].isdigit():
        return None
    return f"{int(date[:4]) + rng.choice((-1, 1))}{date[4:]}"


def day_month_swapped(date: str | None, rng: random.Random) -> str | None:
    if not date or len(date) != 10 or int(date[8:]) > 12 or date[5:7] == date[8:]:
        return None
    return f"{date[:4]}-{date[8:]}-{date[5:7]}"


def messy_date(date: str | None, rng: random.Random) -> str | None:
    """As clerks write it: day first with slashes, one-digit month, an impossible day."""
    if not date or len(date) != 10:
        return None
    y, m, d = date[:4], date[5:7], date[8:]
    return rng.choice((f"{d}/{m}/{y}", f"{y}-{int(m)}-{int(d)}", f"{y}-{m}-3{rng.randint(2, 9)}"))


NameRule = Callable[[str, random.Random], str | None]
NAME_CLASSES: dict[str, NameRule] = {
    "particles and joins": particle_variant,
    "consonant renderings": consonant_variant,
    "typo": typo,
    "parts reordered": reorder,
    "line breaks / stray whitespace": messy_whitespace,
}
DATE_CLASSES = {
    "birth year one off": year_off,
    "day and month swapped": day_month_swapped,
    "messy date format": messy_date,
}
