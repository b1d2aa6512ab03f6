"""Golden cases for evidence beyond the name (fictional people and entities only).

A traveller at a border carries a date of birth, a nationality, a gender and a passport; a
close name must not win against conflicting facts, and a name that identifies nobody (one
short part, only very common parts, an organisation) needs corroboration.
"""

from dataclasses import dataclass

import pytest

from jisr.screening import DEFAULT_THRESHOLD, Screener, Subject, SubjectKind

PERSON = SubjectKind.PERSON
ORG = SubjectKind.ORGANIZATION
VESSEL = SubjectKind.VESSEL


@dataclass(frozen=True)
class Case:
    query: str
    listed: str
    hit: bool
    query_dob: str | None = None
    listed_dob: str | None = None
    listed_kind: SubjectKind = PERSON
    why: str = ""


CASES = [
    # A person is not an organisation or a vessel with a similar name.
    Case("Ma Tao", "MATAA", False, listed_kind=ORG, why="person vs one-word organisation"),
    Case("Ma Tao", "MIT", False, listed_kind=ORG, why="short organisation name"),
    Case("Ma Tao", "EMT OOO", False, listed_kind=ORG, why="short organisation name"),
    Case("Atlas Rahmouni", "ATLAS RAHMOUNI", False, listed_kind=VESSEL, why="vessel"),
    # A short or one-part name needs a date of birth.
    Case("Ma Tao", "Ma Tao", False, why="short name, nothing else"),
    Case("Ma Tao", "Ma Tao", True, "1971-03-09", "1971-03-09", why="short name, same birth"),
    Case("Zorbanek", "Zorbanek", False, why="one-part name, nothing else"),
    Case("Zorbanek", "Zorbanek", True, "1966-11-02", "1966-11-02", why="one part, same birth"),
    # Only very common parts: namesakes until a date of birth says otherwise.
    Case("Mohamed Ali", "Muhammad Ali", False, why="common parts only"),
    Case("Wang Wei", "Wang Wei", False, why="common parts only"),
    Case("Wang Wei", "Wang Wei", True, "1984-07-21", "1984-07-21", why="same birth date"),
    # A conflicting date of birth pulls a perfect name below the threshold.
    Case("Abdelhay Salek", "Abdelhay Salek", False, "1980-05-17", "1962-03-02", why="dob"),
    Case("Abdelhay Salek", "Abdelhay Salek", False, "1980-05-17", "1980-09-30", why="dob"),
    Case("Abdelhay Salek", "Abdelhay Salek", True, "1980-05-17", "1980", why="year only"),
    Case("Abdelhay Salek", "عبد الحي سالك", True, "1980-05-17", "1980-05-17", why="script"),
    # Chinese surnames in pinyin, Cantonese and Wade-Giles spellings.
    Case("Cheung Xiaoming", "张小明", True, "1975-02-14", "1975-02-14", why="Cantonese"),
    Case("Ng Weiping", "Wu Weiping", True, "1990-10-01", "1990-10-01", why="Cantonese"),
    Case("Hsieh Jiehua", "Xie Jiehua", True, "2000-09-16", "2000-09-16", why="Wade-Giles"),
]


def _score(case: Case) -> float:
    listed = Subject(
        "L",
        (case.listed,),
        kind=case.listed_kind,
        birth_dates=(case.listed_dob,) if case.listed_dob else (),
    )
    query = Subject("Q", (case.query,), birth_dates=(case.query_dob,) if case.query_dob else ())
    matches = Screener([listed]).check(query, threshold=0.0)
    return matches[0].score if matches else 0.0


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.query}/{c.listed}/{c.why}")
def test_evidence(case: Case) -> None:
    score = _score(case)
    if case.hit:
        assert score >= DEFAULT_THRESHOLD, (case, score)
    else:
        assert score < DEFAULT_THRESHOLD, (case, score)
