"""Writing, reading and verifying the audit trail.

``record`` runs inside the caller's transaction, so an act and its audit entry commit or roll
back together. Appends are serialised by locking the single ``audit_head`` row, as late as
possible: ``record`` prepares the entry, and the transaction's next flush (at the latest its
commit) locks the head, numbers and chains every entry prepared since, in the order recorded,
and writes them together. The lock is taken once per transaction and held until it ends, so
concurrent transactions append one after the other, and hold the chain only from their first
flush with entries to their commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from jisr.actors import Actor, reads_audit_trail
from jisr.audit.chain import GENESIS_HASH
from jisr.audit.models import AuditAction, AuditEntry, AuditHead
from jisr.audit.tree import HEAD_ID, append_leaves, canonical_of, hashes_of, iter_entries
from jisr.clock import utcnow
from jisr.errors import PermissionDeniedError
from jisr.ids import new_id

# session.info keys: (transaction that locked the head, the head row); entries not yet chained.
_LOCKED_HEAD = "audit.locked_head"
_UNCHAINED = "audit.unchained"


def record(
    session: Session,
    actor: Actor,
    action: AuditAction,
    object_type: str,
    object_id: str | None = None,
    *,
    justification: str = "",
    recipients: Sequence[str] = (),
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain in the caller's transaction. Never put record contents in
    ``details``: identifiers, counts and decisions only. The entry gets its place in the chain
    (``seq``, ``at``, ``prev_hash``, ``hash``) at the next flush."""
    entry = AuditEntry(
        entry_id=new_id(actor.agency_code, "audit"),
        action=action.value,
        actor=actor.display,
        actor_agency=actor.agency_code,
        object_type=object_type,
        object_id=object_id,
        justification=justification,
        recipients=sorted(recipients),
        details=details or {},
    )
    session.add(entry)
    session.info.setdefault(_UNCHAINED, []).append(entry)
    return entry


