"""The audit chain detects edits, deletions and reordering made directly in the database."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind
from jisr.audit import AuditAction, AuditEntry, record, verify_chain

OFFICER = Actor(ActorKind.USER, "MA-DGST:user:1", "MA-DGST", frozenset({"liaison"}), "amal")


def _write(session: Session, n: int) -> None:
    for i in range(n):
        record(session, OFFICER, AuditAction.CONSULTATION, "message", f"MA-DGST:msg:{i}")


def test_intact_chain_verifies(session: Session) -> None:
    _write(session, 5)
    result = verify_chain(session)
    assert result.intact and result.entries == 5


@pytest.mark.parametrize(
    ("tamper", "first_bad"),
    [
        (lambda s: s.execute(update(AuditEntry).where(AuditEntry.seq == 3).values(actor="x")), 3),
        (lambda s: s.execute(delete(AuditEntry).where(AuditEntry.seq == 2)), 2),
        (lambda s: s.execute(delete(AuditEntry).where(AuditEntry.seq == 5)), 5),
        (
            lambda s: s.execute(
                update(AuditEntry).where(AuditEntry.seq == 4).values(object_id="MA-DGST:msg:0")
            ),
            4,
        ),
    ],
    ids=["edited", "deleted-middle", "deleted-last", "content-swapped"],
)
def test_tampering_is_detected(session: Session, tamper: object, first_bad: int) -> None:
    _write(session, 5)
    tamper(session)  # type: ignore[operator]
    session.expire_all()
    result = verify_chain(session)
    assert not result.intact
    assert result.first_bad_seq == first_bad
