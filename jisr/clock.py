"""Time is UTC and timezone-aware everywhere."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)


def ensure_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; a naive datetime is refused rather than guessed."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: every time in Jisr carries a timezone")
    return value.astimezone(UTC)
