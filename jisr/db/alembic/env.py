"""Alembic environment: runs on the connection handed over by ``jisr.db.migrate``."""

from __future__ import annotations

from alembic import context

from jisr.db.base import Base
from jisr.node import load_models

config = context.config
load_models()
target_metadata = Base.metadata
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through jisr.db.migrate, which provides the connection")
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
