"""Which reader a file needs, decided by its content (the extension is only a hint)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import BinaryIO

from jisr.screening.sources.base import (
    RejectHook,
    Row,
    SourceError,
    SourceFormatError,
    SourceResult,
)
from jisr.screening.sources.csv_table import looks_like_subject_csv, read_csv
from jisr.screening.sources.ftm import read_ftm
from jisr.screening.sources.ofac import looks_like_ofac, read_ofac
from jisr.screening.sources.stream import check_bom, check_utf8, label_of, open_source
from jisr.screening.sources.unsc import ROOT, read_unsc


class SourceFormat(StrEnum):
    CSV = "csv"
    FTM = "ftm"
    UNSC = "unsc"
    OFAC = "ofac"


_MAGIC = {
    b"PK\x03\x04": "a ZIP archive (an Excel .xlsx file?); export it as CSV",
    b"\x1f\x8b": "gzip-compressed; decompress it first",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Excel/Word file; export it as CSV",
}
_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_XML_PROLOGUE = re.compile(r"^(?:\s*(?:<\?.*?\?>|<!--.*?-->))*", re.DOTALL)
_FORMATS = "CSV with an id/name header, FollowTheMoney JSON lines, UN consolidated-list XML"


def detect_format(head: bytes, label: str) -> SourceFormat:
    """Name the format of a file from its first bytes, or raise a ``SourceError`` saying why."""
    check_bom(head, label)
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise SourceFormatError(f"{label}: unknown format: the file is {what}")
    if b"\x00" in head:
        raise SourceFormatError(f"{label}: unknown format: binary data, not text")
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff").lstrip()
    if not text:
        raise SourceError(f"{label}: the file is empty")
    if text.startswith("<"):
        body = _XML_PROLOGUE.sub("", text, count=1).lstrip()
        if body.startswith("<!"):
            raise SourceError(f"{label}: XML DOCTYPE/ENTITY declarations are refused")
        root = _XML_ROOT.match(body)
        if root and root.group(1) == ROOT:
            return SourceFormat.UNSC
        tag = root.group(1) if root else "?"
        raise SourceFormatError(f"{label}: unknown format: XML with root <{tag}>, not {ROOT}")
    if text.startswith("{"):
        if '"schema"' not in text.split("\n", 1)[0]:
            raise SourceFormatError(f"{label}: JSON without a 'schema': not FollowTheMoney")
        return SourceFormat.FTM
    if text.startswith("["):
        raise SourceFormatError(f"{label}: a JSON array; expected one FtM entity per line")
    first_line = text.split("\n", 1)[0].rstrip("\r")
    cells = next(csv.reader([first_line]), [])
    if looks_like_ofac(cells):
        return SourceFormat.OFAC
    if looks_like_subject_csv(first_line):
        return SourceFormat.CSV
    raise SourceFormatError(f"{label}: unknown format (expected {_FORMATS} or OFAC sdn.csv)")


# (stream, label, skipped counters, lenient facts) -> rows.
Reader = Callable[[BinaryIO, str, dict[str, int], bool], Iterator[Row]]
READERS: dict[SourceFormat, Reader] = {
    SourceFormat.CSV: lambda stream, label, _, lenient: read_csv(stream, label, lenient),
    SourceFormat.FTM: read_ftm,
    SourceFormat.UNSC: lambda stream, label, _, lenient: read_unsc(stream, label, lenient),
    SourceFormat.OFAC: read_ofac,
}


def _closing(rows: Iterator[Row], stream: BinaryIO) -> Iterator[Row]:
    try:
        yield from rows
    finally:
        stream.close()


def read_subjects(
    path: str | Path, on_reject: RejectHook | None = None, *, lenient_facts: bool = False
) -> SourceResult:
    """Open ``path`` (``-`` = stdin), detect its format and return its subjects, read lazily.

    A fact that does not parse (a birth date ``1974-01-32``, a gender ``robot``, a country
    ``Atlantis``) rejects its row, unless ``lenient_facts``: then the row is kept, screened on
    what parses, with a warning in ``Subject.warnings`` (travellers and manifests read this
    way, since a traveller must never go unscreened).

    File-level problems (missing, not UTF-8, unknown format) raise a ``SourceError`` before any
    subject is produced (for stdin, encoding errors surface when the bad line is reached).
    """
    label = label_of(path)
    head, stream = open_source(path)
    try:
        fmt = detect_format(head, label)
        if label != "<stdin>":
            check_utf8(Path(path), label)
    except BaseException:
        stream.close()
        raise
    skipped: dict[str, int] = {}
    rows = _closing(READERS[fmt](stream, label, skipped, lenient_facts), stream)
    return SourceResult(
        file=label, format=fmt.value, rows=rows, on_reject=on_reject, skipped=skipped
    )
