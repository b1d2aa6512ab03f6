"""JSON lines of FollowTheMoney entities."""

from __future__ import annotations

from pathlib import Path

import pytest

from jisr.screening.model import SubjectKind
from jisr.screening.sources import SourceFormatError, read_subjects

FIXTURE = Path(__file__).parent / "fixtures" / "ftm_fictional.jsonl"


def test_entities_names_and_documents() -> None:
    result = read_subjects(FIXTURE, lenient_facts=True)
    subjects = {s.id: s for s in result}
    assert result.format == "ftm"
    assert list(subjects) == ["ftm-p1", "ftm-p2", "ftm-o1", "ftm-c1", "ftm-l1", "ftm-bad-date"]
    # An impossible date is ignored at the day, with a warning; the person is kept.
    leila = subjects["ftm-bad-date"]
    assert leila.birth_dates == ("2023-02",)
    assert leila.warnings == (
        "birth date '2023-02-30': day 30 does not exist in that month, ignored",
    )
    youssef = subjects["ftm-p1"]
    assert youssef.names == ("Youssef El Amrani", "Youcef Elamrani", "Abou Karim")
    assert youssef.birth_dates == ("1979-11-02",)
    assert youssef.nationalities == ("ma", "fr")
    assert youssef.gender == "male"
    # passportNumber on the person, and the number of a Passport entity naming it as holder.
    assert youssef.documents == ("MA1234567", "FR99AB12345")
    khadija = subjects["ftm-p2"]
    # firstName + fatherName + lastName, the short form, then aliases; fragments are merged.
    assert khadija.names == (
        "Khadija Mohamed Bennani",
        "Khadija Bennani",
        "Khadija Tazi",
        "Khadidja Bennani",
    )
    assert khadija.birth_dates == ("1985-04",)
    assert khadija.documents == ("BK778899",)
    assert subjects["ftm-o1"].kind is SubjectKind.ORGANIZATION
    assert subjects["ftm-c1"].kind is SubjectKind.ORGANIZATION
    assert subjects["ftm-l1"].kind is SubjectKind.OTHER


def test_every_line_is_accounted_for() -> None:
    result = read_subjects(FIXTURE, lenient_facts=True)
    subjects = result.load()
    assert [(r.line, r.reason) for r in result.rejections] == [
        (9, "not valid JSON (Expecting value at column 1)"),
        (10, "not a FollowTheMoney entity (No schema for entity.)"),
        (11, "no name at all"),
        (12, "Identification holder 'ftm-ghost' is not in the file"),
    ]
    assert result.skipped == {
        "Passport entities added to their holder": 1,
        "Sanction entities (not screened)": 1,
        "entity fragments merged with an earlier line": 1,
    }
    lines = len(FIXTURE.read_text(encoding="utf-8").splitlines())
    assert len(subjects) + len(result.rejections) + sum(result.skipped.values()) == lines


def test_json_that_is_not_ftm(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"name": "Ali"}\n', encoding="utf-8")
    with pytest.raises(SourceFormatError, match="not FollowTheMoney"):
        read_subjects(path)
    array = tmp_path / "array.json"
    array.write_text('[{"schema": "Person"}]', encoding="utf-8")
    with pytest.raises(SourceFormatError, match="JSON array"):
        read_subjects(array)
