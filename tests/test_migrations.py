"""The migrations build exactly the schema the models declare, on each backend."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from jisr.db import make_engine
from jisr.db.base import Base
from jisr.node import load_models

# What the search index keeps outside the models, by hand in its migration: the SQLite FTS5
# table (and its shadow tables) and PostgreSQL's generated tsvector column and its index.
HAND_MADE = ("search_fts", "tsv", "ix_search_documents_tsv")


def _modelled(obj: Any, name: str | None, kind: str, reflected: bool, compared: Any) -> bool:
    return not (name or "").startswith(HAND_MADE)


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    load_models()
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_object": _modelled}
            )
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "a model changed without its migration (or the reverse)"
