"""Schema migrations, run automatically by ``jisr init`` and checked by ``jisr serve``."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from jisr.db.registry import migration_dirs
from jisr.errors import UnavailableError


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "alembic"))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(str(p) for p in migration_dirs()))
    return config


def upgrade(engine: Engine) -> None:
    """Bring the database to the newest revision of every domain branch."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def pending_revisions(engine: Engine) -> set[str]:
    """Heads not yet applied; empty when the schema is current."""
    script = ScriptDirectory.from_config(alembic_config())
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    # A head that another branch depends on is not stored in alembic_version: walk the ancestry.
    applied = {
        rev.revision
        for rev in script.revision_map.iterate_revisions(current, "base", select_for_downgrade=True)
        if rev is not None
    }
    return set(script.get_heads()) - applied


def require_current(engine: Engine) -> None:
    pending = pending_revisions(engine)
    if pending:
        raise UnavailableError(
            f"database schema is not current ({len(pending)} pending revision(s)); run `jisr init`"
            " on a new node or `jisr db upgrade` on an existing one",
            code="schema_outdated",
        )
