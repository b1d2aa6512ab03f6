"""feed tokens sealed at rest: room for the sealed form

Revision ID: e41c9a07b2d3
Revises: c7b1e2a4d901
Create Date: 2026-12-02 10:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "e41c9a07b2d3"
down_revision: str | Sequence[str] | None = "c7b1e2a4d901"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A sealed token is about 1.4 times its length plus 64 characters. Tokens stored in plain
    # text before this revision are sealed on each feed's next poll (jisr.cyber.feeds).
    with op.batch_alter_table("cyber_feeds", schema=None) as batch_op:
        batch_op.alter_column(
            "token", existing_type=sa.String(length=400), type_=sa.Text(), existing_nullable=True
        )


def downgrade() -> None:
    with op.batch_alter_table("cyber_feeds", schema=None) as batch_op:
        batch_op.alter_column(
            "token", existing_type=sa.Text(), type_=sa.String(length=400), existing_nullable=True
        )
