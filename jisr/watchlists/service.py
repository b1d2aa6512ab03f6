"""Watchlist entries: the notices list kept in step with alerts, blocks, and the version counter.

``upsert_notice_entry`` and ``remove_notice_entry`` are what ``jisr.notices`` calls when an alert
is published, received, amended, withdrawn or cancelled. They run in the caller's transaction and
bump the watchlist version, so every node's screener sees the change on its next check.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from jisr.actors import Actor, Role
from jisr.clock import utcnow
from jisr.errors import NotFoundError, PermissionDeniedError
from jisr.identity.service import local_agency_code
from jisr.ids import new_id, owner_of
from jisr.screening.model import Subject, SubjectKind
from jisr.watchlists.models import (
    NOTICES_LIST,
    ListKind,
    Watchlist,
    WatchlistEntry,
    WatchlistState,
)

STATE_ID = 1
# Roles that may read a blocked record (the data-protection officer, auditors, administrators).
BLOCK_READER_ROLES = frozenset({Role.DPO, Role.AUDITOR, Role.ADMIN})


def current_version(session: Session) -> int:
    version = session.execute(
        select(WatchlistState.version).where(WatchlistState.id == STATE_ID)
    ).scalar_one_or_none()
    return version or 0


def bump_version(session: Session) -> None:
    """Tell every screener that what it screens against changed (in the caller's transaction)."""
    result = session.execute(
        update(WatchlistState)
        .where(WatchlistState.id == STATE_ID)
        .values(version=WatchlistState.version + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(WatchlistState(id=STATE_ID, version=1))
    session.flush()


def notices_list(session: Session) -> Watchlist:
    watchlist = session.execute(
        select(Watchlist).where(Watchlist.name == NOTICES_LIST)
    ).scalar_one_or_none()
    if watchlist is None:
        local = local_agency_code(session)
        watchlist = Watchlist(
            id=new_id(local, "watchlist"),
            name=NOTICES_LIST,
            kind=ListKind.NOTICES.value,
            owner_agency=local,
            created_by="system",
        )
        session.add(watchlist)
        session.flush()
    return watchlist


def subject_fields(subject: Subject) -> dict[str, object]:
    """A Subject as entry columns."""
    return {
        "kind": subject.kind.value,
        "names": list(subject.names),
        "birth_dates": list(subject.birth_dates),
        "nationalities": list(subject.nationalities),
        "gender": subject.gender,
        "documents": list(subject.documents),
    }


def to_subject(entry: WatchlistEntry) -> Subject:
    return Subject(
        id=entry.id,
        names=tuple(entry.names),
        kind=SubjectKind(entry.kind),
        birth_dates=tuple(entry.birth_dates),
        nationalities=tuple(entry.nationalities),
        gender=entry.gender,
        documents=tuple(entry.documents),
        source=entry.source,
    )


def upsert_notice_entry(
    session: Session,
    *,
    notice_id: str,
    reference: str,
    alert_type: str,
    owner_agency: str,
    subject: Subject,
    crime_area: str | None = None,
) -> None:
    """Create or replace the entry of an alert (received or owned); a block on it is kept."""
    entry = session.execute(
        select(WatchlistEntry).where(WatchlistEntry.notice_id == notice_id)
    ).scalar_one_or_none()
    fields = subject_fields(subject)
    if entry is None:
        entry = WatchlistEntry(
            id=new_id(owner_of(notice_id), "wlentry"),
            watchlist_id=notices_list(session).id,
            version=0,
            source="notice",
            source_id=notice_id,
            notice_id=notice_id,
            blocked=False,
            **fields,
        )
        session.add(entry)
    else:
        for key, value in fields.items():
            setattr(entry, key, value)
    entry.reference = reference
    entry.alert_type = alert_type
    entry.owner_agency = owner_agency
    entry.crime_area = crime_area
    entry.active = True
    entry.updated_at = utcnow()
    session.flush()
    bump_version(session)


def remove_notice_entry(session: Session, notice_id: str) -> bool:
    """Stop screening against an alert (withdrawn, cancelled, expired). False if none was held.

    The row is kept inactive: hits already recorded still point at it."""
    entry = session.execute(
        select(WatchlistEntry).where(
            WatchlistEntry.notice_id == notice_id, WatchlistEntry.active.is_(True)
        )
    ).scalar_one_or_none()
    if entry is None:
        return False
    entry.active = False
    entry.updated_at = utcnow()
    session.flush()
    bump_version(session)
    return True


def find_entry(session: Session, key: str) -> WatchlistEntry:
    """An entry by its id or by the notice id it mirrors."""
    entry = (
        session.get(WatchlistEntry, key)
        or session.execute(
            select(WatchlistEntry).where(WatchlistEntry.notice_id == key)
        ).scalar_one_or_none()
    )
    if entry is None:
        raise NotFoundError(f"no watchlist entry {key}", code="watchlist_entry_not_found")
    return entry


def set_blocked(session: Session, key: str, blocked: bool) -> WatchlistEntry:
    """Place or lift the precautionary block on an entry (by entry id or notice id)."""
    entry = find_entry(session, key)
    if entry.blocked != blocked:
        entry.blocked = blocked
        entry.updated_at = utcnow()
        session.flush()
        bump_version(session)
    return entry


def require_unblocked(actor: Actor, entry: WatchlistEntry) -> None:
    if entry.blocked and not (actor.roles & BLOCK_READER_ROLES):
        raise PermissionDeniedError(
            "this record is blocked while a data-subject request is reviewed",
            code="record_blocked",
        )


def list_watchlists(session: Session) -> Sequence[Watchlist]:
    return session.execute(select(Watchlist).order_by(Watchlist.name)).scalars().all()


def count_active(session: Session, watchlist_id: str) -> int:
    return int(
        session.execute(
            select(func.count())
            .select_from(WatchlistEntry)
            .where(WatchlistEntry.watchlist_id == watchlist_id, WatchlistEntry.active.is_(True))
        ).scalar_one()
    )
