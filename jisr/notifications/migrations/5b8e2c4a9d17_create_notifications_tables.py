"""create notifications tables

Revision ID: 5b8e2c4a9d17
Revises:
Create Date: 2026-12-02 10:45:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import jisr.db.base

revision: str = "5b8e2c4a9d17"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("notifications",)
depends_on: str | Sequence[str] | None = ["identity", "audit"]

_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", _BIG, autoincrement=True, nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.String(length=120), nullable=True),
        sa.Column("agency", sa.String(length=24), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("href", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("created_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("read_at", jisr.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("user_id", "source", name="uq_notifications_user_source"),
    )
    op.create_index("ix_notifications_user_unread", "notifications", ["user_id", "read_at", "id"])
    op.create_index("ix_notifications_source", "notifications", ["source"])
    op.create_table(
        "notification_cursor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audit_seq", _BIG, nullable=False),
        sa.Column("updated_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_cursor")),
    )
    # Notifications start with the acts after this upgrade: a node's history notifies nobody
    # (a new node, migrated by ``jisr init``, starts at its beginning).
    head = op.get_bind().execute(sa.text("SELECT COALESCE(MAX(seq), 0) FROM audit_entries"))
    op.bulk_insert(
        sa.table(
            "notification_cursor",
            sa.column("id", sa.Integer()),
            sa.column("audit_seq", _BIG),
            sa.column("updated_at", jisr.db.base.UTCDateTime(timezone=True)),
        ),
        [{"id": 1, "audit_seq": int(head.scalar_one()), "updated_at": datetime.now(UTC)}],
    )


def downgrade() -> None:
    op.drop_table("notification_cursor")
    op.drop_index("ix_notifications_source", table_name="notifications")
    op.drop_index("ix_notifications_user_unread", table_name="notifications")
    op.drop_table("notifications")
