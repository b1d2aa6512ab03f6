"""screening hits fold repeats of one traveller against one entry

Revision ID: d8a4f1c3e602
Revises: 5b2e7c1d9a40
Create Date: 2026-12-02 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jisr.db.base

revision: str = "d8a4f1c3e602"
down_revision: str | Sequence[str] | None = "5b2e7c1d9a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("traveller_key", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("seen_count", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(
            sa.Column("last_seen_at", jisr.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_screening_hits_traveller_key"), ["traveller_key"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("screening_hits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_hits_traveller_key"))
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("seen_count")
        batch_op.drop_column("traveller_key")
