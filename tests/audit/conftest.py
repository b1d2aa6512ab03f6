"""A real node on disk (keys, database) with some audit entries, and ways to verify it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from jisr.actors import Actor, ActorKind
from jisr.audit import AuditAction, record
from jisr.audit.verify import LogReport, ProblemKind
from jisr.cli.app import main
from jisr.db import make_engine, make_session_factory, unit_of_work
from jisr.settings import JisrSettings
from jisr.witness.integrity import verify_node_log
from tests.nodes import make_node

AGENCY = "MA-DGST"
OFFICER = Actor(ActorKind.USER, "MA-DGST:user:1", AGENCY, frozenset({"liaison"}), "amal")


@dataclass
class AuditNode:
    data_dir: Path
    settings: JisrSettings
    engine: Engine

    def write(self, count: int, *, per_transaction: int = 1) -> None:
        factory = make_session_factory(self.engine, self.data_dir)
        for start in range(0, count, per_transaction):
            with unit_of_work(factory) as session:
                for n in range(start, min(count, start + per_transaction)):
                    record(
                        session, OFFICER, AuditAction.CONSULTATION, "message", f"{AGENCY}:msg:{n}"
                    )

    def checkpoint(self, path: Path) -> Path:
        assert main(["audit", "checkpoint", "--data-dir", str(self.data_dir), "-o", str(path)]) == 0
        return path

    def report(self, *external: Path) -> LogReport:
        factory = make_session_factory(self.engine, self.data_dir)
        notes = [(f"checkpoint {p.name}", p.read_text()) for p in external]
        with unit_of_work(factory) as session:
            return verify_node_log(session, self.settings, AGENCY, notes)

    def kinds(self, *external: Path) -> set[ProblemKind]:
        return {problem.kind for problem in self.report(*external).problems}

    def cli_verify(self, *external: Path) -> int:
        args = ["audit", "verify", "--data-dir", str(self.data_dir)]
        for path in external:
            args += ["--checkpoint", str(path)]
        return main(args)


@pytest.fixture()
def audit_node(tmp_path: Path, db_url: str) -> Iterator[AuditNode]:
    node = make_node(tmp_path / "node", db_url, AGENCY)
    engine = make_engine(db_url)
    yield AuditNode(node.data_dir, node.settings, engine)
    engine.dispose()
