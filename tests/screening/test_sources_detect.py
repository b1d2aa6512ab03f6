"""Format detection by content, stdin, and files that are nothing we know."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from jisr.screening.sources import (
    SourceError,
    SourceFormat,
    SourceFormatError,
    detect_format,
    read_subjects,
)


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"id,name\n1,Ali\n", SourceFormat.CSV),
        (b"\xef\xbb\xbfid;nom;name\n", SourceFormat.CSV),
        (b'{"id": "x", "schema": "Person"}\n', SourceFormat.FTM),
        (b'<?xml version="1.0"?>\n<!-- c -->\n<CONSOLIDATED_LIST>', SourceFormat.UNSC),
        (
            b'36,"AEROCARIBBEAN AIRLINES",-0- ,"CUBA",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ',
            "ofac",
        ),
    ],
)
def test_detects_by_content(head: bytes, expected: str) -> None:
    assert detect_format(head, "f") == expected


@pytest.mark.parametrize(
    ("head", "message"),
    [
        (b"PK\x03\x04rest", "ZIP archive"),
        (b"\x1f\x8b\x08", "gzip"),
        (b"abc\x00def", "binary"),
        (b"just some words\nmore words\n", "unknown format"),
        (b"<html><body/></html>", "root <html>"),
    ],
)
def test_unknown_formats_name_the_file(head: bytes, message: str) -> None:
    with pytest.raises(SourceFormatError) as info:
        detect_format(head, "upload.csv")
    assert info.value.detail.startswith("upload.csv: ")
    assert message in info.value.detail
    assert info.value.code == "source_format_unknown"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\n  \n")
    with pytest.raises(SourceError, match="empty.csv: the file is empty"):
        read_subjects(path)


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"id,name\n1,Youssef El Amrani\n2,\n"
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    result = read_subjects("-")
    assert [s.names for s in result] == [("Youssef El Amrani",)]
    assert [str(r) for r in result.rejections] == ["<stdin>:3: empty name"]


def test_rejections_reach_the_hook_as_they_happen(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("id,name\n1,\n2,B C\n", encoding="utf-8")
    seen: list[str] = []
    result = read_subjects(path, on_reject=lambda r: seen.append(str(r)))
    result.load()
    assert seen == [f"{path}:2: empty name"]
