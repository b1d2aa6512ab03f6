"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jisr.db.base import Base


class AuditAction(StrEnum):
    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    TRANSFER = "transfer"
    COMBINATION = "combination"
    ERASURE = "erasure"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    PRIVILEGE_USE = "privilege_use"
    AUDIT_ACCESS = "audit_access"
    CONFIG_CHANGE = "config_change"


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    entry_id: Mapped[str] = mapped_column(String(80), unique=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(24), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    actor_agency: Mapped[str] = mapped_column(String(24))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(120), index=True)
    justification: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[list[str]]
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row: the newest sequence number and hash, locked to serialise appends."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    hash: Mapped[str] = mapped_column(String(64))
