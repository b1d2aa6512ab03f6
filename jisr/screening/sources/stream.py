"""Opening a source (a path or ``-`` for stdin) and decoding it line by line as strict UTF-8."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from jisr.screening.sources.base import SourceEncodingError, SourceNotFoundError

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

SNIFF_BYTES = 64 * 1024
_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


class _Prefixed(io.RawIOBase):
    """A stream that returns bytes already read (for sniffing) before the rest of ``inner``."""

    def __init__(self, head: bytes, inner: BinaryIO) -> None:
        self._head = head
        self._inner = inner

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            size = min(len(view), len(self._head))
            view[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._inner.read(len(view))
        view[: len(data)] = data
        return len(data)


def label_of(path: str | Path) -> str:
    return "<stdin>" if str(path) == "-" else str(path)


def open_source(path: str | Path) -> tuple[bytes, BinaryIO]:
    """Open ``path`` (``-`` = stdin) and return its first bytes and a stream from the start."""
    if str(path) == "-":
        inner: BinaryIO = getattr(sys.stdin, "buffer", None) or io.BytesIO(
            sys.stdin.read().encode("utf-8")
        )
    else:
        file = Path(path)
        if not file.exists():
            raise SourceNotFoundError(f"{file}: no such file")
        if file.is_dir():
            raise SourceNotFoundError(f"{file}: is a directory, not a file")
        try:
            inner = file.open("rb")
        except OSError as exc:
            raise SourceNotFoundError(f"{file}: cannot open ({exc.strerror})") from exc
    head = inner.read(SNIFF_BYTES)
    stream = io.BufferedReader(_Prefixed(head, inner))
    return head, stream


def check_bom(head: bytes, label: str) -> None:
    for bom, name in _BOMS.items():
        if head.startswith(bom):
            raise SourceEncodingError(f"{label}: file is {name}-encoded; save it as UTF-8")


def _describe(raw: bytes, exc: UnicodeDecodeError, label: str, number: int) -> str:
    byte = raw[exc.start : exc.start + 1].hex()
    hint = ""
    try:
        raw.decode("cp1252")
        hint = " (it looks like Windows-1252/Latin-1)"
    except UnicodeDecodeError:
        pass
    return (
        f"{label}:{number}: not valid UTF-8 (byte 0x{byte} at column {exc.start + 1})"
        f"{hint}; save the file as UTF-8"
    )


def iter_lines(stream: BinaryIO, label: str) -> Iterator[str]:
    """Decode each line as strict UTF-8 (a leading BOM is dropped), keeping line endings.

    A byte that is not UTF-8 stops the file with an error naming the line: guessing another
    encoding would turn names into mojibake that then matches nothing.
    """
    for number, raw in enumerate(stream, start=1):
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SourceEncodingError(_describe(raw, exc, label, number)) from None
        if number == 1 and text.startswith("\ufeff"):
            text = text[1:]
        yield text


def check_utf8(path: Path, label: str) -> None:
    """Read a whole file once so that an encoding error is reported before any output."""
    with path.open("rb") as stream:
        for _ in iter_lines(stream, label):
            pass
