"""Cyber tables: STIX objects (one row per version), collections, observables, shares, feeds.

A STIX object is immutable per version: every version is its own row (``stix_id``,
``modified``), the newest marked ``current``; a revoked version is kept like any other. Each
row carries what every Jisr record carries: owner agency, agreement, handling code, legal basis,
retention date. ``added`` is when this node stored the version (TAXII's ``date_added``);
paging orders by (``added``, ``seq``), so objects sharing one timestamp are never skipped.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base

# BIGSERIAL on PostgreSQL, INTEGER PRIMARY KEY (rowid) on SQLite.
_SEQ = BigInteger().with_variant(Integer(), "sqlite")


class Origin(StrEnum):
    LOCAL = "local"  # imported or written here: owned by this node's agency
    PARTNER = "partner"  # a partner's object, held as a copy
    FEED = "feed"  # polled from a TAXII feed, held under the feed's agreement


class ShareStatus(StrEnum):
    SENT = "sent"
    REVOKED = "revoked"  # the owner revoked the object; the revocation was queued
    EXPIRED = "expired"  # the indicator expired; the partner was told to drop its copy


class CyberCollection(Base):
    """A TAXII collection: the local one, or one per agreement (what is shared under it)."""

    __tablename__ = "cyber_collections"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    alias: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    agreement_id: Mapped[str | None] = mapped_column(ForeignKey("agreements.id"))
    can_write: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CyberObject(Base):
    __tablename__ = "cyber_objects"
    __table_args__ = (
        UniqueConstraint("collection_id", "stix_id", "modified", name="uq_cyber_object_version"),
        Index("ix_cyber_objects_page", "collection_id", "added", "seq"),
        Index("ix_cyber_objects_current", "stix_id", "current"),
    )

    seq: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    collection_id: Mapped[str] = mapped_column(ForeignKey("cyber_collections.id"))
    stix_id: Mapped[str] = mapped_column(String(120))
    stix_type: Mapped[str] = mapped_column(String(48), index=True)
    spec_version: Mapped[str] = mapped_column(String(8), default="2.1")
    # STIX ``modified`` (``created`` for objects without it), as stored in ``body``.
    modified: Mapped[datetime]
    modified_text: Mapped[str] = mapped_column(String(40))
    current: Mapped[bool] = mapped_column(default=True)
    revoked: Mapped[bool] = mapped_column(default=False)
    expired: Mapped[bool] = mapped_column(default=False)
    origin: Mapped[str] = mapped_column(String(8))
    owner_agency: Mapped[str] = mapped_column(String(24), index=True)
    tlp: Mapped[str] = mapped_column(String(16))
    # Agencies named by the owner (AMBER, AMBER+STRICT, RED travel only to them).
    recipients: Mapped[list[str]] = mapped_column(JSON, default=list)
    agreement_id: Mapped[str | None] = mapped_column(ForeignKey("agreements.id"))
    handling_code: Mapped[str] = mapped_column(String(4))
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    retention_until: Mapped[datetime]
    valid_until: Mapped[datetime | None]
    added: Mapped[datetime] = mapped_column(default=utcnow)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)


class CyberObservable(Base):
    """One observable value an object states (a domain, an IP, a hash...), for correlation."""

    __tablename__ = "cyber_observables"
    __table_args__ = (
        Index("ix_cyber_observables_value", "value", "owner_agency"),
        Index("ix_cyber_observables_object", "stix_id"),
    )

    id: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(48))
    value: Mapped[str] = mapped_column(String(512))
    stix_id: Mapped[str] = mapped_column(String(120))
    owner_agency: Mapped[str] = mapped_column(String(24))
    collection_id: Mapped[str] = mapped_column(String(80))
    tlp: Mapped[str] = mapped_column(String(16))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class CyberShare(Base):
    """A partner one of our objects went to, under which agreement, and where it stands."""

    __tablename__ = "cyber_shares"

    stix_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    agency: Mapped[str] = mapped_column(String(24), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"))
    tlp: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(12), default=ShareStatus.SENT.value)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CyberSightingCount(Base):
    """Sightings partners reported back for one of our objects (the owner's tally)."""

    __tablename__ = "cyber_sighting_counts"

    stix_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    agency: Mapped[str] = mapped_column(String(24), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)


class CyberFeed(Base):
    """A partner's or vendor's TAXII 2.1 collection this node polls on a schedule."""

    __tablename__ = "cyber_feeds"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    url: Mapped[str] = mapped_column(String(1000))  # the remote collection's URL
    token: Mapped[str | None] = mapped_column(Text)  # sealed (jisr.cyber.feeds)
    agreement_id: Mapped[str | None] = mapped_column(ForeignKey("agreements.id"))
    collection_id: Mapped[str] = mapped_column(ForeignKey("cyber_collections.id"))
    provider_agency: Mapped[str] = mapped_column(String(24))
    interval_seconds: Mapped[int] = mapped_column(default=3600)
    added_after: Mapped[str | None] = mapped_column(String(40))
    last_polled_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CyberStatus(Base):
    """The outcome of one write (TAXII ``add objects``, an import): kept for ``GET status``."""

    __tablename__ = "cyber_statuses"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    collection_id: Mapped[str] = mapped_column(String(80))
    requested_by: Mapped[str] = mapped_column(String(80))
    total: Mapped[int]
    successes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
