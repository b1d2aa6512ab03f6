"""What every source reader shares: rejections, errors, and the checks a row must pass.

A reader turns one file into ``Subject``s. A bad row becomes a ``Rejection`` naming the file and
line and the reader carries on; a problem with the whole file (missing, not UTF-8, unknown
format) is a ``SourceError``. Nothing is ever dropped without one or the other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from followthemoney import registry

from jisr.errors import NotFoundError, ValidationError
from jisr.screening.model import Subject

MAX_NAME_LENGTH = 500
# Birth dates before this year are typing errors, not people.
MIN_BIRTH_YEAR = 1850


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that did not become a subject, and why."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class SourceError(ValidationError):
    """The file as a whole cannot be read."""

    code = "source_invalid"


class SourceNotFoundError(NotFoundError):
    code = "source_not_found"


class SourceFormatError(SourceError):
    code = "source_format_unknown"


class SourceEncodingError(SourceError):
    code = "source_encoding"


class RowError(Exception):
    """Raised inside a reader for one bad row; turned into a ``Rejection``."""


# What a reader yields: subjects, and rejections where a row was bad.
Row = Subject | Rejection
RejectHook = Callable[[Rejection], None]


@dataclass
class SourceResult:
    """The subjects of one file, read lazily; ``rejections`` fills up as they are read.

    Iterate once. After iteration ``accepted`` + ``len(rejections)`` is every row of the file;
    ``skipped`` counts records that are not subjects at all (e.g. FtM ``Sanction`` entities).
    """

    file: str
    format: str
    rows: Iterator[Row]
    on_reject: RejectHook | None = None
    rejections: list[Rejection] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    accepted: int = 0

    def __iter__(self) -> Iterator[Subject]:
        for row in self.rows:
            if isinstance(row, Rejection):
                self.rejections.append(row)
                if self.on_reject is not None:
                    self.on_reject(row)
            else:
                self.accepted += 1
                yield row

    def load(self) -> list[Subject]:
        return list(self)


_SPACES = re.compile(r"\s+")


def clean_name(value: str | None) -> str:
    """Normalise whitespace and refuse empty, letterless or absurdly long names.

    Mixed scripts are allowed: ``Mohamed محمد`` is a real way of writing a name.
    """
    if value is None:
        raise RowError("empty name")
    text = "".join(c for c in value if unicodedata.category(c)[0] != "C" or c.isspace())
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()
    if not text:
        raise RowError("empty name")
    if len(text) > MAX_NAME_LENGTH:
        raise RowError(f"name longer than {MAX_NAME_LENGTH} characters ({len(text)})")
    # Digits alone are a name ("40" is an OFAC alias, "7-28" a vessel); punctuation is not.
    if not any(c.isalnum() for c in text):
        raise RowError(f"name {text!r} has no letters or digits")
    return text


def clean_names(values: list[str]) -> tuple[str, ...]:
    """Clean a primary name and its aliases; the first must be valid, bad aliases fail the row."""
    names: list[str] = []
    for value in values:
        name = clean_name(value)
        if name not in names:
            names.append(name)
    if not names:
        raise RowError("no name at all")
    return tuple(names)


_ISO_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


def check_birth_date(value: str, today: date | None = None) -> str:
    """Validate an ISO 8601 (possibly partial) birth date and return it unchanged.

    Impossible dates (2023-02-30, year 0, the future, before 1850) are errors: a date the
    source got wrong is more likely to be a shifted column than a fact about a person.
    """
    text = value.strip()
    match = _ISO_DATE.match(text)
    if match is None:
        raise RowError(f"birth date {value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    today = today or datetime.now(UTC).date()
    if year < MIN_BIRTH_YEAR:
        raise RowError(f"birth date {value!r}: year {year} is not plausible")
    try:
        first = date(year, month or 1, day or 1)
    except ValueError:
        raise RowError(f"birth date {value!r} does not exist") from None
    if first > today:
        raise RowError(f"birth date {value!r} is in the future")
    return text


_GENDERS = {
    "m": "male",
    "male": "male",
    "man": "male",
    "h": "male",
    "homme": "male",
    "masculin": "male",
    "f": "female",
    "female": "female",
    "woman": "female",
    "femme": "female",
    "feminin": "female",
    "féminin": "female",
}
_NO_GENDER = {"", "x", "u", "unknown", "other", "-", "n/a", "none"}


def settle(warnings: list[str], lenient: bool) -> tuple[str, ...]:
    """The row's warnings when the caller reads leniently (travellers: screened on what
    parses); otherwise the first one rejects the row, as a list import wants."""
    if warnings and not lenient:
        raise RowError(warnings[0].removesuffix(": ignored").removesuffix(", ignored"))
    return tuple(warnings)


def lenient(clean: Callable[[str], str], values: list[str], warnings: list[str]) -> tuple[str, ...]:
    """``clean`` each value; one that fails is ignored with a warning instead of failing the row
    (a traveller is never dropped for a bad nationality or document cell)."""
    out: list[str] = []
    for value in values:
        try:
            out.append(clean(value))
        except RowError as exc:
            warnings.append(f"{exc}: ignored")
    return tuple(dict.fromkeys(out))


def lenient_gender(value: str | None, warnings: list[str]) -> str | None:
    try:
        return clean_gender(value)
    except RowError as exc:
        warnings.append(f"{exc}: ignored")
        return None


def clean_gender(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    if text in _NO_GENDER:
        return None
    if text in _GENDERS:
        return _GENDERS[text]
    raise RowError(f"gender {value!r} is not male/female/M/F")


def lookup_country(value: str) -> str | None:
    """ISO 3166-1 alpha-2 (lower case) for a code or a country name, or None."""
    code = registry.country.clean(value.strip())
    return str(code).lower() if code else None


def clean_country(value: str) -> str:
    code = lookup_country(value)
    if code is None:
        raise RowError(f"nationality {value!r} is not a known country")
    return code


def clean_document(value: str) -> str:
    text = _SPACES.sub(" ", value).strip()
    if len(text) > 64:
        raise RowError(f"document number {text[:20]!r}... longer than 64 characters")
    return text


def split_values(value: str | None, sep: str = ";") -> list[str]:
    if not value:
        return []
    return [part.strip() for part in value.split(sep) if part.strip()]
