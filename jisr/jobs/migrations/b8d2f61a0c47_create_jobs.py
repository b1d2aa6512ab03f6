"""create jobs

Revision ID: b8d2f61a0c47
Revises:
Create Date: 2026-12-02 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jisr.db.base

revision: str = "b8d2f61a0c47"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("jobs",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("staged", sa.Boolean(), nullable=False),
        sa.Column("requested_by", sa.String(length=80), nullable=False),
        sa.Column("actor", sa.JSON(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.Column("checkpoint", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=120), nullable=True),
        sa.Column("lease_until", jisr.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", jisr.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", jisr.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_claim", ["state", "created_at"], unique=False)
        batch_op.create_index("ix_jobs_requested_by", ["requested_by", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_requested_by")
        batch_op.drop_index("ix_jobs_claim")
    op.drop_table("jobs")
