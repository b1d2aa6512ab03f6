"""The migrations build exactly the schema the models declare, on each backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from jisr.db import make_engine
from jisr.db.base import Base
from jisr.node import load_models


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    load_models()
    engine = make_engine(db_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert differences == [], "a model changed without its migration (or the reverse)"
