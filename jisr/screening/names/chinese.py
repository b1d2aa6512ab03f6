"""Chinese names in Han characters -> pinyin tokens (surname first, given name joined).

``pypinyin`` does the reading; what it lacks is the name convention: a Chinese name is a one-
or two-character surname followed by a given name that Latin documents write as one word
(张小明 -> ``zhang xiaoming``). Longer strings, or strings with the interpunct used for
foreign names (约翰·史密斯), are transcriptions: each part becomes one token.
"""

from __future__ import annotations

import re

from pypinyin import Style, lazy_pinyin

# Common two-character surnames; everything else takes the first character as surname.
_COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "司徒",
        "夏侯",
        "长孙",
        "宇文",
        "歐陽",
        "諸葛",
    }
)
# Characters whose reading as a surname differs from their usual reading.
_SURNAME_READINGS = {"单": "shan", "曾": "zeng", "解": "xie", "仇": "qiu", "朴": "piao"}
_PARTS = re.compile(r"[\s·•・.\-]+")


def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.NORMAL, errors="ignore")).replace("ü", "v")


def han_tokens(text: str) -> list[str]:
    """Pinyin tokens for a name written in Han characters."""
    parts = [p for p in _PARTS.split(text.strip()) if p]
    if len(parts) == 1 and 2 <= len(parts[0]) <= 4:
        name = parts[0]
        size = 2 if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else 1
        surname = _SURNAME_READINGS.get(name[:size]) or _pinyin(name[:size])
        given = _pinyin(name[size:])
        return [t for t in (surname, given) if t]
    return [t for t in (_pinyin(p) for p in parts) if t]
