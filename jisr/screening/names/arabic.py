"""Arabic-script names (Arabic, Persian, Urdu letters): normalisation, particles, romanisation.

Written by hand because ICU ``Arabic-Latin`` gives a strict letter-by-letter transliteration
(``ʿbd alhy salk``) that matches none of the spellings officials really use, and no installed
library knows the name particles. Vowels are mostly unwritten, so the comparison key is the
consonant skeleton (see ``phonetic``); the romanised form is for people to read.
"""

from __future__ import annotations

import re
from functools import lru_cache

from jisr.screening.names.phonetic import finish_skeleton

# Harakat, Quranic marks, superscript alef and tatweel carry no identity.
_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_FOLD = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ٲ": "ا",
        "ى": "ي",
        "ی": "ي",
        "ے": "ي",
        "ې": "ي",
        "ئ": "ي",
        "ؤ": "و",
        "ک": "ك",
        "ۀ": "ه",
        "ە": "ه",
        "ھ": "ه",
        "ہ": "ه",
        "٠": "",
    }
)
# One consonant class per letter (same classes as ``phonetic``); long vowels, hamza and ayn
# are unwritten or written inconsistently in Latin, so they map to nothing. Letters that Latin
# spellings render in several classes map to a lower-case placeholder that
# ``phonetic.skeleton_variants`` expands (ض Dhiya / Fazl, ق Qasim / Gassim, خ Khalid / Jalid...).
_SKELETON = {
    "ب": "B",
    "پ": "B",
    "ت": "T",
    "ث": "s",
    "ٹ": "T",
    "ط": "T",
    "ج": "J",
    "چ": "X",
    "ژ": "J",
    "گ": "J",
    "ح": "H",
    "خ": "h",
    "ه": "H",
    "د": "D",
    "ذ": "e",
    "ض": "d",
    "ڈ": "D",
    "ر": "R",
    "ڑ": "R",
    "ز": "Z",
    "ظ": "z",
    "س": "S",
    "ص": "S",
    "ش": "X",
    "غ": "g",
    "ف": "F",
    "ڤ": "F",
    "ق": "k",
    "ڨ": "K",
    "ك": "K",
    "ل": "L",
    "م": "M",
    "ن": "N",
    "ں": "N",
}
_ROMAN = {
    "ا": "a",
    "ب": "b",
    "پ": "p",
    "ت": "t",
    "ث": "th",
    "ٹ": "t",
    "ط": "t",
    "ج": "j",
    "چ": "ch",
    "ژ": "zh",
    "گ": "g",
    "ح": "h",
    "خ": "kh",
    "ه": "h",
    "د": "d",
    "ذ": "dh",
    "ض": "d",
    "ڈ": "d",
    "ر": "r",
    "ڑ": "r",
    "ز": "z",
    "ظ": "z",
    "س": "s",
    "ص": "s",
    "ش": "sh",
    "غ": "gh",
    "ف": "f",
    "ڤ": "v",
    "ق": "q",
    "ڨ": "g",
    "ك": "k",
    "ل": "l",
    "م": "m",
    "ن": "n",
    "ں": "n",
    "و": "u",
    "ي": "i",
    "ة": "a",
    "ع": "",
    "ء": "",
}
# Particles written as a separate word that bind to the next word: "son of", "father of",
# "daughter of", Maghrebi "ould", the article and the family "Al".
_BINDING = frozenset({"بن", "ابن", "بنت", "ابو", "ابي", "ابا", "ولد", "ال", "اولاد"})
_ABD = "عبد"
_ARTICLE = "ال"
_GOD = "الله"


def normalize_arabic(text: str) -> str:
    """Drop harakat and tatweel; fold alef/hamza seats, alef maqsura and Persian letters."""
    return _MARKS.sub("", text).translate(_FOLD)


def arabic_tokens(text: str) -> list[str]:
    """Split a normalised Arabic name into tokens, binding particles to the next word.

    ``عبد الحي`` and ``عبدالحي`` both become ``عبدالحي``; ``بن علي`` becomes ``بنعلي`` (as in
    the Maghrebi surname Benali); a leading article is dropped (``الفاسي`` -> ``فاسي``), since
    Latin listings often leave it out.
    """
    words = [w for w in re.split(r"[^\u0600-\u06ff\u0750-\u077f]+", text) if w]
    tokens: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if i + 1 < len(words) and (word == _ABD or word in _BINDING):
            nxt = words[i + 1]
            if word != _ABD and nxt == _ABD and i + 2 < len(words):
                # ولد عبد العزيز: the particle binds to the whole compound.
                tokens.append(word + nxt + words[i + 2])
                i += 3
                continue
            if word == _ARTICLE:
                tokens.append(_strip_article(nxt))
                i += 2
                continue
            # أبو العطاء -> ابوعطاء, as Latin "Abu al-Ata" -> abuata (the article drops).
            tokens.append(word + (nxt if word == _ABD else _strip_article(nxt)))
            i += 2
            continue
        tokens.append(word if word.startswith(_ABD) else _strip_article(word))
        i += 1
    return [t for t in tokens if t]


def _strip_article(word: str) -> str:
    if word.startswith(_ARTICLE) and len(word) > 3 and word != _GOD:
        return word[2:]
    return word


@lru_cache(maxsize=262_144)
def arabic_skeleton(token: str) -> str:
    """Consonant skeleton of one Arabic-script token (placeholders for ambiguous letters)."""
    # تش and دج spell the foreign sounds ch and dj.
    token = token.replace("تش", "چ").replace("دج", "ج")
    out: list[str] = []
    last = len(token) - 1
    for i, ch in enumerate(token):
        if (
            ch == "و"
            and i < last
            and (i == 0 or (token[i + 1] in "يا" and token[i - 1] not in "اوي"))
        ):
            # و opening a word, or before a vowel letter, is w or (Persian, Urdu) v: Vaziri
            # وزيري, Parviz پرویز, Javad جواد.
            out.append("w")
        elif ch == "ه" and i == last and i >= 2:
            # A final heh is often a vowel (Fatemeh / Fatima, Zohreh / Zohra).
            out.append("a")
        else:
            out.append(_SKELETON.get(ch, ""))
    return finish_skeleton("".join(out))


_PARTICLE_SPELLINGS = {
    "عبد": "abd",
    "ابو": "abu",
    "ابن": "ibn",
    "بنت": "bint",
    "بن": "ben",
    "ولد": "ould",
}


@lru_cache(maxsize=262_144)
def romanize_arabic(token: str) -> str:
    """A readable romanisation; particles get their everyday Latin spelling."""
    if token in _PARTICLE_SPELLINGS:
        # A particle standing alone (``سيار عبد``): its spelling, not its letters (``bd``).
        return _PARTICLE_SPELLINGS[token]
    for prefix, latin in (
        ("عبدال", "abdel"),
        ("عبد", "abd"),
        ("ابو", "abu"),
        ("ابن", "ibn"),
        ("بنت", "bint"),
        ("بن", "ben"),
        ("ولد", "ould"),
    ):
        if token.startswith(prefix) and len(token) > len(prefix) + 1:
            return latin + _romanize_letters(token[len(prefix) :])
    return _romanize_letters(token)


def _romanize_letters(token: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(token):
        if ch in "وي":
            prev_vowel = i > 0 and token[i - 1] in "اوي"
            at_start = i == 0
            if at_start or prev_vowel:
                out.append("w" if ch == "و" else "y")
                continue
        if ch == "ا" and i > 0 and token[i - 1] == "ا":
            continue
        out.append(_ROMAN.get(ch, ""))
    return "".join(out)
