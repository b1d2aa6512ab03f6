"""What an insider with the database, the source code and the node's key files can do: edit
rows with SQL, recompute every hash the software would, re-sign checkpoints."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from jisr.audit.chain import GENESIS_HASH
from jisr.audit.checkpoints import origin_of
from jisr.audit.merkle import CompactRange
from jisr.audit.models import AuditCheckpoint, AuditEntry, AuditHead, AuditTreeNode
from jisr.audit.notes import Checkpoint, sign_checkpoint
from jisr.audit.tree import StoredTree, append_leaves, canonical_of, hashes_of
from jisr.clock import utcnow
from jisr.federation.keys import load_node_keys
from jisr.ids import new_id


@contextmanager
def database(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session, session.begin():
        yield session


def head(session: Session) -> AuditHead:
    return session.execute(select(AuditHead)).scalar_one()


def entries(session: Session) -> list[AuditEntry]:
    return list(session.execute(select(AuditEntry).order_by(AuditEntry.seq)).scalars())


def truncate(session: Session, keep: int) -> None:
    """Delete the entries after ``keep`` and point the head at the new last one."""
    session.execute(delete(AuditEntry).where(AuditEntry.seq > keep))
    last = session.get(AuditEntry, keep)
    row = head(session)
    row.seq, row.hash = keep, last.hash if last else GENESIS_HASH


def rechain(session: Session, start: int = 1) -> None:
    """Recompute the chain from entry ``start`` on, and the head, as the software would."""
    rows = entries(session)
    prev = rows[start - 2].hash if start > 1 else GENESIS_HASH
    for entry in rows[start - 1 :]:
        entry.prev_hash = prev
        entry.hash = hashlib.sha256(canonical_of(entry)).hexdigest()
        prev = entry.hash
    row = head(session)
    row.seq, row.hash = len(rows), prev


def rebuild_tree(session: Session) -> None:
    """Throw the stored tree away and build it again from the entries as they now are."""
    session.flush()
    session.execute(delete(AuditTreeNode))
    compact = CompactRange()
    for entry in entries(session):
        for level, index, value in compact.append(hashes_of(entry)[1]):
            session.add(AuditTreeNode(level=level, index=index, hash=value))
    head(session).frontier = [h.hex() for h in compact.hashes]


def resign_checkpoints(session: Session, data_dir: Path, agency: str) -> None:
    """Sign every stored checkpoint again over the rebuilt tree, with the node's own key."""
    session.flush()
    key = load_node_keys(data_dir, None).signing
    tree = StoredTree(session)
    for row in session.execute(select(AuditCheckpoint)).scalars():
        root = tree.root(row.tree_size)
        checkpoint = Checkpoint(origin_of(agency), row.tree_size, root)
        row.root_hash = root.hex()
        row.note = sign_checkpoint(checkpoint, origin_of(agency), key).note()


def forge_append(
    session: Session, agency: str, *, at: datetime | None = None, with_tree: bool = False
) -> int:
    """Insert an entry after the last one, chained correctly, and move the head to it."""
    row = head(session)
    entry = AuditEntry(
        seq=row.seq + 1,
        entry_id=new_id(agency, "audit"),
        at=at or utcnow(),
        action="consultation",
        actor="amal",
        actor_agency=agency,
        object_type="message",
        object_id=f"{agency}:msg:forged",
        justification="",
        recipients=[],
        details={},
        prev_hash=row.hash,
    )
    entry.hash, leaf = hashes_of(entry)
    size = row.seq
    session.add(entry)
    if with_tree:
        append_leaves(session, row, size, [leaf])
    row.seq, row.hash = entry.seq, entry.hash
    return entry.seq
