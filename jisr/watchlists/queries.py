"""Small reads for the console: open hits of an agency, its recent manifest jobs."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.audit import AuditAction, record
from jisr.watchlists.checks import require_screen
from jisr.watchlists.models import HitStatus, ManifestJob, ScreeningHit


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
    """The agency's undecided hits, newest first; audited as a consultation."""
    require_screen(session, actor)
    stmt = (
        select(ScreeningHit)
        .where(
            ScreeningHit.status == HitStatus.OPEN.value,
            ScreeningHit.id.like(_agency_hits(actor.agency_code)),
        )
        .order_by(ScreeningHit.screened_at.desc(), ScreeningHit.id.desc())
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
