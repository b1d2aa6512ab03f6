"""Notifications on the wire."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from jisr.notifications.models import Notification
from jisr.notifications.texts import title_of


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    # The sentence in English (the console shows it in the reader's language).
    title: str
    object_type: str
    object_id: str | None
    agency: str | None
    params: dict[str, Any]
    # The record's page in this node's console.
    href: str
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, row: Notification) -> NotificationRead:
        return cls(
            id=row.id,
            kind=row.kind,
            title=title_of(row.kind, row.agency, row.params),
            object_type=row.object_type,
            object_id=row.object_id,
            agency=row.agency,
            params=dict(row.params),
            href=row.href,
            created_at=row.created_at,
            read_at=row.read_at,
        )


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    unread: int
    # Pass as ``before`` to get the next (older) page; null on the last page.
    next_cursor: int | None


class MarkAllRead(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Only notifications up to this id (those the reader saw); all when absent.
    up_to: int | None = None


class MarkedCount(BaseModel):
    marked: int
    unread: int
