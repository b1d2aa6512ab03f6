"""The Merkle tree of the audit trail, stored incrementally beside the entries.

Leaf ``i`` is entry ``i + 1`` (``leaf = SHA-256(0x00 || canonical entry)``). Appending a leaf
writes it and the complete subtrees it finishes (two rows per entry on average) and updates the
right edge kept on the ``audit_head`` row, under the lock appends already hold: O(log n) work,
O(1) amortised, no read. Every hash a proof or a past root needs is a stored complete subtree,
or a few folded together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, insert, or_, select, update
from sqlalchemy.orm import Session

from jisr.audit.chain import entry_canonical
from jisr.audit.merkle import (
    CompactRange,
    SubtreeSource,
    consistency_proof,
    fold,
    inclusion_proof,
    leaf_hash,
    perfect_ranges,
)
from jisr.audit.models import AuditEntry, AuditHead, AuditTreeNode

HEAD_ID = 1
_NODES = cast(Table, AuditTreeNode.__table__)


def canonical_of(entry: AuditEntry) -> bytes:
    return entry_canonical(
        seq=entry.seq,
        entry_id=entry.entry_id,
        at=entry.at,
        action=entry.action,
        actor=entry.actor,
        actor_agency=entry.actor_agency,
        object_type=entry.object_type,
        object_id=entry.object_id,
        justification=entry.justification,
        recipients=list(entry.recipients),
        details=dict(entry.details),
        prev_hash=entry.prev_hash,
    )


def hashes_of(entry: AuditEntry) -> tuple[str, bytes]:
    """The entry's chain hash (hex) and its Merkle leaf, from one serialisation."""
    data = canonical_of(entry)
    return hashlib.sha256(data).hexdigest(), leaf_hash(data)


def compact_of(head: AuditHead) -> CompactRange:
    return CompactRange(head.seq, [bytes.fromhex(h) for h in head.frontier or []])


def append_leaves(session: Session, head: AuditHead, size: int, leaves: Sequence[bytes]) -> None:
    """Add ``leaves`` after the first ``size`` (the head's tree before this flush) and store
    what they finish; the caller holds the head lock and advances ``head.seq`` itself."""
    compact = CompactRange(size, [bytes.fromhex(h) for h in head.frontier or []])
    rows: list[dict[str, Any]] = []
    for leaf in leaves:
        rows.extend(
            {"level": level, "idx": index, "hash": value}
            for level, index, value in compact.append(leaf)
        )
    session.execute(insert(_NODES), rows)
    head.frontier = [h.hex() for h in compact.hashes]


class StoredTree:
    """A ``SubtreeSource`` reading the stored complete subtrees (cached per instance)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[tuple[int, int], bytes] = {}

    def nodes(self, keys: Sequence[tuple[int, int]]) -> list[bytes]:
        missing = [key for key in keys if key not in self._cache]
        if missing:
            condition = or_(
                *(and_(_NODES.c.level == level, _NODES.c.idx == index) for level, index in missing)
            )
            for level, index, value in self.session.execute(
                select(_NODES.c.level, _NODES.c.idx, _NODES.c.hash).where(condition)
            ):
                self._cache[(int(level), int(index))] = bytes(value)
        absent = [key for key in keys if key not in self._cache]
        if absent:
            raise LookupError(f"the stored tree lacks subtrees {absent[:3]}")
        return [self._cache[key] for key in keys]

    def subtree(self, start: int, end: int) -> bytes:
        return fold(self.nodes(perfect_ranges(start, end)))

    def root(self, size: int) -> bytes:
        return self.subtree(0, size)


def tree_size(session: Session) -> int:
    head = session.get(AuditHead, HEAD_ID)
    return head.seq if head else 0


class _Needs:
    """A ``SubtreeSource`` that only notes which stored subtrees a proof will read."""

    def __init__(self) -> None:
        self.keys: list[tuple[int, int]] = []

    def subtree(self, start: int, end: int) -> bytes:
        self.keys.extend(perfect_ranges(start, end))
        return bytes(32)


def _prefetched(session: Session, build: Callable[[SubtreeSource], list[bytes]]) -> list[bytes]:
    """Run ``build`` once to learn the subtrees it needs, read them in one query, run it."""
    needs = _Needs()
    build(needs)
    tree = StoredTree(session)
    if needs.keys:
        tree.nodes(sorted(set(needs.keys)))
    return build(tree)


def prove_inclusion(session: Session, seq: int, size: int) -> list[bytes]:
    return _prefetched(session, lambda source: inclusion_proof(source, seq - 1, size))


def prove_consistency(session: Session, old_size: int, new_size: int) -> list[bytes]:
    return _prefetched(session, lambda source: consistency_proof(source, old_size, new_size))


def iter_entries(session: Session, *, batch: int = 2000) -> Iterator[AuditEntry]:
    """Every entry in order, a page at a time (bounded memory on both backends)."""
    last = 0
    while True:
        rows = list(
            session.execute(
                select(AuditEntry)
                .where(AuditEntry.seq > last)
                .order_by(AuditEntry.seq)
                .limit(batch)
            ).scalars()
        )
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        for row in rows:
            session.expunge(row)


def rebuild_tree(connection: Connection) -> int:
    """Build the tree of entries written before it existed (the migration that adds it)."""
    session = Session(bind=connection)
    compact = CompactRange()
    rows: list[dict[str, Any]] = []
    for entry in iter_entries(session):
        _hash, leaf = hashes_of(entry)
        rows.extend({"level": lv, "idx": ix, "hash": h} for lv, ix, h in compact.append(leaf))
        if len(rows) >= 5000:
            connection.execute(insert(_NODES), rows)
            rows = []
    if rows:
        connection.execute(insert(_NODES), rows)
    frontier = [h.hex() for h in compact.hashes]
    connection.execute(update(AuditHead).where(AuditHead.id == HEAD_ID).values(frontier=frontier))
    session.close()
    return compact.size
