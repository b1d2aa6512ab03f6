"""incoming attachment transfers (chunked)

Revision ID: 4e7b2c9a1f30
Revises: 8917e34924a9
Create Date: 2026-11-24 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jisr.db.base

revision: str = "4e7b2c9a1f30"
down_revision: str | Sequence[str] | None = "8917e34924a9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_transfers",
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("sender", sa.String(length=24), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("chunk_bytes", sa.Integer(), nullable=False),
        sa.Column("chunks", sa.Integer(), nullable=False),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.Column("completed_at", jisr.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_transfers")),
    )
    with op.batch_alter_table("exchange_transfers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_transfers_sha256"), ["sha256"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_exchange_transfers_updated_at"), ["updated_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("exchange_transfers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_transfers_updated_at"))
        batch_op.drop_index(batch_op.f("ix_exchange_transfers_sha256"))
    op.drop_table("exchange_transfers")
