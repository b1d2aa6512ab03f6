"""Exporting the filtered trail: every matching entry in order, a page at a time, the export
recorded before any row is read; the actor filter matches part of a name, whatever the case."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jisr.actors import Actor, ActorKind, Role, system_actor
from jisr.audit import AuditAction, AuditEntry, AuditFilter, read_entries, record
from jisr.audit.service import export_entries

AUDITOR = Actor(ActorKind.USER, "MA-DGST:user:a1", "MA-DGST", frozenset({Role.AUDITOR}),
                label="hind.auditor")  # fmt: skip


def _officer(name: str) -> Actor:
    return Actor(ActorKind.USER, f"MA-DGST:user:{name}", "MA-DGST", frozenset(), label=name)


def test_export_pages_through_every_match_and_is_recorded_first(session: Session) -> None:
    for number in range(23):
        who = _officer("Amal.Idrissi" if number % 2 else "karim.alaoui")
        record(session, who, AuditAction.CONSULTATION, "message", str(number))
    session.flush()
    rows = export_entries(session, AUDITOR, AuditFilter(actor_contains="amal", limit=5), batch=4)
    recorded = (
        session.execute(
            select(AuditEntry).where(AuditEntry.action == AuditAction.AUDIT_ACCESS.value)
        )
        .scalars()
        .all()
    )
    assert [e.details["filter"] for e in recorded] == [{"actor_contains": "amal"}]
    exported = [entry.object_id for entry in rows]
    assert exported == [str(n) for n in range(1, 23, 2)]  # all 11, past limit and batch


def test_the_listing_filter_is_partial_and_case_blind(session: Session) -> None:
    record(session, _officer("Amal.Idrissi"), AuditAction.CONSULTATION, "message", "1")
    record(session, system_actor("MA-DGST"), AuditAction.CONSULTATION, "message", "2")
    session.flush()
    found = read_entries(session, AUDITOR, AuditFilter(actor_contains="IDRISS"))
    assert [e.object_id for e in found] == ["1"]
    exact = read_entries(session, AUDITOR, AuditFilter(actor="amal.idrissi"))
    assert exact == []  # the API's exact filter is unchanged
