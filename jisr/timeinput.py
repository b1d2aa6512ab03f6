"""The one type for a point in time read from a client: ISO 8601 text with a timezone.

Pydantic alone would take ``0.5`` or ``"1700000000"`` as seconds since 1970 and a naive
``2031-01-01T00:00`` as-is; a number where an officer meant a date is a mistake, not a time,
so both are refused with a message saying what is expected.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BeforeValidator

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
EXAMPLE = "2031-01-01T00:00:00Z"


def _iso_text(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        return value
    raise ValueError(f"expected an ISO 8601 time with a timezone, e.g. {EXAMPLE}")


UtcDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_text)]
