"""Keeping the index in step with the records, and rebuilding it.

Documents are written with the records, in the same transaction: an ``after_flush`` listener
(installed by the search module when a node starts) rebuilds the documents of every indexed row
the flush inserted, changed or deleted. What it cannot see or cannot build goes to the backlog
in that same transaction, never nowhere: a bulk ``INSERT``/``UPDATE``/``DELETE`` statement on an
indexed table (a ``do_orm_execute`` listener queues its whole table for reconciliation), or a
document that failed to build. ``drain`` works the backlog off (``jisr serve`` every
``JISR_SEARCH_INDEX_INTERVAL_SECONDS``, ``jisr search index``), ``missing``/``stale`` count what
the index lacks or still holds by comparing it with the tables, and ``reindex`` rebuilds it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import Result, Select, Table, and_, delete, func, insert, not_, select
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from jisr.clock import utcnow
from jisr.db import SessionFactory, unit_of_work
from jisr.db.upsert import insert_or_ignore
from jisr.search.documents import ALL_SOURCES, BY_MODEL, BY_SOURCE, INDEXED, Indexed, Source
from jisr.search.models import SearchBacklog, SearchDocument

log = structlog.get_logger(__name__)
DOCUMENTS: Table = SearchDocument.__table__  # type: ignore[assignment]
BACKLOG: Table = SearchBacklog.__table__  # type: ignore[assignment]
WHOLE_SOURCE = "*"
# Sessions whose writes are not indexed (``session.info[SKIP] = True``): the benchmark's loader.
SKIP = "search.skip"


def live_keys(source: Source) -> Select[str]:
    """The ids of the records of ``source`` that should have documents."""
    indexed = BY_SOURCE[source]
    keys = select(indexed.key_column())
    return keys if indexed.live is None else keys.where(indexed.live())


def _load(session: Session, indexed: Indexed, key: str) -> Any:
    ident: object = int(key) if indexed.source is Source.CYBER else key
    return session.get(indexed.model, ident)


def write_documents(session: Session, indexed: Indexed, key: str, row: Any | None) -> int:
    """Replace the documents of one record (``row`` None: the record is gone)."""
    return _replace(session, indexed, [key], indexed.build(row) if row is not None else [])


def write_many(
    session: Session,
    indexed: Indexed,
    keys: Sequence[str],
    *,
    fresh: bool = False,
    chunk: int = 500,
) -> int:
    """Replace the documents of many records, a few statements per ``chunk`` of them (a bulk
    statement's rows, a reindex batch): one query loads the rows, one removes their documents,
    one inserts the new ones. ``fresh`` records (a bulk ``INSERT``'s) have none to remove: on
    PostgreSQL, a large insert in one transaction leaves the planner's statistics behind, and
    removing by hundreds of keys then reads every document of the source, chunk after chunk."""
    written = 0
    for start in range(0, len(keys), chunk):
        part = list(keys[start : start + chunk])
        # One primary-key lookup each: a list of hundreds of keys is read with a scan of the
        # whole table when PostgreSQL's statistics lag behind a large transaction.
        rows = [row for key in part if (row := _load(session, indexed, key)) is not None]
        documents = [d for row in rows for d in indexed.build(row)]
        written += _replace(session, indexed, part, documents, remove=not fresh)
    return written


def _replace(
    session: Session,
    indexed: Indexed,
    keys: list[str],
    documents: list[Any],
    *,
    remove: bool = True,
) -> int:
    rows = [d.row() for d in documents]
    connection = session.connection()
    if remove:
        connection.execute(
            delete(DOCUMENTS).where(
                DOCUMENTS.c.source == indexed.source.value, DOCUMENTS.c.record_id.in_(keys)
            )
        )
    if rows:
        now = utcnow()
        connection.execute(insert(DOCUMENTS), [{**r, "indexed_at": now} for r in rows])
    return len(rows)


def queue(session: Session, source: Source, key: str, error: str | None = None) -> None:
    insert_or_ignore(
        session, SearchBacklog, source=source.value, record_id=key, queued_at=utcnow(), attempts=0
    )
    if error is not None:
        session.connection().execute(
            BACKLOG.update()
            .where(SearchBacklog.source == source.value, SearchBacklog.record_id == key)
            .values(error=error[:500])
        )


def index_flush(session: Session, _flush: UOWTransaction) -> None:
    """``after_flush``: the documents of every indexed row this flush wrote or deleted."""
    if session.info.get(SKIP):
        return
    touched: list[tuple[Indexed, Any, bool]] = []
    for obj in session.new:
        if (indexed := BY_MODEL.get(type(obj))) is not None:
            touched.append((indexed, obj, False))
    for obj in session.dirty:
        indexed = BY_MODEL.get(type(obj))
        if indexed is not None and session.is_modified(obj, include_collections=False):
            touched.append((indexed, obj, False))
    for obj in session.deleted:
        if (indexed := BY_MODEL.get(type(obj))) is not None:
            touched.append((indexed, obj, True))
    for indexed, obj, gone in touched:
        key = indexed.key(obj)
        try:
            write_documents(session, indexed, key, None if gone else obj)
        except Exception as exc:  # noqa: BLE001 - the record is kept; its document waits
            log.warning("search document deferred", source=indexed.source, error=type(exc).__name__)
            queue(session, indexed.source, key, f"{type(exc).__name__}: {exc}")


def index_bulk(state: ORMExecuteState) -> Result[Any] | None:
    """``do_orm_execute``: a bulk ``INSERT``/``UPDATE``/``DELETE`` on an indexed table indexes
    the rows it touched, in its transaction (rows named by the statement's ``WHERE`` or by the
    inserted values); when that cannot be told, the table is queued for reconciliation."""
    if not (state.is_insert or state.is_update or state.is_delete) or state.bind_mapper is None:
        return None
    indexed = BY_MODEL.get(state.bind_mapper.class_)
    session = state.session
    if indexed is None or session.info.get(SKIP):
        return None
    where = getattr(state.statement, "whereclause", None)
    before: list[str] = []
    if state.is_delete and where is not None:
        before = _keys(session, select(indexed.key_column()).where(where))
    result = state.invoke_statement()
    try:
        with session.begin_nested():
            if state.is_insert:
                keys = _inserted(session, indexed, state.parameters)
            elif where is not None:
                keys = before or _keys(session, select(indexed.key_column()).where(where))
            else:
                keys = None
            if keys is None:
                queue(session, indexed.source, WHOLE_SOURCE)
            # Rows a bulk INSERT adds have no documents yet (were one there, the unique key
            # would refuse the new one and the source would be queued below).
            write_many(session, indexed, keys or [], fresh=state.is_insert)
    except Exception as exc:  # noqa: BLE001 - the statement stands; its documents wait
        log.warning("search documents deferred", source=indexed.source, error=type(exc).__name__)
        queue(session, indexed.source, WHOLE_SOURCE, f"{type(exc).__name__}: {exc}")
    return result


def _keys(session: Session, stmt: Select[str]) -> list[str]:
    return [str(k) for k in session.execute(stmt).scalars()]


def _inserted(session: Session, indexed: Indexed, parameters: object) -> list[str] | None:
    """The keys of the rows a bulk ``INSERT`` passed as parameters (None: not told)."""
    rows = parameters if isinstance(parameters, list) else [parameters] if parameters else []
    values = [r.get(indexed.insert_column) for r in rows if isinstance(r, dict)]
    named = [v for v in values if isinstance(v, str)]
    if not named or len(named) != len(rows):
        return None
    column = getattr(indexed.model, indexed.insert_column)
    keys: list[str] = []
    for start in range(0, len(named), 500):
        chunk = sorted(set(named[start : start + 500]))
        keys += _keys(session, select(indexed.key_column()).where(column.in_(chunk)))
    return sorted(set(keys))


@dataclass(frozen=True, slots=True)
class Drained:
    records: int
    failed: int


def reconcile(session: Session, source: Source, *, rewrite: bool = False) -> int:
    """Remove documents of records that are gone, index records that have none (and, with
    ``rewrite``, rewrite every record's documents)."""
    indexed = BY_SOURCE[source]
    live = live_keys(source).subquery()
    session.execute(
        delete(SearchDocument).where(
            SearchDocument.source == source.value,
            SearchDocument.record_id.not_in(select(live.c[0])),
        )
    )
    missing = list(session.execute(live_keys(source) if rewrite else _missing(source)).scalars())
    write_many(session, indexed, missing)
    return len(missing)


def _missing(source: Source) -> Select[str]:
    keys = live_keys(source)
    documented = select(SearchDocument.record_id).where(SearchDocument.source == source.value)
    column = keys.selected_columns[0]
    return keys.where(not_(column.in_(documented)))


def drain(session: Session, limit: int = 500) -> Drained:
    """Work off up to ``limit`` backlog entries, each in a savepoint (one that fails again
    stays, with its error and one more attempt)."""
    rows = list(
        session.execute(
            select(SearchBacklog).order_by(SearchBacklog.queued_at).limit(limit)
        ).scalars()
    )
    failed = 0
    for entry in rows:
        source, key = Source(entry.source), entry.record_id
        try:
            with session.begin_nested():
                if key == WHOLE_SOURCE:
                    reconcile(session, source, rewrite=True)
                else:
                    indexed = BY_SOURCE[source]
                    write_documents(session, indexed, key, _load(session, indexed, key))
        except Exception as exc:  # noqa: BLE001 - kept in the backlog with its error
            failed += 1
            entry.attempts += 1
            entry.error = f"{type(exc).__name__}: {exc}"[:500]
            continue
        session.delete(entry)
    session.flush()
    return Drained(len(rows) - failed, failed)


@dataclass(frozen=True, slots=True)
class Health:
    documents: int
    backlog: int
    failing: int
    # Records with no document, and documents of records that are gone, per source.
    missing: dict[str, int]
    stale: dict[str, int]

    @property
    def complete(self) -> bool:
        return not self.backlog and not any(self.missing.values()) and not any(self.stale.values())


def backlog_size(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(SearchBacklog)).scalar_one())


def health(session: Session) -> Health:
    missing: dict[str, int] = {}
    stale: dict[str, int] = {}
    for indexed in INDEXED:
        source = indexed.source
        missing[source.value] = _count(session, _missing(source))
        live = live_keys(source).subquery()
        stale[source.value] = _count(
            session,
            select(SearchDocument.record_id)
            .where(
                and_(
                    SearchDocument.source == source.value,
                    SearchDocument.record_id.not_in(select(live.c[0])),
                )
            )
            .distinct(),
        )
    failing = session.execute(
        select(func.count()).select_from(SearchBacklog).where(SearchBacklog.attempts > 0)
    ).scalar_one()
    documents = session.execute(select(func.count()).select_from(SearchDocument)).scalar_one()
    return Health(int(documents), backlog_size(session), int(failing), missing, stale)


def _count(session: Session, stmt: Select[Any]) -> int:
    return int(session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())


def total_records(session: Session, sources: Iterable[Source]) -> int:
    return sum(_count(session, live_keys(s)) for s in sources)


def reindex(
    session_factory: SessionFactory,
    sources: Iterable[Source] = ALL_SOURCES,
    *,
    batch: int = 500,
    progress: Callable[[int], None] = lambda _n: None,
) -> int:
    """Rebuild the documents of ``sources`` from their tables, one transaction per batch (the
    old documents of a source are removed first); returns the records indexed."""
    done = 0
    for source in sources:
        indexed = BY_SOURCE[source]
        with unit_of_work(session_factory) as session:
            session.execute(delete(SearchDocument).where(SearchDocument.source == source.value))
            session.execute(delete(SearchBacklog).where(SearchBacklog.source == source.value))
        for keys in _batches(session_factory, source, batch):
            with unit_of_work(session_factory) as session:
                write_many(session, indexed, keys)
            done += len(keys)
            progress(len(keys))
    return done


def _batches(session_factory: SessionFactory, source: Source, size: int) -> Iterator[list[str]]:
    with unit_of_work(session_factory) as session:
        keys = list(session.execute(live_keys(source)).scalars())
    for start in range(0, len(keys), size):
        yield keys[start : start + size]
