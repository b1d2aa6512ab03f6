"""East Asian names in Latin letters: the romanisations that spell one name several ways.

* **Chinese, Wade-Giles vs pinyin** (``Hsu`` / ``Xu``, ``Chang`` / ``Zhang``, ``Tsai`` / ``Cai``,
  ``Hsiao-ming`` / ``Xiaoming``): the syllable table (``wadegiles_table``, generated) is
  pypinyin's own Wade-Giles conversion
  (``pypinyin.style.wadegiles``, sourced there from the Wikipedia, UCLA and University of
  Chicago conversion tables), read without apostrophes and umlauts, as passports write it. A
  token is cut into syllables (up to four) and every pinyin reading of the cut is a key.
* **Korean surnames** (``Pak`` / ``Park`` / ``Bak``, ``Ri`` / ``Lee`` / ``Yi`` / ``Rhee``):
  pypinyin and ICU know no Korean romanisation in reverse, so the table below is curated from
  the Revised Romanization (2000), McCune-Reischauer, North Korean usage (``Ri``, ``Pak``) and
  the National Institute of the Korean Language's survey of surname spellings in passports
  (2009), as listed in Wikipedia's "List of Korean surnames".

``romanization_keys`` gives a token's keys; two tokens sharing a key are spellings of one name.
"""

from __future__ import annotations

from functools import cache, lru_cache

from jisr.screening.names.chinese import chinese_surnames
from jisr.screening.names.wadegiles_table import PINYIN, WADE_GILES

# canonical (Revised Romanization): other spellings.
_KOREAN_SURNAMES = """
kim:gim,kimm lee:yi,i,ri,rhee,rhie,reo,lie,ree,rie park:pak,bak,bahk,pack,paik,pag
choi:choe,chwe,choy,chey jung:jeong,chung,chong,joung,jeung kang:gang,kahng
cho:jo,joe,chou yoon:yun,youn,youn jang:chang,jhang,zang lim:im,rim,yim,leem
han:hahn oh:o,ohe seo:suh,so,su,seoh shin:sin,shinn,synn kwon:gwon,kwun hwang:whang
ahn:an,ahan song:soung jeon:jun,chun,cheon,chon,jeun hong:houng yoo:yu,you,ryu,ryoo,rhyu
ko:go,koh moon:mun,muhn yang:ryang bae:pae,bai,bay baek:paek,paik,baik,back,pack
heo:hur,huh,hu nam:nahm noh:no,roh,ro,rho ha:hah kwak:gwak sung:seong,seung
cha:char joo:ju,chu,choo woo:u,wu,oo min:minn ryu:yu,yoo,rhyu,lyu na:ra,la
jin:chin,jeen ji:chi,jee um:eom,uhm,eum won:weon chae:chai,chea cheon:chun,chon
bang:pang gong:kong hyun:hyeon,hyon byun:byeon,pyon,pyun yeom:yum,yeum seok:suk,sok
"""


def _korean_table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for entry in _KOREAN_SURNAMES.split():
        canonical, others = entry.split(":")
        for spelling in (canonical, *others.split(",")):
            table.setdefault(spelling, set()).add("ko:" + canonical)
    return {k: frozenset(v) for k, v in table.items()}


_KOREAN = _korean_table()


def _plain(wade_giles: str) -> str:
    return wade_giles.replace("'", "").replace("ü", "u").replace("v", "u")


_INITIALS = "b p m f d t n l g k h j q x zh ch sh r z c s y w".split() + [""]
_FINALS = (
    "a o e i u v ai ei ui ao ou iu ie ve ue er an en in un vn ang eng ing ong ia iao ian iang "
    "iong ua uo uai uan uang"
).split()


def generate_syllables() -> tuple[dict[str, frozenset[str]], frozenset[str]]:
    """Wade-Giles syllable (as passports write it) -> pinyin syllables; pinyin syllables,
    computed with pypinyin (see ``wadegiles_table``, which keeps the result).

    Initials times finals over-generate a little (``bve``); such strings occur in no name."""
    from pypinyin.style.wadegiles import to_wade_glides

    pinyins = {i + f for i in _INITIALS for f in _FINALS}
    wade: dict[str, set[str]] = {}
    for pinyin in pinyins:
        wade.setdefault(_plain(to_wade_glides(pinyin)), set()).add(pinyin.replace("v", "u"))
    plain = frozenset(p.replace("v", "u") for p in pinyins)
    return {k: frozenset(v) for k, v in wade.items()}, plain


@cache
def _syllables() -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    return WADE_GILES, PINYIN


def _cuts(token: str, syllables: frozenset[str] | dict[str, tuple[str, ...]]) -> list[list[str]]:
    """Ways to cut ``token`` into at most four known syllables (longest first)."""
    out: list[list[str]] = []

    def walk(rest: str, done: list[str]) -> None:
        if len(out) >= 4 or len(done) > 4:
            return
        if not rest:
            out.append(done)
            return
        for end in range(min(len(rest), 6), 0, -1):
            if rest[:end] in syllables:
                walk(rest[end:], [*done, rest[:end]])

    walk(token, [])
    return out


@lru_cache(maxsize=65_536)
def romanization_keys(token: str) -> frozenset[str]:
    """Keys shared by the spellings of one East Asian name part (empty for most tokens)."""
    keys: set[str] = set(_KOREAN.get(token, ()))
    keys.update("zh:" + p for p in chinese_surnames(token))
    if len(token) < 2:
        return frozenset(keys)
    wade, pinyins = _syllables()
    if _cuts(token, pinyins):
        keys.add("py:" + token)
    for cut in _cuts(token, wade):
        readings = [""]
        for syllable in cut:
            readings = [r + p for r in readings for p in sorted(wade[syllable])][:8]
        keys.update("py:" + r for r in readings)
    return frozenset(keys)
