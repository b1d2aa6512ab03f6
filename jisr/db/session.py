"""Explicit unit of work: services receive a session; callers own commit and rollback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from jisr.errors import UnavailableError

SessionFactory = sessionmaker[Session]
# ``Session.info`` key holding the node's data directory (see ``data_dir_of``).
DATA_DIR_KEY = "jisr.data_dir"


def make_session_factory(engine: Engine, data_dir: Path | None = None) -> SessionFactory:
    """Sessions on ``engine``; with ``data_dir``, each knows where the node keeps its files."""
    info = {DATA_DIR_KEY: data_dir} if data_dir is not None else {}
    return sessionmaker(bind=engine, expire_on_commit=False, info=info)


def data_dir_of(session: Session) -> Path:
    """The data directory of the node this session belongs to.

    For code that only receives a session yet keeps records partly in files: federation
    handlers writing a partner's attachment into the node's blob store.
    """
    data_dir = session.info.get(DATA_DIR_KEY)
    if not isinstance(data_dir, Path):
        raise UnavailableError(
            "this session is not bound to a node's data directory", code="data_dir_unknown"
        )
    return data_dir


@contextmanager
def unit_of_work(factory: SessionFactory) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
