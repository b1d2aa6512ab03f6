"""Names as the console shows them: in the script they were written in, with a Latin
transliteration beside them when that script is not Latin.

Arabic script gets a readable conventional spelling (``يوسف العمراني`` -> ``Youssef El
Amrani``), French-style for a French-speaking viewer and English-style otherwise, from the
screening library's table of usual spellings first and its vocalising fallback second
(``jisr.screening.names.display``). Chinese gets the pinyin reading with the surname first,
anything else ICU's ``Any-Latin`` transform. The template marks the result as a
transliteration (``class="translit"``, in parentheses).
"""

from __future__ import annotations

from functools import cache

import icu

from jisr.screening.names.chinese import han_tokens
from jisr.screening.names.display import display_latin
from jisr.screening.names.normalize import Script, detect_script


@cache
def _any_latin() -> icu.Transliterator:
    return icu.Transliterator.createInstance("Any-Latin; Latin-ASCII")


def transliteration(name: str | None, lang: str = "en") -> str | None:
    """A Latin rendering of ``name`` for a reader of ``lang`` (``fr`` gets French-style
    spellings, any other language English-style), or None when it is already Latin (or
    empty)."""
    if not name or not name.strip():
        return None
    script = detect_script(name)
    if script is Script.LATIN:
        return None
    if script is Script.ARABIC:
        return display_latin(name, french=lang == "fr") or None
    if script is Script.HAN:
        tokens = han_tokens(name)
    else:
        tokens = str(_any_latin().transliterate(name)).split()
    latin = " ".join(t.capitalize() for t in tokens if t)
    return latin or None
