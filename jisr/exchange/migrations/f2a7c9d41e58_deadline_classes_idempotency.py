"""deadline classes of requests; idempotency keys of creates

``exchange_messages.deadline_class`` records how a request's deadline was set (``8h``, ``3d``,
``7d`` as in Directive (EU) 2023/977, or ``date``). ``idempotency_keys`` (``jisr.db.idempotency``)
remembers what a form or an API create made, so a second submission returns it.

Revision ID: f2a7c9d41e58
Revises: c5d1e8a2b907
Create Date: 2026-12-02 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jisr.db.base

revision: str = "f2a7c9d41e58"
down_revision: str | Sequence[str] | None = "c5d1e8a2b907"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deadline_class", sa.String(length=8), nullable=True))
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=60), nullable=False),
        sa.Column("principal", sa.String(length=120), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("result_id", sa.String(length=120), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=True),
        sa.Column("created_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "principal", "key", name=op.f("pk_idempotency_keys")),
    )
    with op.batch_alter_table("idempotency_keys", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_idempotency_keys_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("exchange_messages", schema=None) as batch_op:
        batch_op.drop_column("deadline_class")
