"""managed cases: status and outcome, assignee, due date, labels, links, case events

Existing cases are open, with no assignee, no due date and no label.

Revision ID: c5d1e8a2b907
Revises: b3c9d2e7f104
Create Date: 2026-12-02 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import jisr.db.base

revision: str = "c5d1e8a2b907"
down_revision: str | Sequence[str] | None = "b3c9d2e7f104"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("exchange_cases", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=12), nullable=False, server_default="open")
        )
        batch_op.add_column(
            sa.Column("status_changed_at", jisr.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("outcome", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("outcome_note", sa.Text(), nullable=True))
        batch_op.add_column(
            sa.Column("closed_at", jisr.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("assignee", sa.String(length=120), nullable=True))
        batch_op.add_column(
            sa.Column("due_at", jisr.db.base.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index(batch_op.f("ix_exchange_cases_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_exchange_cases_assignee"), ["assignee"], unique=False)
    op.create_table(
        "exchange_case_labels",
        sa.Column("case_ref", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_ref"],
            ["exchange_cases.ref"],
            name=op.f("fk_exchange_case_labels_case_ref_exchange_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_ref", "label", name=op.f("pk_exchange_case_labels")),
    )
    with op.batch_alter_table("exchange_case_labels", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_exchange_case_labels_label"), ["label"], unique=False)
    op.create_table(
        "exchange_case_links",
        sa.Column("case_ref", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=120), nullable=False),
        sa.Column("added_by", sa.String(length=120), nullable=False),
        sa.Column("added_at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_ref"],
            ["exchange_cases.ref"],
            name=op.f("fk_exchange_case_links_case_ref_exchange_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "case_ref", "kind", "target_id", name=op.f("pk_exchange_case_links")
        ),
    )
    op.create_table(
        "exchange_case_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("case_ref", sa.String(length=80), nullable=False),
        sa.Column("event", sa.String(length=24), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("agency", sa.String(length=24), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("at", jisr.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_ref"],
            ["exchange_cases.ref"],
            name=op.f("fk_exchange_case_events_case_ref_exchange_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_case_events")),
    )
    with op.batch_alter_table("exchange_case_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_exchange_case_events_case_ref"), ["case_ref"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("exchange_case_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_case_events_case_ref"))
    op.drop_table("exchange_case_events")
    op.drop_table("exchange_case_links")
    op.drop_table("exchange_case_labels")
    with op.batch_alter_table("exchange_cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_exchange_cases_assignee"))
        batch_op.drop_index(batch_op.f("ix_exchange_cases_status"))
        for column in (
            "due_at",
            "assignee",
            "closed_at",
            "outcome_note",
            "outcome",
            "status_changed_at",
            "status",
        ):
            batch_op.drop_column(column)
