"""Reading watchlists and passenger lists: CSV, FollowTheMoney JSON lines, UN XML, OFAC CSV.

``read_subjects(path)`` detects the format from the content and returns a ``SourceResult``:
iterate it for ``Subject``s; bad rows land in ``result.rejections`` as ``file:line: reason``.
"""

from jisr.screening.sources.base import (
    MAX_NAME_LENGTH,
    Rejection,
    SourceEncodingError,
    SourceError,
    SourceFormatError,
    SourceNotFoundError,
    SourceResult,
)
from jisr.screening.sources.registry import SourceFormat, detect_format, read_subjects

__all__ = [
    "MAX_NAME_LENGTH",
    "Rejection",
    "SourceEncodingError",
    "SourceError",
    "SourceFormat",
    "SourceFormatError",
    "SourceNotFoundError",
    "SourceResult",
    "detect_format",
    "read_subjects",
]
