"""Storage kernel: declarative base, engine, unit of work and migrations."""

from jisr.db.base import Base, UTCDateTime
from jisr.db.engine import make_engine
from jisr.db.session import (
    DATA_DIR_KEY,
    SessionFactory,
    data_dir_of,
    make_session_factory,
    unit_of_work,
)

__all__ = [
    "DATA_DIR_KEY",
    "Base",
    "SessionFactory",
    "UTCDateTime",
    "data_dir_of",
    "make_engine",
    "make_session_factory",
    "unit_of_work",
]
