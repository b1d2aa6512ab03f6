"""case members (need-to-know inside the agency)

Existing cases get the cooperation desk and the analysis unit (``role:liaison``, ``role:analyst``)
as members, so their H2/H3 records stay readable by those who handled them.

Revision ID: b3c9d2e7f104
Revises: 4e7b2c9a1f30
Create Date: 2026-12-02 05:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jisr.db.base

revision: str = "b3c9d2e7f104"
down_revision: str | Sequence[str] | None = "4e7b2c9a1f30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_case_members",
        sa.Column("case_ref", sa.String(length=80), nullable=False),
        sa.Column("member", sa.String(length=120), nullable=False),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.Column("added_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_ref"],
            ["exchange_cases.ref"],
            name=op.f("fk_exchange_case_members_case_ref_exchange_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_ref", "member", name=op.f("pk_exchange_case_members")),
    )
    op.execute(
        sa.text(
            "INSERT INTO exchange_case_members (case_ref, member, added_by, added_at) "
            "SELECT ref, 'role:liaison', 'migration', created_at FROM exchange_cases "
            "UNION ALL SELECT ref, 'role:analyst', 'migration', created_at FROM exchange_cases"
        )
    )


def downgrade() -> None:
    op.drop_table("exchange_case_members")
