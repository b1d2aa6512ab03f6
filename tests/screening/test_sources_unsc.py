"""UN Security Council consolidated list XML (a fictional fixture in the published format)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jisr.screening.model import SubjectKind
from jisr.screening.sources import SourceError, SourceFormatError, read_subjects

FIXTURE = Path(__file__).parent / "fixtures" / "un_consolidated_fictional.xml"


def test_individuals_and_entities() -> None:
    result = read_subjects(FIXTURE, lenient_facts=True)
    subjects = {s.id: s for s in result}
    assert result.format == "unsc"
    assert set(subjects) == {"QDi.901", "QDi.902", "QDe.901", "KPi.903"}
    # An impossible date keeps the month, with a warning; the listed person is kept.
    assert subjects["KPi.903"].birth_dates == ("1977-02",)
    assert "day 30 does not exist" in subjects["KPi.903"].warnings[0]
    first = subjects["QDi.901"]
    assert first.names == (
        "ABDELLATIF BEN YOUSSEF EL KHALDOUNI",
        "عبد اللطيف بن يوسف الخلدوني",
        "Abd al-Latif bin Yusuf al-Khalduni",
        "Abou Youssef",
    )
    assert first.birth_dates == ("1975-03-14", "1974")
    assert first.nationalities == ("ma", "fr")
    assert first.documents == ("ZX9031457",)
    second = subjects["QDi.902"]
    assert second.birth_dates == ("1980", "1981", "1982")
    assert second.gender == "female" and second.nationalities == ("dz",)
    entity = subjects["QDe.901"]
    assert entity.kind is SubjectKind.ORGANIZATION
    assert entity.names == (
        "SAHARA HORIZON TRADING COMPANY",
        "Sharikat Ufuq al-Sahra",
        "شركة أفق الصحراء",
    )


def test_bad_records_are_rejected_with_their_line() -> None:
    result = read_subjects(FIXTURE, lenient_facts=True)
    result.load()
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    assert [(r.reason) for r in result.rejections] == [
        "QDi.904: empty name",
    ]
    for rejection in result.rejections:
        assert lines[rejection.line - 1].strip() == "<INDIVIDUAL>"


@pytest.mark.parametrize(
    "declaration",
    [
        '<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY lol "lol">]>',
        '<!DOCTYPE CONSOLIDATED_LIST SYSTEM "http://example.invalid/x.dtd">',
    ],
)
def test_doctype_and_entities_are_refused(tmp_path: Path, declaration: str) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(
        f'<?xml version="1.0"?>\n{declaration}\n<CONSOLIDATED_LIST></CONSOLIDATED_LIST>\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="DOCTYPE/ENTITY declarations are refused"):
        read_subjects(path).load()


def test_entity_declared_later_is_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "late.xml"
    path.write_text(
        "<CONSOLIDATED_LIST>\n<INDIVIDUALS>\n<!ENTITY x 'y'>\n</INDIVIDUALS>\n"
        "</CONSOLIDATED_LIST>\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match=r"late.xml:3: XML DOCTYPE"):
        read_subjects(path).load()


def test_other_xml_and_truncated_xml(tmp_path: Path) -> None:
    other = tmp_path / "feed.xml"
    other.write_text("<rss><channel/></rss>", encoding="utf-8")
    with pytest.raises(SourceFormatError, match="root <rss>"):
        read_subjects(other)
    truncated = tmp_path / "cut.xml"
    text = FIXTURE.read_text(encoding="utf-8")
    truncated.write_text(text[: text.index("</INDIVIDUALS>")], encoding="utf-8")
    result = read_subjects(truncated)
    with pytest.raises(SourceError, match="cut.xml: truncated XML"):
        result.load()


def test_xml_named_csv_is_detected_by_content(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes(FIXTURE.read_bytes())
    result = read_subjects(path, lenient_facts=True)
    assert result.format == "unsc"
    assert len(result.load()) == 4
