"""Reads for the hits queue and the console: open hits of an agency (as the API and the
console list them), its recent manifest jobs."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit import AuditAction, record
from jisr.watchlists.checks import require_screen
from jisr.watchlists.models import (
    HitStatus,
    ManifestJob,
    ScreeningHit,
    Watchlist,
    WatchlistEntry,
)
from jisr.watchlists.schemas import HitSummary


def _agency_hits(agency_code: str) -> str:
    # Hit ids are namespaced by the screening agency (``MA-DGST:hit:...``).
    return f"{agency_code}:hit:%"


def count_open_hits(session: Session, agency_code: str) -> int:
    """Hits of ``agency_code`` nobody has decided on yet (a count: shows no record)."""
    stmt = (
        select(func.count())
        .select_from(ScreeningHit)
        .where(
            ScreeningHit.status == HitStatus.OPEN.value,
            ScreeningHit.id.like(_agency_hits(agency_code)),
        )
    )
    return int(session.execute(stmt).scalar_one())


def open_hits(session: Session, actor: Actor, limit: int = 200) -> list[ScreeningHit]:
    """The agency's undecided hits, last seen first; audited as a consultation."""
    require_screen(session, actor)
    seen = func.coalesce(ScreeningHit.last_seen_at, ScreeningHit.screened_at)
    stmt = (
        select(ScreeningHit)
        .where(
            ScreeningHit.status == HitStatus.OPEN.value,
            ScreeningHit.id.like(_agency_hits(actor.agency_code)),
        )
        .order_by(seen.desc(), ScreeningHit.id.desc())
        .limit(limit)
    )
    rows = list(session.execute(stmt).scalars())
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "screening_hits",
        details={"status": HitStatus.OPEN.value, "returned": len(rows)},
    )
    return rows


def summaries(session: Session, hits: list[ScreeningHit]) -> list[HitSummary]:
    """Queue rows for ``hits``: the traveller as screened, when, the flight or manifest, the
    list and alert (entries and lists read in one query)."""
    ids = {hit.entry_id for hit in hits}
    found = session.execute(
        select(WatchlistEntry, Watchlist.name)
        .join(Watchlist, Watchlist.id == WatchlistEntry.watchlist_id)
        .where(WatchlistEntry.id.in_(ids))
    ).all()
    entries = {entry.id: (entry, name) for entry, name in found}
    rows = []
    for hit in hits:
        entry, watchlist = entries[hit.entry_id]
        rows.append(
            HitSummary(
                hit_id=hit.id,
                query_id=hit.query.get("id"),
                alert_type=entry.alert_type,
                owner_agency=entry.owner_agency,
                reference=entry.reference,
                score=hit.score,
                status=HitStatus(hit.status),
                traveller_name=hit.query.get("name"),
                flight=hit.query.get("flight"),
                manifest_id=hit.manifest_id,
                watchlist=watchlist,
                screened_at=hit.screened_at,
                last_seen_at=hit.last_seen_at or hit.screened_at,
                seen_count=hit.seen_count,
            )
        )
    return rows


def recent_jobs(session: Session, actor: Actor, limit: int = 20) -> list[ManifestJob]:
    """The agency's latest manifest jobs (file names and counters only), newest first."""
    require_screen(session, actor)
    stmt = (
        select(ManifestJob)
        .where(ManifestJob.created_agency == actor.agency_code)
        .order_by(ManifestJob.created_at.desc(), ManifestJob.id.desc())
        .limit(limit)
    )
    return list(session.execute(stmt).scalars())
