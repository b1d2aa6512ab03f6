"""Importing a list file (UN XML, OFAC CSV, FtM JSON lines, CSV) as a new version of a watchlist.

The file is read by ``jisr.screening.sources``; every rejected row is reported. The new version's
entries and the retirement of the previous version's happen in the caller's one transaction, so
a failure part-way stores nothing. ``strict`` refuses the whole file when any row is rejected.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import ValidationError
from jisr.ids import new_id
from jisr.screening.sources import Rejection, read_subjects
from jisr.watchlists.models import (
    NOTICES_LIST,
    ListKind,
    Watchlist,
    WatchlistEntry,
    WatchlistVersion,
)
from jisr.watchlists.service import bump_version, subject_fields

_BATCH = 5_000


class ImportRejectedError(ValidationError):
    code = "watchlist_rows_rejected"


@dataclass
class ImportResult:
    watchlist: str
    version: int
    entries: int
    rejections: list[Rejection] = field(default_factory=list)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_list(
    session: Session,
    actor: Actor,
    name: str,
    path: Path,
    *,
    alert_type: str = "sanctions",
    strict: bool = False,
    on_reject: Callable[[Rejection], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read ``path`` and store its subjects as version N+1 of the list ``name``."""
    require(session, actor, Action.CREATE, Resource(ResourceKind.WATCHLIST, actor.agency_code))
    if name == NOTICES_LIST:
        raise ValidationError("the notices list is built from alerts", code="watchlist_reserved")
    source = read_subjects(path, on_reject=on_reject)
    stmt = select(Watchlist).where(Watchlist.name == name)
    watchlist = session.execute(stmt).scalar_one_or_none()
    if watchlist is None:
        watchlist = Watchlist(
            id=new_id(actor.agency_code, "watchlist"),
            name=name,
            kind=ListKind.IMPORTED.value,
            owner_agency=actor.agency_code,
            current_version=0,
            created_by=actor.display,
        )
        session.add(watchlist)
        session.flush()
    number = watchlist.current_version + 1
    label = Path(source.file).name
    rows: list[dict[str, object]] = []
    count = 0
    for subject in source:
        rows.append(
            {
                "id": new_id(actor.agency_code, "wlentry"),
                "watchlist_id": watchlist.id,
                "version": number,
                "source": label,
                "source_id": subject.id[:200],
                "notice_id": None,
                "reference": f"{name}/{subject.id}"[:200],
                "alert_type": alert_type,
                "owner_agency": actor.agency_code,
                "crime_area": None,
                "active": True,
                "blocked": False,
                "updated_at": utcnow(),
                **subject_fields(subject),
            }
        )
        count += 1
        if strict and source.rejections:
            rows.clear()  # read on, to report every rejected row, but store nothing
        elif len(rows) >= _BATCH:
            _flush(session, rows)
        if progress is not None and count % _BATCH == 0:
            progress(count)
    if strict and source.rejections:
        raise _rejected(source.rejections)
    _flush(session, rows)
    if progress is not None:
        progress(count)
    session.execute(
        update(WatchlistEntry)
        .where(WatchlistEntry.watchlist_id == watchlist.id, WatchlistEntry.version < number)
        .values(active=False, updated_at=utcnow())
    )
    session.add(
        WatchlistVersion(
            id=new_id(actor.agency_code, "wlversion"),
            watchlist_id=watchlist.id,
            number=number,
            source_file=source.file[:500],
            source_format=source.format,
            sha256=_sha256(path),
            entries=count,
            rejected=len(source.rejections),
            created_by=actor.display,
        )
    )
    watchlist.current_version = number
    bump_version(session)
    record(
        session,
        actor,
        AuditAction.COLLECTION,
        "watchlist",
        watchlist.id,
        details={
            "event": "imported",
            "name": name,
            "version": number,
            "entries": count,
            "rejected": len(source.rejections),
            "format": source.format,
        },
    )
    return ImportResult(name, number, count, list(source.rejections))


def _flush(session: Session, rows: list[dict[str, object]]) -> None:
    if rows:
        session.execute(insert(WatchlistEntry), rows)
        rows.clear()


def _rejected(rejections: list[Rejection]) -> ImportRejectedError:
    return ImportRejectedError(
        f"{len(rejections)} row(s) rejected; nothing imported",
        rejections=[str(r) for r in rejections],
    )
