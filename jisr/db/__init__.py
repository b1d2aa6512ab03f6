"""Storage kernel: declarative base, engine, unit of work and migrations."""

from jisr.db.base import Base, UTCDateTime
from jisr.db.engine import make_engine
from jisr.db.session import SessionFactory, make_session_factory, unit_of_work

__all__ = [
    "Base",
    "SessionFactory",
    "UTCDateTime",
    "make_engine",
    "make_session_factory",
    "unit_of_work",
]
