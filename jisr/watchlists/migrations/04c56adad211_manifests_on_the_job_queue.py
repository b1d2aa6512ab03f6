"""manifests are screened by jobs of the node's queue

Revision ID: 04c56adad211
Revises: d8a4f1c3e602
Create Date: 2026-12-02 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "04c56adad211"
down_revision: str | Sequence[str] | None = "d8a4f1c3e602"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INTERRUPTED = "interrupted (the node was upgraded); resume to continue"


def upgrade() -> None:
    with op.batch_alter_table("manifest_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("queue_job_id", sa.String(length=80), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_manifest_jobs_queue_job_id"), ["queue_job_id"], unique=False
        )
    # A manifest left queued or running by the old in-process threads has no job to run it:
    # failed, it resumes from its position on the queue.
    manifests = sa.table(
        "manifest_jobs",
        sa.column("status", sa.String),
        sa.column("error", sa.Text),
    )
    op.execute(
        manifests.update()
        .where(manifests.c.status.in_(["queued", "running"]))
        .values(status="failed", error=INTERRUPTED)
    )


def downgrade() -> None:
    with op.batch_alter_table("manifest_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_manifest_jobs_queue_job_id"))
        batch_op.drop_column("queue_job_id")
