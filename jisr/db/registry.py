"""Every domain that owns tables is listed here, so migrations and tests see all of them.

Each domain keeps its own Alembic branch in ``jisr/<domain>/migrations`` (branch label = domain
name); a domain whose tables reference another's declares ``depends_on`` in its first revision.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from sqlalchemy import MetaData

from jisr.db.base import Base

DOMAINS_WITH_TABLES: tuple[str, ...] = (
    "identity",
    "agreements",
    "audit",
    "federation",
    "exchange",
    "notices",
    "watchlists",
    "rights",
    "graph",
)


def load_all_models() -> MetaData:
    for domain in DOMAINS_WITH_TABLES:
        importlib.import_module(f"jisr.{domain}.models")
    return Base.metadata


def migration_dirs() -> list[Path]:
    root = Path(__file__).resolve().parent.parent
    return [root / domain / "migrations" for domain in DOMAINS_WITH_TABLES]
