"""Phonetic skeletons: a key for a Latin-script name token that survives transliteration.

Written by hand because no installed library does this job: metaphone/soundex (rigour,
jellyfish) model English spelling and keep vowels that Arabic script does not write, and they
tell apart the spellings that French, English and Spanish transliterations of the same Arabic
sound use (ch/sh, ou/u/w, dj/j/g, kh/h/x). A skeleton keeps one class letter per consonant
sound, drops vowels and semi-vowels and collapses repeats, so ``Mohamed``, ``Muhammad`` and
``محمد`` all give ``MHMD``; ``Chafik``, ``Shafiq`` and ``شفيق`` give ``XFK``.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Multi-letter spellings first (order matters: longest match wins).
_DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("dsch", "J"),
    ("tsch", "X"),
    ("sch", "X"),
    ("tch", "X"),
    ("dzh", "J"),
    ("dj", "J"),
    ("dh", "ð"),
    ("zh", "ʒ"),
    ("kh", "H"),
    ("gh", "ɣ"),
    ("sh", "ʃ"),
    ("ch", "X"),
    ("th", "θ"),
    ("ph", "F"),
    ("ck", "K"),
    ("qu", "K"),
    ("ou", ""),
    ("x", "χ"),
)
_LETTERS = {
    "b": "B",
    "p": "B",
    "f": "F",
    "v": "F",
    "t": "T",
    "d": "D",
    "z": "Z",
    "s": "S",
    "c": "K",
    "k": "K",
    "q": "ʠ",
    "g": "J",
    "j": "ʝ",
    "h": "H",
    "l": "L",
    "m": "M",
    "n": "N",
    "r": "R",
}
_DIGRAPH_RE = re.compile("|".join(re.escape(d) for d, _ in _DIGRAPHS))
_DIGRAPH_MAP = dict(_DIGRAPHS)
_SOFT_C = re.compile(r"c(?=[eiy])")
_REPEATS = re.compile(r"(.)\1+")
# After the "Abd" of a compound, the article's L assimilates before a "sun" consonant in
# speech (Abderrahmane, Abdennour), so it is dropped there in both scripts.
_ABD_SUN = re.compile(r"^BDL(?=[TDZSXRNL])")


@lru_cache(maxsize=262_144)
def latin_skeleton(token: str) -> str:
    """The consonant-class skeleton of a lower-case ASCII token (cached: name parts repeat)."""
    token = _SOFT_C.sub("s", token)
    token = _DIGRAPH_RE.sub(lambda m: _DIGRAPH_MAP[m.group(0)], token)
    out = "".join(
        _LETTERS.get(ch, ch if ch.isupper() or ch in _LATIN_AMBIGUOUS else "") for ch in token
    )
    return finish_skeleton(out)


_COARSE = str.maketrans({"Z": "S", "D": "T", "J": "K", "X": "S", "H": None})


@lru_cache(maxsize=65_536)
def coarse_skeleton(skeleton: str) -> str:
    """A looser key merging classes that foreign spellings confuse (s/z, t/d, g/k, sh/s), and
    dropping h (bh, ch, hamza seats): used to grade near misses, not to decide alone."""
    return _REPEATS.sub(r"\1", skeleton.translate(_COARSE)) or "V"


# Placeholders in Arabic-script skeletons and the classes each may be written as in Latin,
# the everyday spelling first. Sources: the consonant tables of ALA-LC (1997), DIN 31635, the
# French (Institut géographique national) and Spanish (Escuela de Estudios Árabes) traditions,
# and Persian/Urdu usage (ض and ظ as z, و as v); see docs/screening.md.
AMBIGUOUS: dict[str, tuple[str, ...]] = {
    "d": ("D", "Z"),  # ض  d, dh, z (Persian/Urdu)
    "z": ("Z", "D", "T"),  # ظ  z, dh, th, d
    "e": ("D", "Z", "T"),  # ذ  dh, z, th, d
    "s": ("T", "S"),  # ث  th, s (Persian, Turkish, Egyptian), t
    "k": ("K", "J"),  # ق  q, k, g (Gulf, Egyptian, Maghrebi)
    "h": ("H", "J", "K"),  # خ  kh, h, j (Spanish), k
    "g": ("J", "R"),  # غ  gh, g, r (French rh/r)
    "w": ("", "F"),  # و  a vowel, or v (Persian, Urdu)
    "a": ("H", ""),  # final ه  h, or a vowel (Fatemeh / Fatima)
    # Latin letter pairs that are one sound or two: Mazhar مظهر (z+h), Ishaq إسحاق (s+h).
    "ʒ": ("J", "ZH"),
    "ʃ": ("X", "SH"),
    # Latin letters that stand for different Arabic letters in different traditions: Spanish
    # j and x for kh (Jalid, Xan), French r for gh (Rhali), th and dh read as s and z
    # (Osman, Kabaze), g for q (Gassim).
    "ð": ("D", "Z"),
    "ɣ": ("J", "R"),
    "θ": ("T", "S"),
    "χ": ("KS", "X", "H"),
    "ʝ": ("J", "H"),
    "ʠ": ("K", "J"),
}
_LATIN_AMBIGUOUS = frozenset("ʒʃðɣθχʝʠ")
_PLACEHOLDER = re.compile("[" + "".join(AMBIGUOUS) + "]")
MAX_VARIANTS = 8


@lru_cache(maxsize=131_072)
def skeleton_variants(skeleton: str) -> tuple[str, ...]:
    """Every concrete skeleton an Arabic-script skeleton with placeholders can be written as,
    the everyday one first (at most ``MAX_VARIANTS``); a Latin skeleton is its own only one."""
    if not _PLACEHOLDER.search(skeleton):
        return (skeleton,)
    variants = [""]
    for ch in skeleton:
        options = AMBIGUOUS.get(ch, (ch,))
        variants = [v + o for v in variants for o in options][: MAX_VARIANTS * 3]
    out = dict.fromkeys(finish_skeleton(v) for v in variants)
    return tuple(out)[:MAX_VARIANTS]


def primary_skeleton(skeleton: str) -> str:
    """The everyday concrete skeleton (placeholders as their first class)."""
    return skeleton_variants(skeleton)[0]


@lru_cache(maxsize=262_144)
def finish_skeleton(skeleton: str) -> str:
    """Rules applied identically to skeletons from every script."""
    skeleton = _REPEATS.sub(r"\1", skeleton)
    skeleton = _ABD_SUN.sub("BD", skeleton)
    return skeleton or "V"
