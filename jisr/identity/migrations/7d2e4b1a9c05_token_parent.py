"""api tokens remember the token that minted them

Revision ID: 7d2e4b1a9c05
Revises: 3c1f7a9e52d4
Create Date: 2026-12-02 05:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7d2e4b1a9c05"
down_revision: str | Sequence[str] | None = "3c1f7a9e52d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("parent_id", sa.String(length=64), nullable=True))
        batch_op.create_index(batch_op.f("ix_api_tokens_parent_id"), ["parent_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_api_tokens_parent_id_api_tokens"), "api_tokens", ["parent_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_api_tokens_parent_id_api_tokens"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_api_tokens_parent_id"))
        batch_op.drop_column("parent_id")
