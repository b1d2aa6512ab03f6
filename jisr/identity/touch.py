"""When a token or console session was last used, written as the request's transaction commits.

Every authenticated request stamps its token (``last_used_at``) or console session
(``last_seen_at``). Stamped as an ordinary change, the row would be locked at the
transaction's first flush and held to its end; concurrent requests with the same credential
that also append to the audit trail would then lock the token and the audit head in opposite
orders (a query flushing the stamp before the first entry, or an entry flushed with it) and
deadlock on PostgreSQL. So the stamp is set in memory only, and written by a ``before_commit``
listener after everything else has been flushed: the credential's row is the last lock such a
transaction takes, so it never holds it while waiting. The row is locked with ``SKIP LOCKED``:
if another transaction is writing it (a concurrent request stamping it, a revocation), this
stamp is skipped rather than waited for; the other one is at most a moment apart.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.orm.attributes import set_committed_value

from jisr.identity.models import ApiToken, LoginSession

_PENDING = "identity.pending_stamps"
Stamped = ApiToken | LoginSession
_COLUMNS: dict[
    type[Stamped], InstrumentedAttribute[datetime | None] | InstrumentedAttribute[datetime]
] = {
    ApiToken: ApiToken.last_used_at,
    LoginSession: LoginSession.last_seen_at,
}


def stamp_later(session: Session, row: Stamped, at: datetime) -> None:
    """Record that ``row`` was used ``at``: visible at once in this session, written at commit."""
    set_committed_value(row, _COLUMNS[type(row)].key, at)
    # Held here, the row stays in the session's (weak) identity map, stamp and all.
    pending: dict[tuple[type[Stamped], str], tuple[Stamped, datetime]]
    pending = session.info.setdefault(_PENDING, {})
    pending[(type(row), row.id)] = (row, at)


def write_stamps(session: Session) -> None:
    """Write the pending stamps, last (a ``before_commit`` listener of every session, installed
    by the composition root, ``jisr.identity.module``)."""
    if session.in_nested_transaction():
        return  # a savepoint being released: the stamps wait for the real commit
    pending: dict[tuple[type[Stamped], str], tuple[Stamped, datetime]] | None
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    session.flush()
    for (model, row_id), (_row, at) in pending.items():
        free = session.execute(
            select(model.id).where(model.id == row_id).with_for_update(skip_locked=True)
        ).scalar()
        if free is not None:
            session.execute(
                update(model)
                .where(model.id == row_id)
                .values({_COLUMNS[model]: at})
                .execution_options(synchronize_session=False)
            )
