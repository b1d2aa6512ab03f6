"""Names as the console shows them: in the script they were written in, with a Latin
transliteration beside them when that script is not Latin.

Arabic uses the screening library's everyday romanisation (Abdel, Ben, Ould...), Chinese the
pinyin reading with the surname first, anything else ICU's ``Any-Latin`` transform.
"""

from __future__ import annotations

from functools import cache

import icu

from jisr.screening.names.arabic import arabic_tokens, romanize_arabic
from jisr.screening.names.chinese import han_tokens
from jisr.screening.names.normalize import Script, detect_script


@cache
def _any_latin() -> icu.Transliterator:
    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def transliteration(name: str | None) -> str | None:
    """A Latin rendering of ``name``, or None when it is already Latin (or empty)."""
    if not name or not name.strip():
        return None
    script = detect_script(name)
    if script is Script.LATIN:
        return None
    if script is Script.ARABIC:
        tokens = [romanize_arabic(t) for t in arabic_tokens(name)]
    elif script is Script.HAN:
        tokens = han_tokens(name)
    else:
        tokens = str(_any_latin().transliterate(name)).split()
    latin = " ".join(t.capitalize() for t in tokens if t)
    return latin or None
