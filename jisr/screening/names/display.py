"""A readable Latin spelling of an Arabic-script name, French- or English-style, for display.

Name parts are looked up in the table of conventional spellings first (``spellings``:
``يوسف العمراني`` -> ``Youssef El Amrani``, ``مهدي برادة`` -> ``Mehdi Berrada``); a part not in
the table is *vocalised*: the short vowels Arabic script leaves unwritten are read from the
harakat when the writer gave them, and otherwise guessed (``a`` between two consonants, ``e``
before the last one in French style), consonants spelled by the reader's convention (ش ch / sh,
و ou / w, ق k / q). The result is a transliteration to help a reader, never a legal spelling.

ICU's ``Arabic-Latin`` gives a strict letter-by-letter transliteration (``ywsf``), which is why
this is written here.
"""

from __future__ import annotations

import re

from jisr.screening.names.arabic import normalize_arabic
from jisr.screening.names.spellings import conventional_spelling

_FATHA, _KASRA, _DAMMA, _SUKUN, _SHADDA = "\u064e", "\u0650", "\u064f", "\u0652", "\u0651"
_TANWIN = "\u064b\u064c\u064d"
_HARAKAT = re.compile("[\u064b-\u0652]")
# Letter -> (French-style, English-style) consonant spelling.
_CONSONANTS = {
    "ب": ("b", "b"),
    "پ": ("p", "p"),
    "ت": ("t", "t"),
    "ث": ("th", "th"),
    "ج": ("j", "j"),
    "چ": ("tch", "ch"),
    "ح": ("h", "h"),
    "خ": ("kh", "kh"),
    "د": ("d", "d"),
    "ذ": ("dh", "dh"),
    "ر": ("r", "r"),
    "ز": ("z", "z"),
    "ژ": ("j", "zh"),
    "س": ("s", "s"),
    "ش": ("ch", "sh"),
    "ص": ("s", "s"),
    "ض": ("d", "d"),
    "ط": ("t", "t"),
    "ظ": ("dh", "z"),
    "غ": ("gh", "gh"),
    "ف": ("f", "f"),
    "ڤ": ("v", "v"),
    "ق": ("k", "q"),
    "ك": ("k", "k"),
    "گ": ("g", "g"),
    "ل": ("l", "l"),
    "م": ("m", "m"),
    "ن": ("n", "n"),
    "ه": ("h", "h"),
    "و": ("ou", "w"),
    "ي": ("y", "y"),
}
_PARTICLES = {
    "بن": ("Ben", "bin"),
    "ابن": ("Ibn", "ibn"),
    "بنت": ("Bent", "bint"),
    "ابو": ("Abou", "Abu"),
    "ولد": ("Ould", "Ould"),
    "ايت": ("Aït", "Ait"),
}
_SUN = frozenset("تثدذرزسشصضطظلن")
# A written short vowel followed by its long letter (fatha + alef) is one vowel in Latin.
_LONG = re.compile(r"(ou|a|i|u)\1")
_WORDS = re.compile(r"[\u0600-\u06ff\u0750-\u077f]+")


def display_latin(name: str, french: bool) -> str:
    """A readable Latin spelling of an Arabic-script ``name`` (French- or English-style)."""
    words = _WORDS.findall(name.replace("\u0640", ""))
    out: list[str] = []
    i = 0
    while i < len(words):
        word, plain = words[i], normalize_arabic(words[i])
        nxt = normalize_arabic(words[i + 1]) if i + 1 < len(words) else ""
        if plain == "عبد" and nxt:
            # عبد الله written apart is one name: Abdellah / Abdullah.
            out.append(_part(words[i] + words[i + 1], french))
            i += 2
            continue
        if plain in _PARTICLES and nxt:
            fr, en = _PARTICLES[plain]
            out.append(fr if french else en)
        elif plain == "ال" and nxt:
            out.append("El" if french else "Al-")
        else:
            out.append(_part(word, french))
        i += 1
    return " ".join(out).replace("Al- ", "Al-")


def _part(word: str, french: bool) -> str:
    plain = normalize_arabic(word)
    known = conventional_spelling(plain, french)
    if known is not None:
        return known
    if plain.startswith("عبد") and len(plain) > 4:
        rest = plain[3:]
        if rest.startswith("ال"):
            rest = rest[2:]
        tail = _part(rest, french)
        if french:
            sun = rest[:1] in _SUN
            return "Abd" + ("e" + tail[0].lower() if sun else "el") + tail.lower()
        return "Abdul" + tail.lower()
    if plain.startswith("ال") and len(plain) > 3:
        return ("El " if french else "Al-") + _part(word[2:], french)
    return _vocalise(word, french).capitalize()


def _vocalise(word: str, french: bool) -> str:
    """Spell one word, with its harakat if written, otherwise with guessed short vowels."""
    voweled = bool(_HARAKAT.search(word))
    letters: list[tuple[str, str]] = []  # (letter, marks after it)
    for ch in normalize_arabic_keep_marks(word):
        if _HARAKAT.match(ch) and letters:
            letters[-1] = (letters[-1][0], letters[-1][1] + ch)
        elif not _HARAKAT.match(ch):
            letters.append((ch, ""))
    out: list[str] = []
    last = len(letters) - 1
    for i, (letter, marks) in enumerate(letters):
        prev = letters[i - 1][0] if i else ""
        nxt = letters[i + 1][0] if i < last else ""
        out.append(_letter(letter, prev, nxt, i, french))
        if _SHADDA in marks:
            out.append(out[-1][-1:])
        if voweled:
            out.append(_written_vowel(marks, french))
        elif _needs_vowel(letter, nxt, i, last):
            # Before the last consonant: Salek / Salik, Kacem / Qasim.
            out.append(("e" if french else "i") if i + 1 == last else "a")
    text = "".join(out)
    return _LONG.sub(lambda m: m.group(1), text) if voweled else text


def normalize_arabic_keep_marks(word: str) -> str:
    """Fold letter variants (hamza seats, Persian letters) but keep the harakat."""
    return "".join(normalize_arabic(c) or c if not _HARAKAT.match(c) else c for c in word)


def _letter(letter: str, prev: str, nxt: str, i: int, french: bool) -> str:
    if letter in "اآ":
        return "" if prev == "ا" else "a"
    if letter == "ة":
        return "a"
    if letter in "عء":
        return ""
    if letter == "و":
        consonant = i == 0 or (bool(nxt) and nxt in "اي")
        if consonant:
            return "ou" if french else "w"
        return "ou" if french else "u"
    if letter == "ي":
        consonant = i == 0 or (bool(nxt) and nxt in "او" and prev != "ا")
        return "y" if consonant else "i"
    spelled = _CONSONANTS.get(letter)
    if spelled is None:
        return ""
    return spelled[0] if french else spelled[1]


def _needs_vowel(letter: str, nxt: str, i: int, last: int) -> bool:
    """A consonant followed by another consonant (no vowel letter) gets a guessed vowel, except
    at the end of the word."""
    if i >= last or letter in "اويةعء" or not nxt:
        return False
    return nxt not in "اويةى"


def _written_vowel(marks: str, french: bool) -> str:
    if _FATHA in marks or "\u064b" in marks:
        return "a"
    if _KASRA in marks or "\u064d" in marks:
        return "i"
    if _DAMMA in marks or "\u064c" in marks:
        return "ou" if french else "u"
    return ""
