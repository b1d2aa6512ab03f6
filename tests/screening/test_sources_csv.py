"""CSV subjects: columns, multi-values, encodings and every kind of bad row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from jisr.screening.model import Subject
from jisr.screening.sources import (
    SourceEncodingError,
    SourceError,
    SourceNotFoundError,
    SourceResult,
    read_subjects,
)


def _read(
    tmp_path: Path, text: str, name: str = "people.csv"
) -> tuple[list[Subject], SourceResult]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = read_subjects(path, lenient_facts=True)
    return result.load(), result


def test_reads_all_columns_and_aliases(tmp_path: Path) -> None:
    subjects, result = _read(
        tmp_path,
        "id,name,birth_date,nationality,gender,document_number,aliases\n"
        "t1,Mohamed Benali,1980-05-17,MA,M,AB123456,Mohammed Ben Ali;محمد بن علي\n"
        't2,"Wang Xiaoming",1975,China,f,,\n',
    )
    assert result.format == "csv"
    assert result.rejections == []
    first, second = subjects
    assert first.id == "t1"
    assert first.names == ("Mohamed Benali", "Mohammed Ben Ali", "محمد بن علي")
    assert first.birth_dates == ("1980-05-17",)
    assert first.nationalities == ("ma",)
    assert first.gender == "male"
    assert first.documents == ("AB123456",)
    assert second.nationalities == ("cn",) and second.gender == "female"
    assert second.documents == ()


def test_first_and_last_name_columns_with_bom_and_semicolons(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        "\ufeffID;First Name;Last Name;Nationality\r\n7;Hélène;Dupont;fr|be\r\n".encode()
    )
    subjects = read_subjects(path).load()
    assert subjects[0].names == ("Hélène Dupont",)
    assert subjects[0].nationalities == ("fr", "be")


def test_mixed_scripts_are_allowed(tmp_path: Path) -> None:
    subjects, result = _read(tmp_path, "id,name\n1,Mohamed محمد Benali\n")
    assert subjects[0].names == ("Mohamed محمد Benali",)
    assert result.rejections == []


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("1,,1980", "empty name"),
        ("1,   ,1980", "empty name"),
        ("1,!!!,1980", "no letters or digits"),
        ("1," + "a" * 501 + ",1980", "longer than 500"),
        (",Ali Tazi,1980", "empty id"),
        ("1,Ali Tazi,1980,extra", "expected 3 fields, found 4"),
        ('1,"Ali "Tazi,1980', "broken CSV row"),
    ],
)
def test_bad_rows_are_rejected_with_line_and_the_file_goes_on(
    tmp_path: Path, row: str, reason: str
) -> None:
    subjects, result = _read(
        tmp_path, f"id,name,birth_date\n0,Good Person,1970\n{row}\n2,Next One,\n"
    )
    assert [s.id for s in subjects] == ["0", "2"]
    assert len(result.rejections) == 1
    rejection = result.rejections[0]
    assert (rejection.file, rejection.line) == (str(tmp_path / "people.csv"), 3)
    assert reason in rejection.reason
    assert str(rejection).startswith(f"{tmp_path / 'people.csv'}:3: ")


@pytest.mark.parametrize(
    ("cell", "dates", "warning"),
    [
        ("2023-02-30", ("2023-02",), "day 30 does not exist"),
        ("0000", (), "not plausible"),
        ("0", (), "not a date"),
        ("17/05/1980", ("1980-05-17",), None),
        (f"{datetime.now(UTC).year + 1}-01-01", (), "future"),
    ],
)
def test_a_bad_birth_date_is_ignored_with_a_warning_and_the_row_kept(
    tmp_path: Path, cell: str, dates: tuple[str, ...], warning: str | None
) -> None:
    subjects, result = _read(tmp_path, f"id,name,birth_date\n1,Ali Tazi,{cell}\n")
    assert result.rejections == []
    (subject,) = subjects
    assert subject.names == ("Ali Tazi",) and subject.birth_dates == dates
    if warning is None:
        assert subject.warnings == ()
    else:
        (text,) = subject.warnings
        assert warning in text and repr(cell) in text


def test_bad_nationality_gender_are_warnings_duplicate_id_is_rejected(tmp_path: Path) -> None:
    subjects, result = _read(
        tmp_path,
        "id,name,nationality,gender\n1,A B,Atlantis,\n2,C D,,robot\n3,E F,,\n3,G H,,\n",
    )
    assert [s.id for s in subjects] == ["1", "2", "3"]
    assert subjects[0].nationalities == ()
    assert subjects[0].warnings == ("nationality 'Atlantis' is not a known country: ignored",)
    assert subjects[1].gender is None and "gender 'robot'" in subjects[1].warnings[0]
    reasons = [(r.line, r.reason) for r in result.rejections]
    assert reasons == [(5, "duplicate id '3' (first on line 4)")]


def test_unbalanced_quote_is_reported_not_swallowed(tmp_path: Path) -> None:
    subjects, result = _read(tmp_path, 'id,name\n1,"Open quote\n2,Swallowed\n3,Also",\n4,After\n')
    assert [s.id for s in subjects] == ["4"]
    assert len(result.rejections) == 1
    assert result.rejections[0].line == 2
    assert "spans lines 2-4" in result.rejections[0].reason


def test_every_row_is_accounted_for(tmp_path: Path) -> None:
    rows = [f"{i},{'' if i % 3 == 0 else 'Person'} {i},1980-13-45" for i in range(1, 31)]
    subjects, result = _read(tmp_path, "id,name,birth_date\n" + "\n".join(rows) + "\n")
    assert len(subjects) + len(result.rejections) == 30
    assert len(result.rejections) == 0  # "3" is a name: digits alone are allowed
    assert result.accepted == 30
    assert all(s.birth_dates == ("1980",) and len(s.warnings) == 1 for s in subjects)


def test_latin1_file_is_a_clear_error_naming_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,name\n1,Ali\n2,Hélène Dupont\n".encode("latin-1"))
    with pytest.raises(SourceEncodingError) as info:
        read_subjects(path)
    assert f"{path}:3: not valid UTF-8" in info.value.detail
    assert info.value.code == "source_encoding"


def test_utf16_file_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_bytes("id,name\n1,Ali\n".encode("utf-16"))
    with pytest.raises(SourceEncodingError, match="UTF-16"):
        read_subjects(path)


def test_missing_file_and_missing_columns(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="nowhere.csv: no such file"):
        read_subjects(tmp_path / "nowhere.csv")
    path = tmp_path / "cols.csv"
    path.write_text("identifier_x,label\n1,Ali\n", encoding="utf-8")
    with pytest.raises(SourceError, match="unknown format"):
        read_subjects(path)


def test_strict_reading_rejects_a_row_whose_fact_does_not_parse(tmp_path: Path) -> None:
    """List imports read strictly (the default): the row is rejected, with the same reason."""
    path = tmp_path / "list.csv"
    path.write_text("id,name,birth_date\n1,Ali Tazi,1974-01-32\n2,Omar Haddad,1970\n")
    result = read_subjects(path)
    assert [s.id for s in result] == ["2"]
    (rejection,) = result.rejections
    assert rejection.line == 2
    assert rejection.reason == "birth date '1974-01-32': day 32 does not exist in that month"
