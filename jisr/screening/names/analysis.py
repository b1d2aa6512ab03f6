"""One entry point: any name, in any script, to comparable tokens and skeletons."""

from __future__ import annotations

from dataclasses import dataclass

import icu
from rigour.names import remove_org_types, remove_person_prefixes

from jisr.screening.names.arabic import (
    arabic_skeleton,
    arabic_tokens,
    normalize_arabic,
    romanize_arabic,
)
from jisr.screening.names.chinese import han_tokens
from jisr.screening.names.latin import fold_latin, latin_tokens
from jisr.screening.names.normalize import Script, clean_text, detect_script
from jisr.screening.names.phonetic import latin_skeleton

_ANY_LATIN = icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")
# Legal forms and generic words rigour does not know in Arabic script.
_ARABIC_ORG_WORDS = frozenset({"شركة", "شركه", "مؤسسة", "مؤسسه", "ذمم", "شمم", "شذمم", "مجموعة"})

_ORG_STOPWORDS = frozenset({"the", "of", "and", "de", "la", "le", "du", "des", "del", "y", "et"})


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name reduced for comparison.

    ``tokens`` are lower-case ASCII (romanised when the name was in another script);
    ``skeletons`` are the matching consonant-class keys, one per token.
    """

    text: str
    script: Script
    tokens: tuple[str, ...]
    skeletons: tuple[str, ...]

    def pack(self) -> str:
        """A compact one-string form kept by the index for each listed name."""
        return f"{self.script.value[0]}|{' '.join(self.tokens)}|{' '.join(self.skeletons)}"


_SCRIPT_BY_LETTER = {s.value[0]: s for s in Script}


def unpack(packed: str, text: str) -> NameForm:
    """Inverse of ``NameForm.pack`` (``text`` is kept outside the packed string)."""
    letter, tokens, skeletons = packed.split("|")
    return NameForm(
        text, _SCRIPT_BY_LETTER[letter], tuple(tokens.split()), tuple(skeletons.split())
    )


def analyze_name(text: str, person: bool = True) -> NameForm:
    """Analyse a person's (or, with ``person=False``, an organisation's) name."""
    script = detect_script(text)
    if script is Script.ARABIC:
        normal = normalize_arabic(clean_text(text))
        if not person:
            normal = " ".join(w for w in normal.split() if w not in _ARABIC_ORG_WORDS)
        arabic = arabic_tokens(normal) if person else normal.split()
        tokens = tuple(romanize_arabic(t) for t in arabic)
        skeletons = tuple(arabic_skeleton(t) for t in arabic)
        return NameForm(text, script, tokens, skeletons)
    if script is Script.HAN:
        tokens = tuple(han_tokens(clean_text(text)))
    else:
        if not person:
            text_ = remove_org_types(text.replace("(", " ").replace(")", " ")) or text
        else:
            text_ = text
        cleaned = clean_text(text_)
        if script is Script.OTHER:
            cleaned = _ANY_LATIN.transliterate(cleaned).lower()
        if person:
            cleaned = remove_person_prefixes(cleaned) or cleaned
        words = latin_tokens(fold_latin(cleaned), person)
        if not person:
            words = [w for w in words if w not in _ORG_STOPWORDS] or words
        tokens = tuple(words)
    skeletons = tuple(latin_skeleton(t) for t in tokens)
    if script is Script.HAN:
        # Pinyin x is always the one sound (Xu: Hsu), never ks or kh.
        skeletons = tuple(s.replace("χ", "X") for s in skeletons)
    return NameForm(text, script, tokens, skeletons)
