"""Importing a list file (UN XML, OFAC CSV, FtM JSON lines, CSV) as a new version of a watchlist.

The file is read by ``jisr.screening.sources``; every rejected row is reported. The new version's
entries and the retirement of the previous version's happen in the caller's one transaction, so
a failure part-way stores nothing. ``strict`` refuses the whole file when any row is rejected.

An import is also refused, unless ``allow_shrink`` says the officer means it, when it yields no
entry at all or loses more than ``max_shrink`` of the previous version's entries: a broken or
truncated file (20 bad rows, a header alone, an empty XML root) must not silently empty a list
people are screened against. The previous version stays in force.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.policy import Action, Resource, ResourceKind
from jisr.agreements.service import require
from jisr.audit import AuditAction, record
from jisr.clock import utcnow
from jisr.errors import JisrError, ValidationError
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
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class ImportRejectedError(ValidationError):
    code = "watchlist_rows_rejected"


class ImportEmptyError(ValidationError):
    code = "watchlist_import_empty"


class ImportShrinksError(ValidationError):
    code = "watchlist_import_shrinks"


class ImportTooLargeError(JisrError):
    code = "watchlist_import_too_large"
    http_status = 413
    title = "List file too large"


DEFAULT_MAX_SHRINK = 0.5


class ImportSettings(BaseSettings):
    """Prefix ``JISR_WATCHLISTS_``."""

    model_config = SettingsConfigDict(env_prefix="JISR_WATCHLISTS_", extra="ignore", frozen=True)

    # Largest list file accepted by ``POST /watchlists/{name}/imports``, in bytes.
    import_max_bytes: int = Field(default=1 << 30, ge=1024)
    # Share of the previous version's entries an import may lose without ``allow_shrink``
    # (0.5: refuse a new version with fewer than half the entries). An empty import is
    # always refused without it.
    max_shrink: float = Field(default=DEFAULT_MAX_SHRINK, ge=0.0, le=1.0)


def require_importer(session: Session, actor: Actor, name: str) -> None:
    """Who may import, and into which list (asked before a file is received)."""
    require(session, actor, Action.CREATE, Resource(ResourceKind.WATCHLIST, actor.agency_code))
    if name == NOTICES_LIST:
        raise ValidationError("the notices list is built from alerts", code="watchlist_reserved")


class UploadFile:
    """A list file being received, written to ``DIR/imports/<random>/<name>`` chunk by chunk
    (never held in memory); ``discard`` removes it, kept or not."""

    def __init__(self, data_dir: Path, filename: str, limit: int) -> None:
        safe = _UNSAFE.sub("_", Path(filename).name)[:100].strip("._") or "list"
        root = data_dir / "imports"
        root.mkdir(parents=True, exist_ok=True)
        self.directory = Path(tempfile.mkdtemp(dir=root))
        self.path = self.directory / safe
        self.limit = limit
        self.size = 0
        self._stream: BinaryIO = self.path.open("wb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise ImportTooLargeError(f"the list file exceeds {self.limit} bytes")
        self._stream.write(chunk)

    def close(self) -> None:
        self._stream.close()

    def discard(self) -> None:
        self._stream.close()
        shutil.rmtree(self.directory, ignore_errors=True)


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
    allow_shrink: bool = False,
    max_shrink: float = DEFAULT_MAX_SHRINK,
    on_reject: Callable[[Rejection], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read ``path`` and store its subjects as version N+1 of the list ``name``.

    Callers pass ``max_shrink`` from the node's ``ImportSettings`` section."""
    require_importer(session, actor, name)
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
    if not allow_shrink:
        _refuse_shrink(session, watchlist, count, len(source.rejections), max_shrink)
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


def _refuse_shrink(
    session: Session, watchlist: Watchlist, count: int, rejected: int, max_shrink: float
) -> None:
    """Raise (the caller's transaction rolls back) when the import would empty or gut the list."""
    previous = session.execute(
        select(func.count())
        .select_from(WatchlistEntry)
        .where(
            WatchlistEntry.watchlist_id == watchlist.id,
            WatchlistEntry.version <= watchlist.current_version,
            WatchlistEntry.active.is_(True),
        )
    ).scalar_one()
    if count == 0:
        raise ImportEmptyError(
            f"the file yields no entry ({rejected} row(s) rejected); the list keeps its "
            f"{previous} entries. Import again with allow_shrink to empty it on purpose",
            entries=count,
            previous_entries=int(previous),
            rejected=rejected,
        )
    if previous and count < previous * (1 - max_shrink):
        raise ImportShrinksError(
            f"the file yields {count} entries where the list has {previous} (more than "
            f"{max_shrink:.0%} fewer); the previous version stays. Import again with "
            "allow_shrink if this is intended",
            entries=count,
            previous_entries=int(previous),
            rejected=rejected,
        )


def _flush(session: Session, rows: list[dict[str, object]]) -> None:
    if rows:
        session.execute(insert(WatchlistEntry), rows)
        rows.clear()


def _rejected(rejections: list[Rejection]) -> ImportRejectedError:
    return ImportRejectedError(
        f"{len(rejections)} row(s) rejected; nothing imported",
        rejected=len(rejections),
        rejections=[brief(r) for r in rejections[:1000]],  # the first ones; a problem stays small
    )


def brief(rejection: Rejection) -> str:
    """``name:line: reason``, without the directory the file was read from."""
    return f"{Path(rejection.file).name}:{rejection.line}: {rejection.reason}"
