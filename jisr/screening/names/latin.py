"""Latin-script names: ASCII folding, Arabic name particles as Latin listings spell them.

The particle rules mirror ``arabic.arabic_tokens`` so that both scripts produce the same
tokens: ``Abdel Hay``, ``Abd al-Hay`` and ``Abdelhay`` become one token; ``Ben Ali`` and
``Benali`` agree; a standalone article (``al``, ``el``, ``ad-``...) is dropped.
"""

from __future__ import annotations

import re

import icu

from jisr.screening.names.normalize import strip_marks

_ASCII = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
_APOSTROPHES = re.compile("['’‘`ʿʾʼ´]")
_NON_ALPHA = re.compile(r"[^a-z ]+")
# Assimilated article written with a hyphen: ad-Din, ar-Rashid, as-Sayyid, ash-Shami.
_ASSIMILATED = re.compile(r"\b[ae](?:sh|[dnrstz])-(?=\w)")
_ARTICLES = frozenset({"al", "el", "ul", "il"})
_ABD = frozenset(
    {"abd", "abdel", "abdul", "abdal", "abdoul", "abdou", "abdu", "abdil", "abdol", "abdelal"}
)
_BINDING = frozenset(
    {
        "ben",
        "bin",
        "ibn",
        "ibnu",
        "bint",
        "bent",
        "abu",
        "abou",
        "abo",
        "bou",
        "ould",
        "ouled",
        "weld",
        "wuld",
    }
)
# The article assimilated to a "sun" consonant and written as its own word between two parts:
# Nour ed Din, Shams ud Din, Salah ad Din, Harun ar Rashid (hyphens are spaces by now).
_SUN_ARTICLE = re.compile(r"^[aeiu](?:sh|[dnrstz])$")
# Abbreviations of the most common name in the Muslim world, as in passports and lists.
_EXPANSIONS = {"mohd": "mohamed", "muhd": "mohamed", "mhd": "mohamed", "md": "mohamed"}


def fold_latin(text: str) -> str:
    """Lower-case ASCII letters and spaces only (accents dropped, ß -> ss, Ø -> o ...)."""
    text = _ASSIMILATED.sub("", text.lower())
    text = _APOSTROPHES.sub("", text)
    ascii_text = strip_marks(text)
    if not ascii_text.isascii():
        ascii_text = _ASCII.transliterate(ascii_text).lower()
        ascii_text = _APOSTROPHES.sub("", ascii_text)
    return _NON_ALPHA.sub(" ", ascii_text)


def _drop_inner_articles(words: list[str]) -> list[str]:
    """Drop an assimilated article between two parts (``shams ud din``), and the Urdu ``-ur``
    glued to a part before ``Rahman`` / ``Rehman`` (``fazlur rahman`` -> ``fazl rahman``)."""
    out: list[str] = []
    for i, word in enumerate(words):
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if out and nxt and _SUN_ARTICLE.match(word) and nxt.startswith(word[1:]):
            continue
        if nxt.startswith("r") and len(word) > 4 and word.endswith("ur") and out == []:
            word = word[:-2]
        out.append(word)
    return out


def latin_tokens(folded: str, person: bool = True) -> list[str]:
    """Tokens of a folded name, with particles bound the way ``arabic_tokens`` binds them."""
    words = folded.split()
    if not person:
        return words
    words = [_EXPANSIONS.get(w, w) for w in words]
    words = _drop_inner_articles(words)
    tokens: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        last = i + 1 >= len(words)
        if not last and word in _ABD:
            # "abd al hay" / "abdel hay" / "abdou rahman": one token.
            j = i + 1
            joined = word
            if words[j] in _ARTICLES and j + 1 < len(words):
                joined += "al"
                j += 1
            tokens.append(joined + words[j])
            i = j + 1
            continue
        if not last and word in _BINDING:
            nxt = words[i + 1]
            if nxt in _ABD and i + 2 < len(words):
                # "ould abdel aziz": the particle binds to the whole compound.
                rest = latin_tokens(" ".join(words[i + 1 : i + 3]))
                if len(rest) == 1:
                    tokens.append(word + rest[0])
                    i += 3
                    continue
            if nxt in _ARTICLES and i + 2 < len(words):
                nxt = words[i + 2]
                i += 1
            tokens.append(word + nxt)
            i += 2
            continue
        if word in _ARTICLES and len(words) > 1:
            i += 1
            continue
        tokens.append(word)
        i += 1
    return tokens
