"""Signed checkpoints of this node's log: made under the head lock, stored, proven.

The log's origin (and the signing key's name) is ``jisr/<agency>/audit``; a witness signs as
``jisr/<agency>/witness``. Both use the node's Ed25519 signing key (signed-note and
cosignature/v1 messages are domain-separated, and neither can be read as an envelope).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jisr.audit.merkle import ProofError
from jisr.audit.models import AuditCheckpoint, AuditHead
from jisr.audit.notes import Checkpoint, raw_public, sign_checkpoint
from jisr.audit.tree import (
    HEAD_ID,
    StoredTree,
    compact_of,
    prove_consistency,
    prove_inclusion,
    tree_size,
)

__all__ = [
    "checkpoint_due",
    "consistency",
    "inclusion",
    "latest_checkpoint",
    "make_checkpoint",
    "origin_of",
    "tree_size",
    "witness_name",
]
from jisr.clock import utcnow
from jisr.errors import NotFoundError, ValidationError


def origin_of(agency: str) -> str:
    return f"jisr/{agency}/audit"


def witness_name(agency: str) -> str:
    return f"jisr/{agency}/witness"


def latest_checkpoint(session: Session) -> AuditCheckpoint | None:
    return (
        session.execute(
            select(AuditCheckpoint).order_by(
                AuditCheckpoint.tree_size.desc(), AuditCheckpoint.id.desc()
            )
        )
        .scalars()
        .first()
    )


def make_checkpoint(
    session: Session, agency: str, key: Ed25519PrivateKey, *, force: bool = False
) -> AuditCheckpoint:
    """Sign the tree as it stands, under the head lock; returns the newest checkpoint instead
    when the tree has not grown since (unless ``force``)."""
    head = session.execute(
        select(AuditHead)
        .where(AuditHead.id == HEAD_ID)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    latest = latest_checkpoint(session)
    if latest is not None and latest.tree_size == head.seq and not force:
        return latest
    root = compact_of(head).root()
    checkpoint = Checkpoint(origin_of(agency), head.seq, root)
    note = sign_checkpoint(checkpoint, origin_of(agency), key).note()
    row = AuditCheckpoint(
        tree_size=head.seq,
        root_hash=root.hex(),
        note=note,
        key_fingerprint=hashlib.sha256(raw_public(key.public_key())).hexdigest()[:16],
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return row


def checkpoint_due(
    session: Session, *, every_entries: int, every: timedelta, now: datetime | None = None
) -> bool:
    """True when the log grew by ``every_entries`` since the newest checkpoint, or grew at all
    and that checkpoint is older than ``every`` (or there is none)."""
    head = session.get(AuditHead, HEAD_ID)
    size = head.seq if head else 0
    latest = latest_checkpoint(session)
    if latest is None:
        return size > 0
    grown = size - latest.tree_size
    if grown >= every_entries:
        return True
    return grown > 0 and (now or utcnow()) - latest.created_at >= every


def checkpoint_count(session: Session) -> int:
    return int(session.execute(select(func.count()).select_from(AuditCheckpoint)).scalar_one())


@dataclass(frozen=True)
class InclusionProof:
    seq: int
    leaf_index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    path: list[str]
    checkpoint: str

    def as_json(self) -> dict[str, object]:
        return {
            "seq": self.seq,
            "leaf_index": self.leaf_index,
            "tree_size": self.tree_size,
            "leaf_hash": self.leaf_hash,
            "root_hash": self.root_hash,
            "inclusion_path": self.path,
            "checkpoint": self.checkpoint,
        }


def inclusion(session: Session, seq: int, checkpoint: AuditCheckpoint) -> InclusionProof:
    """The proof that entry ``seq`` is in ``checkpoint``'s tree (base64 hashes, RFC 9162)."""
    if not 1 <= seq <= checkpoint.tree_size:
        raise NotFoundError(
            f"entry {seq} is not covered by the checkpoint of {checkpoint.tree_size} entries",
            code="audit_entry_not_covered",
        )
    tree = StoredTree(session)
    try:
        path = prove_inclusion(session, seq, checkpoint.tree_size)
        leaf = tree.nodes([(0, seq - 1)])[0]
    except (LookupError, ProofError) as exc:
        raise ValidationError(
            f"cannot prove entry {seq}: {exc}", code="audit_tree_broken"
        ) from None
    return InclusionProof(
        seq=seq,
        leaf_index=seq - 1,
        tree_size=checkpoint.tree_size,
        leaf_hash=_b64(leaf),
        root_hash=_b64(bytes.fromhex(checkpoint.root_hash)),
        path=[_b64(h) for h in path],
        checkpoint=checkpoint.note,
    )


def consistency(session: Session, old_size: int, new_size: int) -> list[str]:
    try:
        return [_b64(h) for h in prove_consistency(session, old_size, new_size)]
    except (LookupError, ProofError) as exc:
        raise ValidationError(
            f"cannot prove {old_size} -> {new_size}: {exc}", code="audit_tree_broken"
        ) from None


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()
