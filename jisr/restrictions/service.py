"""Whether a record is held back by a block that is still in place."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jisr.restrictions.models import RightsBlock
from jisr.watchlists.models import WatchlistEntry


def notice_blocked(session: Session, notice_id: str) -> bool:
    """Whether an alert's subject is held back: a block on the alert, or on its watchlist entry
    (named by the entry's id or the alert's)."""
    entries = select(WatchlistEntry.id).where(WatchlistEntry.notice_id == notice_id)
    stmt = select(RightsBlock.id).where(
        RightsBlock.lifted_at.is_(None),
        or_(RightsBlock.record_id == notice_id, RightsBlock.record_id.in_(entries)),
    )
    return session.execute(stmt).first() is not None
