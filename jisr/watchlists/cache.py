"""The node's screener, built from the active, unblocked entries and rebuilt when they change.

Every change to what screening sees bumps one counter row (``watchlist_state``). A check reads
the counter in its own transaction: the same number as the held snapshot means the snapshot is
current; a different one means rebuild. One lock makes rebuilds single-flight: requests arriving
during a rebuild wait for it and then use its result instead of building again. The snapshot is
read with the caller's session, so it is consistent with the transaction (and on SQLite never
waits for a second connection while the request holds the write lock).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.db import SessionFactory, unit_of_work
from jisr.screening import Screener
from jisr.screening.model import Subject, SubjectKind
from jisr.watchlists.models import WatchlistEntry
from jisr.watchlists.service import current_version

log = structlog.get_logger("jisr.watchlists")


@dataclass(frozen=True, slots=True)
class EntryInfo:
    """What a hit shows before it is opened."""

    alert_type: str
    owner_agency: str
    reference: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    version: int
    screener: Screener
    entries: dict[str, EntryInfo]

    def __len__(self) -> int:
        return len(self.entries)


def fetch_entries(session: Session) -> tuple[list[Subject], dict[str, EntryInfo]]:
    """The active, unblocked entries as subjects, and what a hit shows of each."""
    columns = (
        WatchlistEntry.id,
        WatchlistEntry.kind,
        WatchlistEntry.names,
        WatchlistEntry.birth_dates,
        WatchlistEntry.nationalities,
        WatchlistEntry.gender,
        WatchlistEntry.documents,
        WatchlistEntry.alert_type,
        WatchlistEntry.owner_agency,
        WatchlistEntry.reference,
    )
    stmt = (
        select(*columns)
        .where(WatchlistEntry.active.is_(True), WatchlistEntry.blocked.is_(False))
        .order_by(WatchlistEntry.id)
        .execution_options(yield_per=10_000)
    )
    entries: dict[str, EntryInfo] = {}
    subjects: list[Subject] = []
    for row in session.execute(stmt):
        subjects.append(
            Subject(
                id=row.id,
                names=tuple(row.names),
                kind=SubjectKind(row.kind),
                birth_dates=tuple(row.birth_dates),
                nationalities=tuple(row.nationalities),
                gender=row.gender,
                documents=tuple(row.documents),
            )
        )
        entries[row.id] = EntryInfo(row.alert_type, row.owner_agency, row.reference)
    return subjects, entries


def load_snapshot(
    session: Session, version: int, progress: Callable[[int], None] | None = None
) -> Snapshot:
    subjects, entries = fetch_entries(session)
    return Snapshot(version, Screener(subjects, progress=progress), entries)


class ScreenerCache:
    """Holds the current snapshot; one per app (``AppContext.screener``) or CLI run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None
        self.builds = 0

    def get(self, session: Session) -> Snapshot:
        version = current_version(session)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == version:
            return snapshot
        with self._lock:
            snapshot = self._snapshot
            if snapshot is not None and snapshot.version == version:
                return snapshot
            snapshot = load_snapshot(session, version)
            self._snapshot = snapshot
            self.builds += 1
            _exempt_from_gc(len(snapshot))
            log.info("screener built", version=version, entries=len(snapshot))
            return snapshot

    def warm(self, factory: SessionFactory) -> None:
        """Build ahead of the first check, reading in a short transaction and building outside
        it (on SQLite a transaction holds the write lock)."""
        with self._lock:
            with unit_of_work(factory) as session:
                version = current_version(session)
                if self._snapshot is not None and self._snapshot.version == version:
                    return
                subjects, entries = fetch_entries(session)
            self._snapshot = Snapshot(version, Screener(subjects), entries)
            self.builds += 1
            _exempt_from_gc(len(entries))
            log.info("screener built", version=version, entries=len(entries))

    def get_current(self) -> Snapshot:
        """The snapshot held now (for benchmarks and diagnostics); call ``get`` or ``warm``
        first."""
        if self._snapshot is None:
            raise LookupError("no screener built yet")
        return self._snapshot

    def invalidate(self) -> None:
        self._snapshot = None


# Below this many entries a full collection is cheap and freezing is not worth it.
GC_FREEZE_MIN_ENTRIES = 50_000


def _exempt_from_gc(entries: int) -> None:
    """Keep the cyclic garbage collector off a large snapshot's millions of long-lived objects.

    Without this, every full collection triggered by a request's allocations walks the whole
    index (tens of milliseconds at a million entries: the API's p99). Frozen objects are still
    freed by reference counting when a newer snapshot replaces them.
    """
    if entries < GC_FREEZE_MIN_ENTRIES:
        return
    gc.collect()
    gc.freeze()
