"""East Asian names in Latin letters: Wade-Giles and pinyin, Korean romanisations, joins."""

from __future__ import annotations

import pytest

from jisr.screening.alignment import align_names
from jisr.screening.names import analyze_name
from jisr.screening.names.eastasian import generate_syllables
from jisr.screening.names.wadegiles_table import PINYIN, WADE_GILES


def test_the_kept_wade_giles_table_is_pypinyins() -> None:
    wade, pinyin = generate_syllables()
    assert {k: tuple(sorted(v)) for k, v in wade.items()} == WADE_GILES
    assert pinyin == PINYIN


def _score(a: str, b: str) -> float:
    return align_names(analyze_name(a), analyze_name(b)).score


SAME = [
    ("Hsu Hsiao-ming", "Xu Xiaoming"),
    ("Chang Wei-kuo", "Zhang Weiguo"),
    ("Tsai Ing-wen", "Cai Yingwen"),
    ("Mao Tse-tung", "Mao Zedong"),
    ("Teng Hsiao-ping", "Deng Xiaoping"),
    ("Kim Jong Un", "Kim Jong-un"),
    ("Kim Jong Un", "Kim Jongun"),
    ("Pak Jong Chol", "Park Jong-chol"),
    ("Bak Yong Ho", "Park Yong-ho"),
    ("Ri Chol Ung", "Lee Chol Ung"),
    ("Yi Sun Sin", "Rhee Sun-sin"),
    ("张小明", "Chang Hsiao-ming"),
    ("许家印", "Hsu Chia-yin"),
]


@pytest.mark.parametrize(("a", "b"), SAME + [(b, a) for a, b in SAME])
def test_romanisations_of_one_name_agree_both_ways(a: str, b: str) -> None:
    assert _score(a, b) >= 0.8


@pytest.mark.parametrize(
    ("a", "b"), [("Hsu Hsiao-ming", "Hsu Chia-yin"), ("Park Jong Chol", "Kim Jong Chol")]
)
def test_other_names_stay_apart(a: str, b: str) -> None:
    assert _score(a, b) < 0.8
