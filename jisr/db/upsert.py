"""The one dialect-aware upsert: ``INSERT … ON CONFLICT`` on SQLite and PostgreSQL alike.

SQLAlchemy's core ``insert`` has no ``ON CONFLICT``; each dialect has its own construct with
the same methods. Counters (case sequences, notice references) insert their row if it is
missing, then lock and bump it, so two writers never number twice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


def insert_or_ignore(session: Session, model: type[Any], **values: Any) -> None:
    """Insert the row ``values`` unless one with the same key (or unique columns) exists."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing())
