"""An insider edits the database exactly as they would: truncate and fix the head, edit a
middle entry and recompute the rest of the chain and the tree (and re-sign the checkpoints with
the node's own key), append a forged entry. Each is detected and named, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete, update

from jisr.audit.models import AuditCheckpoint, AuditEntry
from jisr.audit.verify import ProblemKind
from tests.audit import insider
from tests.audit.conftest import AGENCY, AuditNode


def test_an_untouched_log_verifies(
    audit_node: AuditNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_node.write(20, per_transaction=3)
    kept = audit_node.checkpoint(tmp_path / "cp.txt")
    audit_node.write(5)
    report = audit_node.report(kept)
    assert report.intact, report.problems
    assert report.checkpoints == 1 and report.external == 1
    assert audit_node.cli_verify(kept) == 0
    assert "audit trail intact" in capsys.readouterr().out


def test_truncation_with_the_head_fixed(audit_node: AuditNode, tmp_path: Path) -> None:
    audit_node.write(30)
    kept = audit_node.checkpoint(tmp_path / "cp.txt")
    with insider.database(audit_node.engine) as session:
        insider.truncate(session, 25)
    # The chain alone no longer sees it: the head was fixed.
    kinds = audit_node.kinds()
    assert ProblemKind.CHAIN not in kinds
    assert {ProblemKind.TREE, ProblemKind.TRUNCATED} <= kinds
    # The insider rebuilds the tree too: the stored checkpoint still says 30+ entries.
    with insider.database(audit_node.engine) as session:
        insider.rebuild_tree(session)
    report = audit_node.report()
    assert [p.kind for p in report.problems] == [ProblemKind.TRUNCATED]
    assert "entries were removed" in report.problems[0].message
    # And deletes the checkpoints: the one held outside the node still tells.
    with insider.database(audit_node.engine) as session:
        session.execute(delete(AuditCheckpoint))
    assert audit_node.kinds() == set()
    assert audit_node.kinds(kept) == {ProblemKind.TRUNCATED}
    assert audit_node.cli_verify(kept) == 1


def test_a_middle_entry_rewritten_and_everything_recomputed(
    audit_node: AuditNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_node.write(40)
    kept = audit_node.checkpoint(tmp_path / "cp.txt")
    audit_node.write(5)
    with insider.database(audit_node.engine) as session:
        session.execute(
            update(AuditEntry).where(AuditEntry.seq == 17).values(object_id=f"{AGENCY}:msg:other")
        )
        insider.rechain(session, 17)
        insider.rebuild_tree(session)
    # Chain and tree are consistent again; the signed checkpoint is not.
    report = audit_node.report()
    assert [p.kind for p in report.problems] == [ProblemKind.REWRITTEN]
    assert "rewritten" in report.problems[0].message
    # The insider holds the node's key and re-signs the stored checkpoints: the copy held
    # outside the node shows the fork.
    with insider.database(audit_node.engine) as session:
        insider.resign_checkpoints(session, audit_node.data_dir, AGENCY)
    assert audit_node.kinds() == set()
    assert audit_node.kinds(kept) == {ProblemKind.FORK}
    capsys.readouterr()
    assert audit_node.cli_verify(kept) == 1
    assert "[fork]" in capsys.readouterr().err


def test_an_edit_without_recomputing_names_the_entry(
    audit_node: AuditNode, capsys: pytest.CaptureFixture[str]
) -> None:
    audit_node.write(10)
    with insider.database(audit_node.engine) as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == 4).values(actor="someone"))
    assert {ProblemKind.CHAIN, ProblemKind.TREE} <= audit_node.kinds()
    assert audit_node.cli_verify() == 1
    assert "BROKEN at entry 4" in capsys.readouterr().err


def test_a_forged_append(audit_node: AuditNode, tmp_path: Path) -> None:
    audit_node.write(12)
    audit_node.checkpoint(tmp_path / "cp.txt")
    with insider.database(audit_node.engine) as session:
        insider.forge_append(session, AGENCY)
    # Chained and the head moved, but the tree was not extended.
    assert ProblemKind.TREE in audit_node.kinds()


def test_a_forged_append_with_the_tree_extended_and_backdated(
    audit_node: AuditNode, tmp_path: Path
) -> None:
    audit_node.write(12)
    audit_node.checkpoint(tmp_path / "cp.txt")
    with insider.database(audit_node.engine) as session:
        # Slipped in among old acts: dated like entry 5, before the checkpoint preceding it.
        backdated = insider.entries(session)[4].at
        seq = insider.forge_append(session, AGENCY, at=backdated, with_tree=True)
    report = audit_node.report()
    assert [p.kind for p in report.problems] == [ProblemKind.FORGED]
    assert report.problems[0].seq == seq
