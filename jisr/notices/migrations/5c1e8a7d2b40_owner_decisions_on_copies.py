"""who published an alert, the owner's review on partner copies, why partners were left out

Revision ID: 5c1e8a7d2b40
Revises: d03af8d5280f
Create Date: 2026-12-02 10:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5c1e8a7d2b40"
down_revision: str | Sequence[str] | None = "d03af8d5280f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.add_column(sa.Column("publication_refusals", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("published_by", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("owner_review", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notices") as batch:
        batch.drop_column("owner_review")
        batch.drop_column("published_by")
        batch.drop_column("publication_refusals")
