"""Chinese names in Han characters -> pinyin tokens (surname first, given name joined).

``pypinyin`` does the reading; what it lacks is the name convention: a Chinese name is a one-
or two-character surname followed by a given name that Latin documents write as one word
(张小明 -> ``zhang xiaoming``). Longer strings, or strings with the interpunct used for
foreign names (约翰·史密斯), are transcriptions: each part becomes one token.
"""

from __future__ import annotations

import re

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
    # Imported on first use: loading pypinyin's dictionaries costs ~0.3 s of start-up that a
    # run without Chinese characters should not pay.
    from pypinyin import Style, lazy_pinyin

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


# Common Chinese surnames: pinyin, then the Wade-Giles, Cantonese (Hong Kong, Macau) and
# Hokkien/Teochew (Singapore, Malaysia) spellings that passports and lists use. One spelling
# can stand for several surnames (Wong: 王 Wang and 黄 Huang), so a token maps to a set.
_SURNAME_SPELLINGS = """
wang:wong,ong huang:wong,hwang,ng li:lee,lei,lie zhang:chang,cheung,cheong,teo,chong
liu:lau,lao,low chen:chan,chin,tan,chun yang:yeung,yeong,yeo,yong zhao:chao,chiu,chew
wu:ng,woo,goh,ngo zhou:chou,chow,chau,chew xu:hsu,tsui,hui,khoo,koh sun:suen,soon,suan
ma:mah,mar,mah zhu:chu,chue,choo hu:woo,foo guo:kuo,kwok,kok he:ho,hoh,hor lin:lam,lim,ling
gao:kao,ko,kou luo:lo,law,loh,lor zheng:cheng,cheang,tay,teh liang:leung,leong,neo
xie:hsieh,tse,chia,seah song:sung,soong tang:tong,teng deng:teng,tang,tung feng:fung,fong,pang
cao:tsao,cho,tso peng:pang,phang,pheng zeng:tseng,tsang,chan xiao:hsiao,siu,seow
cai:tsai,choi,chua,chai pan:poon,phua,pun ye:yeh,yip,yap jiang:chiang,kong,kang,tseung
yuan:yuen,yuan qiu:chiu,yau,khoo,khu zhong:chung,chong lu:lo,lou,loo,lui,lue,lyu su:so,soo
ding:ting,teng wei:ngai,wee xue:hsueh,sit yan:yen,yim,gan yu:yue,yee,yi du:tu,to,toh
dai:tai,tay xia:hsia,ha qian:chien,chin fu:foo,hoo shen:shum,sham,sim han:hon,hang
jin:chin,kam,kim jia:chia,kar cheng:ching,seng yao:yiu,yeo fang:fong,hong shi:shih,shek,sek
cui:tsui,chui liao:liu,liew,leow tan:tam,tom wen:wan,woon,boon ouyang:auyeung,auyong,owyang
situ:szeto,seto sima:szema,suma
"""


def _surname_table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for entry in _SURNAME_SPELLINGS.split():
        pinyin, others = entry.split(":")
        for spelling in (pinyin, *others.split(",")):
            table.setdefault(spelling, set()).add(pinyin)
    return {spelling: frozenset(pinyins) for spelling, pinyins in table.items()}


_SURNAMES = _surname_table()


def chinese_surnames(token: str) -> frozenset[str]:
    """The pinyin surnames a lower-case Latin token can spell (``wong`` -> wang, huang)."""
    return _SURNAMES.get(token, frozenset())
