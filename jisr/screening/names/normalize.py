"""Unicode clean-up and script detection, shared by every script-specific module."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum


class Script(StrEnum):
    LATIN = "latin"
    ARABIC = "arabic"
    HAN = "han"
    OTHER = "other"


_SPACES = re.compile(r"\s+")
# Everything that separates name tokens: punctuation, dashes, quotes, brackets, digits.
_SEPARATORS = re.compile(r"[\s\-‐-―_.,;:/\\()\[\]{}\"“”«»|+*#&!?@<>=~`]+")


# Zero-width spaces and joiners, word joiner, BOM, soft hyphen: invisible, never a separator
# (ZWNJ inside a Persian compound, علی‌رضا, joins a name that Latin writes as one word).
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")


def clean_text(text: str) -> str:
    """NFKC-normalise, drop invisible characters, case-fold, collapse separators to spaces."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return _SEPARATORS.sub(" ", text).strip()


def detect_script(text: str) -> Script:
    """The dominant script of the letters in ``text`` (Arabic, Han, Latin, or other)."""
    if text.isascii():
        return Script.LATIN
    counts = {Script.LATIN: 0, Script.ARABIC: 0, Script.HAN: 0, Script.OTHER: 0}
    for char in text:
        if not char.isalpha():
            continue
        code = ord(char)
        if code < 0x250 or 0x1E00 <= code <= 0x1EFF:
            counts[Script.LATIN] += 1
        elif 0x600 <= code <= 0x6FF or 0x750 <= code <= 0x77F or 0xFB50 <= code <= 0xFEFF:
            counts[Script.ARABIC] += 1
        elif 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
            counts[Script.HAN] += 1
        else:
            counts[Script.OTHER] += 1
    best = max(counts, key=lambda script: counts[script])
    return best if counts[best] else Script.LATIN


def strip_marks(text: str) -> str:
    """Remove combining marks (accents, Arabic harakat) after canonical decomposition."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()