def chain_entries(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    """Number and chain the entries recorded since the last flush, under the head lock.
    Entries that left the session (their savepoint was rolled back) are dropped.

    A ``before_flush`` listener of every session, installed by the composition root when a
    node starts (``jisr.audit.module``)."""
    entries: list[AuditEntry] | None = session.info.pop(_UNCHAINED, None)
    if not entries:
        return
    entries = [entry for entry in entries if inspect(entry).pending]
    if not entries:
        return
    head = _locked_head(session)
    size = head.seq
    leaves: list[bytes] = []
    for entry in entries:
        entry.seq = head.seq + 1
        entry.at = utcnow()
        entry.prev_hash = head.hash
        entry.hash, leaf = hashes_of(entry)
        leaves.append(leaf)
        head.seq, head.hash = entry.seq, entry.hash
    append_leaves(session, head, size, leaves)


def _locked_head(session: Session) -> AuditHead:
    """The chain head, locked by this transaction. Locked again only when the transaction that
    took the lock is over or is a savepoint since left (rolled back: its lock is gone; released:
    locking again is harmless). A savepoint's rollback expires the head it changed, so the head
    then reloads as it stands in the database."""
    current = session.get_nested_transaction() or session.get_transaction()
    cached: tuple[SessionTransaction, AuditHead] | None = session.info.get(_LOCKED_HEAD)
    if cached is not None and current is not None and _within(current, cached[0]):
        return cached[1]
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if head is None:
        head = AuditHead(id=HEAD_ID, seq=0, hash=GENESIS_HASH, frontier=[])
        session.add(head)
    locker = session.get_nested_transaction() or session.get_transaction()
    if locker is not None:
        session.info[_LOCKED_HEAD] = (locker, head)
    return head


def _within(current: SessionTransaction, locker: SessionTransaction) -> bool:
    if not locker.is_active:
        return False
    transaction: SessionTransaction | None = current
    while transaction is not None:
        if transaction is locker:
            return True
        transaction = transaction.parent
    return False


def _hash_of(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical_of(entry)).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    intact: bool
    entries: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None


def verify_chain(session: Session) -> VerifyResult:
    """Recompute every hash in order; report the first entry that was edited, removed or moved."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    count = 0
    for entry in session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars():
        if entry.seq != expected_seq:
            return _broken(count, prev_hash, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return _broken(count, prev_hash, entry.seq, "does not follow the previous entry")
        if _hash_of(entry) != entry.hash:
            return _broken(count, prev_hash, entry.seq, "content does not match its hash")
        prev_hash = entry.hash
        expected_seq += 1
        count += 1
    head = session.get(AuditHead, HEAD_ID)
    head_seq = head.seq if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    if head_seq != count or head_hash != prev_hash:
        return _broken(count, prev_hash, count + 1, f"entries after {count} were removed")
    return VerifyResult(True, count, prev_hash)


def _broken(count: int, head: str, seq: int, problem: str) -> VerifyResult:
    return VerifyResult(False, count, head, first_bad_seq=seq, problem=problem)


@dataclass(frozen=True)
class AuditFilter:
    action: str | None = None
    # The actor exactly as recorded; ``actor_contains``: any part of it, whatever the case.
    actor: str | None = None
    actor_contains: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    # Oldest first, paged with ``after_seq``; or newest first, paged with ``before_seq``.
    newest_first: bool = False
    after_seq: int = 0
    before_seq: int | None = None
    limit: int = 100


def require_audit_reader(actor: Actor) -> None:
    """The rule policy's ``audit_read`` decides by (`jisr.actors.reads_audit_trail`)."""
    if not reads_audit_trail(actor):
        raise PermissionDeniedError("only auditors and administrators may read the audit trail")


def read_entries(
    session: Session, actor: Actor, query: AuditFilter, *, justification: str = ""
) -> list[AuditEntry]:
    """Entries matching ``query``, in sequence order (or newest first); the reading itself is
    recorded as ``audit_access``."""
    require_audit_reader(actor)
    stmt = _matching(query).where(AuditEntry.seq > query.after_seq)
    if query.before_seq is not None:
        stmt = stmt.where(AuditEntry.seq < query.before_seq)
    stmt = stmt.order_by(AuditEntry.seq.desc() if query.newest_first else AuditEntry.seq)
    rows = list(session.execute(stmt.limit(query.limit)).scalars())
    record(
        session,
        actor,
        AuditAction.AUDIT_ACCESS,
        "audit_trail",
        justification=justification,
        details={"returned": len(rows), "filter": _filter_details(query)},
    )
    return rows


def _matching(query: AuditFilter) -> Select[AuditEntry]:
    """Entries matching the filter's conditions (paging and order left to the caller)."""
    stmt = select(AuditEntry)
    if query.action:
        stmt = stmt.where(AuditEntry.action == query.action)
    if query.actor:
        stmt = stmt.where(AuditEntry.actor == query.actor)
    if query.actor_contains:
        stmt = stmt.where(AuditEntry.actor.icontains(query.actor_contains, autoescape=True))
    if query.object_type:
        stmt = stmt.where(AuditEntry.object_type == query.object_type)
    if query.object_id:
        stmt = stmt.where(AuditEntry.object_id == query.object_id)
    if query.since:
        stmt = stmt.where(AuditEntry.at >= query.since)
    if query.until:
        stmt = stmt.where(AuditEntry.at < query.until)
    return stmt


def export_entries(
    session: Session,
    actor: Actor,
    query: AuditFilter,
    *,
    batch: int = 1000,
    read_with: Callable[[], Session] | None = None,
) -> Iterator[AuditEntry]:
    """Every entry matching ``query`` (its limit and cursors ignored), oldest first, read
    ``batch`` at a time, so an export of millions never sits in memory. The export is recorded
    as ``audit_access`` in ``session`` at once, before any row is read; the rows come from
    ``session``, or from a session of ``read_with`` opened when the first row is wanted (a
    streamed response reads after its request's transaction has committed)."""
    require_audit_reader(actor)
    record(
        session,
        actor,
        AuditAction.AUDIT_ACCESS,
        "audit_trail",
        details={"export": True, "filter": _filter_details(_whole(query))},
    )
    return _pages(session, query, batch, read_with)


def _whole(query: AuditFilter) -> AuditFilter:
    """The filter's conditions only: an export has no page, cursor or order of its own."""
    return replace(query, newest_first=False, after_seq=0, before_seq=None, limit=0)


def _pages(
    session: Session,
    query: AuditFilter,
    batch: int,
    read_with: Callable[[], Session] | None,
) -> Iterator[AuditEntry]:
    with read_with() if read_with is not None else nullcontext(session) as reading:
        last = 0
        while True:
            stmt = _matching(query).where(AuditEntry.seq > last).order_by(AuditEntry.seq)
            rows = list(reading.execute(stmt.limit(batch)).scalars())
            if not rows:
                return
            yield from rows
            last = rows[-1].seq
            if read_with is not None:
                reading.expunge_all()  # our own session: what was written out may go


def iter_all(session: Session, actor: Actor, *, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry in order, for export (a page at a time, ``tree.iter_entries``); recorded
    once as ``audit_access``."""
    require_audit_reader(actor)
    record(session, actor, AuditAction.AUDIT_ACCESS, "audit_trail", details={"export": True})
    yield from iter_entries(session, batch=batch)


def entry_to_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "entry_id": entry.entry_id,
        "at": entry.at.isoformat(),
        "action": entry.action,
        "actor": entry.actor,
        "actor_agency": entry.actor_agency,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "justification": entry.justification,
        "recipients": list(entry.recipients),
        "details": dict(entry.details),
        "prev_hash": entry.prev_hash,
        "hash": entry.hash,
    }


def _filter_details(query: AuditFilter) -> dict[str, Any]:
    return {
        key: value.isoformat() if isinstance(value, datetime) else value
        for key, value in vars(query).items()
        if value not in (None, 0, "")
    }
