"""audit: Merkle tree, signed checkpoints, co-signatures, witnessing

Revision ID: 7a3e91c2d4b0
Revises: d6fb06033535
Create Date: 2026-12-02 05:40:00.000000

An existing trail gets its tree built here from its entries, so a node upgraded in place
verifies like a new one.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jisr.db.base

revision: str = "7a3e91c2d4b0"
down_revision: str | Sequence[str] | None = "d6fb06033535"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.add_column(sa.Column("frontier", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "audit_tree_nodes",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("idx", _BIG, autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "idx", name=op.f("pk_audit_tree_nodes")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("tree_size", _BIG, nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("key_fingerprint", sa.String(length=16), nullable=False),
        sa.Column("created_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    op.create_index(
        op.f("ix_audit_checkpoints_tree_size"), "audit_checkpoints", ["tree_size"], unique=False
    )
    op.create_table(
        "audit_cosignatures",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("checkpoint_id", _BIG, nullable=False),
        sa.Column("witness", sa.String(length=24), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("timestamp", _BIG, nullable=False),
        sa.Column("received_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["audit_checkpoints.id"],
            name=op.f("fk_audit_cosignatures_checkpoint_id_audit_checkpoints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_cosignatures")),
        sa.UniqueConstraint(
            "checkpoint_id", "witness", name=op.f("uq_audit_cosignatures_checkpoint_id")
        ),
    )
    op.create_index(
        op.f("ix_audit_cosignatures_checkpoint_id"),
        "audit_cosignatures",
        ["checkpoint_id"],
        unique=False,
    )
    op.create_table(
        "audit_witnessed",
        sa.Column("origin_agency", sa.String(length=24), nullable=False),
        sa.Column("origin", sa.String(length=120), nullable=False),
        sa.Column("tree_size", _BIG, nullable=False),
        sa.Column("root_hash", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("origin_agency", name=op.f("pk_audit_witnessed")),
    )
    op.create_table(
        "audit_witness_peers",
        sa.Column("partner", sa.String(length=24), nullable=False),
        sa.Column("sent_size", _BIG, nullable=False),
        sa.Column("sent_at", jisr.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cosigned_size", _BIG, nullable=False),
        sa.PrimaryKeyConstraint("partner", name=op.f("pk_audit_witness_peers")),
    )
    op.create_table(
        "audit_witness_alerts",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("agency", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("held_size", _BIG, nullable=False),
        sa.Column("held_root", sa.String(length=64), nullable=False),
        sa.Column("offered_size", _BIG, nullable=False),
        sa.Column("offered_root", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", jisr.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=120), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_witness_alerts")),
    )
    op.create_index(
        op.f("ix_audit_witness_alerts_agency"), "audit_witness_alerts", ["agency"], unique=False
    )
    _build_tree()


def _build_tree() -> None:
    """Leaves and complete subtrees of the entries already there, and the head's right edge."""
    from jisr.audit.tree import rebuild_tree

    rebuild_tree(op.get_bind())


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_witness_alerts_agency"), table_name="audit_witness_alerts")
    op.drop_table("audit_witness_alerts")
    op.drop_table("audit_witness_peers")
    op.drop_table("audit_witnessed")
    op.drop_index(op.f("ix_audit_cosignatures_checkpoint_id"), table_name="audit_cosignatures")
    op.drop_table("audit_cosignatures")
    op.drop_index(op.f("ix_audit_checkpoints_tree_size"), table_name="audit_checkpoints")
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_tree_nodes")
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("frontier")
