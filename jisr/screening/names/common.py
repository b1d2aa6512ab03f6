"""Very common name parts: a match resting on them alone identifies nobody.

Millions of people are called Mohamed, Wang, Li, Garcia or Nguyen; two names that agree only
on such parts (``Mohamed Ali`` / ``Muhammad Ali``, ``Wang Wei``) are namesakes until a date of
birth or a document says otherwise. The list is the commonest given names and surnames of the
regions a border sees most, by token.
"""

from __future__ import annotations

from functools import lru_cache

from jisr.screening.names.phonetic import latin_skeleton

_COMMON = """
mohamed mohammed mohamad mohammad muhammad muhamad mehmet ahmed ahmad ali hassan hasan hussein
husain hussain hocine abdullah abdallah abdellah omar umar ibrahim brahim youssef yusuf yousef
khaled khalid mustafa mostafa mahmoud mahmud said saeed abdul karim hamid rashid salem salim
fatima fatma aisha aicha khadija maryam mariam zainab nour noor amina
wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he lin gao luo zheng
wei fang na min jing qiang lei jun yong yan jie tao ming chao xiu xia ping gang ying hua yu
jian guo hai wen hong zhi hao xin ting mei dong peng fei hui bin feng ning jia
nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly thi van
kim lee park choi jung kang cho yoon jang lim
singh kumar khan shah patel sharma ram devi lal begum bibi akhtar iqbal
garcia rodriguez gonzalez fernandez lopez martinez sanchez perez gomez martin jose maria juan
carlos antonio manuel luis ana carmen
smith johnson williams brown jones miller davis wilson john james david michael robert mary
jean pierre marie bernard dubois thomas
ivanov smirnov ivanova ivan sergei sergey alexander olga elena
siti nur muhammad putri dewi
"""
COMMON_TOKENS = frozenset(_COMMON.split())
_VOWELS = frozenset("aeiouy")
COMMON_SKELETONS = frozenset(
    skel for skel in (latin_skeleton(t) for t in COMMON_TOKENS) if len(skel) >= 3
)


@lru_cache(maxsize=65_536)
def is_common_part(token: str) -> bool:
    """Whether a lower-case token is one of the very common name parts; a token without vowels
    (an Arabic-script name romanised as consonants, ``mhmd``) is compared by skeleton."""
    if token in COMMON_TOKENS:
        return True
    return not _VOWELS.intersection(token) and latin_skeleton(token) in COMMON_SKELETONS
