"""Golden cases (fictional people), checked in both directions of every script pair."""

import pytest

from jisr.screening import DEFAULT_THRESHOLD, Screener, Subject, SubjectKind

MATCHES = [
    # Arabic script <-> French / English transliterations.
    ("عبد الحي سالك", "ABDULHAI SALEK"),
    ("عبد الحي سالك", "Abdel Hay Salek"),
    ("محمد بن علي الفاسي", "Mohamed Benali El Fassi"),
    ("محمد بن علي الفاسي", "Muhammad bin Ali al-Fassi"),
    ("يوسف شفيق التازي", "Youssef Chafik Tazi"),
    ("يوسف شفيق التازي", "Yusuf Shafiq al-Tazi"),
    ("عبد الرحمن الجزولي", "Abderrahmane Jazouli"),
    ("عبد اللطيف بوبكر", "Abd al-Latif Boubaker"),
    ("فاطمة الزهراء بناني", "Fatima Zahra Bennani"),
    ("جمال ولد سيدي", "Djamel Ould Sidi"),
    # Latin variants, typos, swapped order, missing middle name, joined/split parts.
    ("Mohammed Abdellatif Kabbaj", "Muhammad Abd al-Latif Kabbaj"),
    ("Salek Abdelhay", "Abdelhay Salek"),
    ("Karim Benjelloun", "Karim Ben Jelloun"),
    ("Jean-Baptiste Morvan", "Jean Baptiste Morvan"),
    ("Pierre Lemarchand", "Pierre Lemarchnad"),
    ("María José Quintanilla Rubio", "Maria Jose Quintanilla"),
    ("Oliver James Pemberton", "Oliver Pemberton"),
    # Chinese characters <-> pinyin.
    ("张小明", "Zhang Xiaoming"),
    ("张小明", "ZHANG Xiao Ming"),
    ("欧阳丽华", "Ouyang Lihua"),
]

NON_MATCHES = [
    ("عبد الحي سالك", "Abdelkader Salem"),
    ("محمد بن علي الفاسي", "Mohamed Tazi"),
    ("Karim Benjelloun", "Kamal Bensouda"),
    ("Pierre Lemarchand", "Paul Martin"),
    ("张小明", "Wang Fang"),
    ("Oliver James Pemberton", "Olivia Jameson"),
]


def _best(listed: str, query: str) -> float:
    screener = Screener([Subject("L", (listed,))])
    matches = screener.check(Subject("Q", (query,)), threshold=0.0)
    return matches[0].score if matches else 0.0


@pytest.mark.parametrize(("a", "b"), MATCHES)
def test_match_both_directions(a: str, b: str) -> None:
    assert _best(a, b) >= DEFAULT_THRESHOLD, (a, b)
    assert _best(b, a) >= DEFAULT_THRESHOLD, (b, a)


@pytest.mark.parametrize(("a", "b"), NON_MATCHES)
def test_non_match_both_directions(a: str, b: str) -> None:
    assert _best(a, b) < DEFAULT_THRESHOLD, (a, b)
    assert _best(b, a) < DEFAULT_THRESHOLD, (b, a)


def test_screen_ranks_the_right_person_first() -> None:
    screener = Screener(
        [
            Subject("1", ("Abdelhay Salek",), birth_dates=("1980-05-17",)),
            Subject("2", ("Abdelhay Salem",), birth_dates=("1980-05-17",)),
            Subject("3", ("Atlas Trading SARL",), kind=SubjectKind.ORGANIZATION),
        ]
    )
    assert len(screener) == 3
    results = dict(
        (q.id, m)
        for q, m in screener.screen(
            [
                Subject("a", ("عبد الحي سالك",), birth_dates=("1980",)),
                Subject("b", ("Atlas Trading LLC",), kind=SubjectKind.ORGANIZATION),
                Subject("c", ("Wang Fang",)),
            ]
        )
    )
    assert results["a"][0].entity_id == "1"
    assert [m.score for m in results["a"]] == sorted((m.score for m in results["a"]), reverse=True)
    assert results["b"][0].entity_id == "3"
    assert results["c"] == []
