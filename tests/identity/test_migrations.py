"""The identity branch's revisions go up and down cleanly on both backends."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect

from jisr.db import make_engine
from jisr.db.migrate import alembic_config, pending_revisions

MFA = "3c1f7a9e52d4"


def _columns(engine: Engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _run(engine: Engine, direction: str, target: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, direction)(config, target)


def test_mfa_revision_down_and_up(db_url: str) -> None:
    engine = make_engine(db_url)
    try:
        assert "totp_last_step" in _columns(engine, "users")
        assert "enrolment_only" in _columns(engine, "login_sessions")
        _run(engine, "downgrade", f"{MFA}-1")
        assert "totp_last_step" not in _columns(engine, "users")
        assert "enrolment_only" not in _columns(engine, "login_sessions")
        assert pending_revisions(engine)
        _run(engine, "upgrade", "heads")
        assert "totp_last_step" in _columns(engine, "users")
        assert not pending_revisions(engine)
    finally:
        engine.dispose()
