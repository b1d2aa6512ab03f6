"""The real OFAC SDN list of 3 May 2024 (legacy sdn.csv), read by path from the shared data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from jisr.screening.model import Subject, SubjectKind
from jisr.screening.sources import SourceResult, read_subjects
from jisr.screening.sources.ofac import birth_dates, documents, natural_order

# ../shared from the project root (the main checkout), or /work/shared from a worktree.
SDN = next(
    (
        p
        for p in (
            Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "lists",
            Path("/work/shared/data/lists"),
        )
        if p.is_dir()
    ),
    Path("shared/data/lists"),
)
SDN_FILE = SDN / "ofac_sdn_2024-05-03.csv"
SDN_ROWS = 14_965

pytestmark = pytest.mark.skipif(not SDN_FILE.exists(), reason="shared OFAC data not present")


@pytest.fixture(scope="module")
def sdn() -> tuple[dict[str, Subject], SourceResult]:
    result = read_subjects(SDN_FILE)
    subjects = {s.id: s for s in result}
    return subjects, result


def test_every_row_is_parsed_or_reported(sdn: tuple[dict[str, Subject], SourceResult]) -> None:
    subjects, result = sdn
    assert result.format == "ofac"
    assert len(subjects) == SDN_ROWS - len(result.rejections)
    assert result.accepted == len(subjects)
    for rejection in result.rejections:
        assert rejection.file == str(SDN_FILE) and rejection.line > 0 and rejection.reason
    # The trailing DOS end-of-file byte is not a row, and it is said so.
    assert result.skipped == {"end-of-file marker": 1}


def test_kinds(sdn: tuple[dict[str, Subject], SourceResult]) -> None:
    kinds = Counter(s.kind for s in sdn[0].values())
    assert kinds[SubjectKind.PERSON] == 6854
    assert kinds[SubjectKind.VESSEL] == 851
    assert kinds[SubjectKind.AIRCRAFT] == 376
    assert kinds[SubjectKind.ORGANIZATION] == 6884


def test_known_entries(sdn: tuple[dict[str, Subject], SourceResult]) -> None:
    subjects = sdn[0]
    bank = subjects["306"]
    assert bank.names == ("BANCO NACIONAL DE CUBA", "BNC")
    assert bank.kind is SubjectKind.ORGANIZATION
    robow = subjects["11313"]
    assert robow.names == ("Mukhtar ROBOW", "ABU MANSUR", "ABU MANSOUR")
    assert robow.birth_dates == ("1969", "1969-10-10")
    assert robow.nationalities == ("er",)
    assert robow.documents == ("0310857", "1372584")
    zetas = subjects["11528"]
    assert "40" in zetas.names  # a digits-only alias is still a name
    assert zetas.gender == "male" and zetas.nationalities == ("mx",)
    vessel = subjects["23156"]
    assert vessel.names[0] == "7-28" and vessel.kind is SubjectKind.VESSEL


def test_remark_parsers() -> None:
    assert natural_order("AL ZAWAHIRI, Dr. Ayman") == "Dr. Ayman AL ZAWAHIRI"
    assert natural_order("A, B, C") == "A, B, C"
    assert birth_dates("DOB 10 Dec 1948; alt. DOB circa 1950; DOB Mar 1960") == [
        "1948-12-10",
        "1950",
        "1960-03",
    ]
    assert birth_dates("DOB 1960 to 1962.") == ["1960", "1961", "1962"]
    assert documents("Passport 265 216 (Egypt) issued 2001; alt. Passport No. A1 (Iran).") == [
        "265 216",
        "A1",
    ]


def test_broken_rows(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    good = '36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- '
    lines = [
        good,
        '37,"SHORT ROW",-0- ,"CUBA"',
        '38,"DOE, Jane","individual","X",-0-,-0-,-0-,-0-,-0-,-0-,-0-,"DOB 30 Feb 1970."',
        '39,"ROE, Fictional","spaceship","X",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-',
        '36,"DUPLICATE",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
        '40,"FINE, Person","individual","X",-0-,-0-,-0-,-0-,-0-,-0-,-0-,"DOB 1970."',
    ]
    path.write_text("\r\n".join(lines) + "\r\n\x1a", encoding="utf-8")
    result = read_subjects(path, lenient_facts=True)
    subjects = list(result)
    assert [s.id for s in subjects] == ["36", "38", "40"]
    assert subjects[1].birth_dates == ("1970-02",)
    assert "day 30 does not exist" in subjects[1].warnings[0]
    assert [(r.line, r.reason) for r in result.rejections] == [
        (2, "expected 12 fields, found 4"),
        (4, "unknown SDN_Type 'spaceship'"),
        (5, "duplicate ent_num 36 (first on line 1)"),
    ]
