"""The append-only, hash-chained audit trail."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jisr.db.base import Base


class AuditAction(StrEnum):
    COLLECTION = "collection"
    ALTERATION = "alteration"
    CONSULTATION = "consultation"
    DISCLOSURE = "disclosure"
    TRANSFER = "transfer"
    COMBINATION = "combination"
    ERASURE = "erasure"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    PRIVILEGE_USE = "privilege_use"
    AUDIT_ACCESS = "audit_access"
    CONFIG_CHANGE = "config_change"


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    )
    entry_id: Mapped[str] = mapped_column(String(80), unique=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(24), index=True)
    actor: Mapped[str] = mapped_column(String(120))
    actor_agency: Mapped[str] = mapped_column(String(24))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(120), index=True)
    justification: Mapped[str] = mapped_column(Text, default="")
    recipients: Mapped[list[str]]
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


_BIG = BigInteger().with_variant(Integer, "sqlite")


class AuditHead(Base):
    """One row: the newest sequence number and hash, locked to serialise appends, and the
    Merkle tree's right edge (hex roots of its complete subtrees, largest first): the tree
    has ``seq`` leaves, leaf ``i`` being entry ``i + 1``."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(_BIG)
    hash: Mapped[str] = mapped_column(String(64))
    frontier: Mapped[list[str]] = mapped_column(JSON, default=list)


class AuditTreeNode(Base):
    """A complete subtree of the Merkle tree: leaves ``[index * 2^level, (index+1) * 2^level)``.
    Written once, when its last leaf is appended (about two rows per entry), never updated."""

    __tablename__ = "audit_tree_nodes"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column("idx", _BIG, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class AuditCheckpoint(Base):
    """A signed tree head of this node's log (C2SP tlog-checkpoint, the whole signed note)."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    tree_size: Mapped[int] = mapped_column(_BIG, index=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    key_fingerprint: Mapped[str] = mapped_column(String(16))
    # Stamped under the head lock: every entry after ``tree_size`` is dated after it.
    created_at: Mapped[datetime]


class AuditCosignature(Base):
    """A partner's co-signature (C2SP tlog-cosignature line) on one of our checkpoints."""

    __tablename__ = "audit_cosignatures"
    __table_args__ = (UniqueConstraint("checkpoint_id", "witness"),)

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("audit_checkpoints.id"), index=True)
    witness: Mapped[str] = mapped_column(String(24))
    line: Mapped[str] = mapped_column(Text)
    # The cosignature's own timestamp (POSIX seconds), as the witness signed it.
    timestamp: Mapped[int] = mapped_column(_BIG)
    received_at: Mapped[datetime]


class WitnessedCheckpoint(Base):
    """The newest checkpoint of a partner's log this node verified and co-signed."""

    __tablename__ = "audit_witnessed"

    origin_agency: Mapped[str] = mapped_column(String(24), primary_key=True)
    origin: Mapped[str] = mapped_column(String(120))
    tree_size: Mapped[int] = mapped_column(_BIG)
    root_hash: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]


class WitnessPeer(Base):
    """What each partner (as our witness) was last sent, and the newest size it co-signed."""

    __tablename__ = "audit_witness_peers"

    partner: Mapped[str] = mapped_column(String(24), primary_key=True)
    sent_size: Mapped[int] = mapped_column(_BIG, default=0)
    sent_at: Mapped[datetime | None]
    cosigned_size: Mapped[int] = mapped_column(_BIG, default=0)


class AlertKind(StrEnum):
    # A partner's new checkpoint is not an extension of the one we hold (fork or rewrite).
    INCONSISTENT = "inconsistent"
    # A partner's new checkpoint is smaller than the one we hold (its log was truncated).
    ROLLBACK = "rollback"
    # A partner (as witness) refused one of our checkpoints.
    REFUSED_BY_WITNESS = "refused_by_witness"


class WitnessAlert(Base):
    """An inconsistency seen by witnessing, shown on the console until acknowledged."""

    __tablename__ = "audit_witness_alerts"

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(24))
    # Whose log: the partner whose checkpoint we refused, or the witness that refused ours.
    agency: Mapped[str] = mapped_column(String(24), index=True)
    detail: Mapped[str] = mapped_column(Text)
    held_size: Mapped[int] = mapped_column(_BIG)
    held_root: Mapped[str] = mapped_column(String(64))
    offered_size: Mapped[int] = mapped_column(_BIG)
    offered_root: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(120))
