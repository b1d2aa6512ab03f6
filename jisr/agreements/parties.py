"""The parties to agreements: this node's own agency and its partners, with their pinned keys.

Kept with agreements (every domain asks policy, and policy's agreements name their parties), so
that neither ``agreements`` nor ``federation`` imports ``identity``. The table is created by the
identity branch's first migration.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base


class Transport(StrEnum):
    HTTP = "http"
    NATS = "nats"


class Agency(Base):
    """This node's own agency (``is_local``) or a partner, with the keys pinned for it."""

    __tablename__ = "agencies"

    code: Mapped[str] = mapped_column(String(24), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(2))
    is_local: Mapped[bool] = mapped_column(default=False)
    endpoint_url: Mapped[str | None] = mapped_column(String(500))
    signing_key: Mapped[str | None] = mapped_column(String(64))
    encryption_key: Mapped[str | None] = mapped_column(String(64))
    transport: Mapped[str] = mapped_column(String(8), default=Transport.HTTP.value)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
