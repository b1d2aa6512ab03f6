"""The search index: one row per indexed record (or per entity of a record), and the backlog.

``search_documents`` holds what the engine matches (folded terms, name keys, normalised
identifiers), what a result shows (title, snippet text, link) and what policy decides by (the
record's owner, crime area, data category, handling code, case, block key). The full-text
structure over it is dialect-specific and created by the migration: an FTS5 table kept in step
by triggers on SQLite, a generated ``tsvector`` column with a GIN index on PostgreSQL
(``jisr.search.engine``).

``search_backlog`` lists records whose document could not be written with the record (a bulk
statement, a document that failed to build): the indexer drains it, and its size is shown.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jisr.clock import utcnow
from jisr.db.base import Base

_SEQ = BigInteger().with_variant(Integer(), "sqlite")


class SearchDocument(Base):
    __tablename__ = "search_documents"
    __table_args__ = (
        UniqueConstraint("source", "record_id", "part", name="uq_search_documents_key"),
        Index("ix_search_documents_source_record", "source", "record_id"),
    )

    # The FTS5 rowid on SQLite: an integer key.
    id: Mapped[int] = mapped_column(_SEQ, primary_key=True, autoincrement=True)
    # Which indexed table the record lives in (``message``, ``case``, ``notice``, ``hit``,
    # ``cyber``, ``operation``) and its id there; ``part`` tells apart the entities of one record.
    source: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[str] = mapped_column(String(160))
    part: Mapped[str] = mapped_column(String(200), default="")
    # What the result is, as the user filters by it (``message``, ``request``, ``person``...).
    kind: Mapped[str] = mapped_column(String(16), index=True)
    # Policy's terms: the resource kind read, and the record's labels.
    resource: Mapped[str] = mapped_column(String(24))
    owner_agency: Mapped[str] = mapped_column(String(24))
    crime_area: Mapped[str | None] = mapped_column(String(32))
    data_category: Mapped[str | None] = mapped_column(String(32))
    handling_code: Mapped[str | None] = mapped_column(String(4))
    # The case whose members may read it under H2/H3 (need to know).
    case_ref: Mapped[str | None] = mapped_column(String(80), index=True)
    # What a data-subject block names: the alert (notices) or the watchlist entry (hits).
    block_key: Mapped[str | None] = mapped_column(String(120))
    # Shown: never matched directly.
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300))
    record_at: Mapped[datetime]
    # Matched: folded words of the title and the text, the screening name keys, the identifiers.
    title_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    name_keys: Mapped[str] = mapped_column(Text, default="")
    identifiers: Mapped[str] = mapped_column(Text, default="")
    indexed_at: Mapped[datetime] = mapped_column(default=utcnow)


class SearchBacklog(Base):
    """A record waiting to be (re)indexed; ``record_id`` ``*`` means the whole source."""

    __tablename__ = "search_backlog"

    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(160), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # Why the last attempt failed (a class name and message, never record content).
    error: Mapped[str | None] = mapped_column(Text)
