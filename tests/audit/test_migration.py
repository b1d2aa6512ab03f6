"""A trail written before the tree existed gets its tree built by the migration that adds it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select

from jisr.audit.models import AuditHead
from jisr.db import make_session_factory, unit_of_work
from jisr.db.migrate import alembic_config
from tests.audit.conftest import AuditNode


def test_upgrading_builds_the_tree_of_existing_entries(audit_node: AuditNode) -> None:
    audit_node.write(37, per_transaction=5)
    factory = make_session_factory(audit_node.engine)
    with unit_of_work(factory) as session:
        frontier = session.execute(select(AuditHead.frontier)).scalar_one()
    config = alembic_config()
    with audit_node.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "audit@d6fb06033535")
    with audit_node.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    with unit_of_work(factory) as session:
        assert session.execute(select(AuditHead.frontier)).scalar_one() == frontier
    report = audit_node.report()
    assert report.intact and report.entries >= 37, report.problems
