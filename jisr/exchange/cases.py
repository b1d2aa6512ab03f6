"""Cases: a shared reference created by its owner that travels with every message of a thread."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import Agreement
from jisr.agreements.policy import Action
from jisr.agreements.service import check
from jisr.audit import AuditAction, record
from jisr.errors import ValidationError
from jisr.exchange.access import can_read, case_resource, load_case
from jisr.exchange.models import Case, Message, MessageKind
from jisr.ids import AGENCY_CODE, new_id, owner_of


def open_case(
    session: Session,
    actor: Actor,
    *,
    title: str,
    agreement: Agreement,
    crime_area: str,
    handling_code: str,
    legal_basis: str,
    retention_until: datetime,
) -> Case:
    """A new case owned by the actor's agency (policy on the first message covers it)."""
    case = Case(
        ref=new_id(actor.agency_code, "case"),
        title=title,
        owner_agency=actor.agency_code,
        agreement_id=agreement.id,
        crime_area=crime_area,
        handling_code=handling_code,
        legal_basis=legal_basis,
        retention_until=retention_until,
        created_by=actor.display,
    )
    session.add(case)
    session.flush()
    record(session, actor, AuditAction.COLLECTION, "case", case.ref, details={"event": "opened"})
    return case


def adopt_case(
    session: Session,
    *,
    ref: str,
    title: str,
    agreement_id: str,
    crime_area: str,
    handling_code: str,
    legal_basis: str,
    retention_until: datetime,
) -> Case:
    """The local copy of a partner's case reference, created when its first message arrives."""
    case = session.get(Case, ref)
    if case is not None:
        case.retention_until = max(case.retention_until, retention_until)
        return case
    owner = owner_of(ref)
    if not AGENCY_CODE.match(owner) or ref.count(":") != 2 or ":case:" not in ref:
        raise ValidationError(f"not a case reference: {ref}", code="case_ref_invalid")
    case = Case(
        ref=ref,
        title=title,
        owner_agency=owner,
        agreement_id=agreement_id,
        crime_area=crime_area,
        handling_code=handling_code,
        legal_basis=legal_basis,
        retention_until=retention_until,
        created_by=owner,
    )
    session.add(case)
    session.flush()
    return case


def extend_retention(case: Case, until: datetime) -> None:
    case.retention_until = max(case.retention_until, until)


def list_cases(session: Session, actor: Actor, *, limit: int = 100, offset: int = 0) -> list[Case]:
    stmt = select(Case).order_by(Case.created_at.desc(), Case.ref).limit(limit).offset(offset)
    rows = [
        case
        for case in session.execute(stmt).scalars()
        if check(session, actor, Action.READ, case_resource(case)).allowed
    ]
    record(session, actor, AuditAction.CONSULTATION, "case_list", details={"returned": len(rows)})
    return rows


def counts(session: Session, refs: Sequence[str]) -> dict[str, tuple[int, int]]:
    """(messages, open requests) per case."""
    if not refs:
        return {}
    open_request = (Message.kind == MessageKind.REQUEST.value) & Message.answered_at.is_(None)
    stmt = (
        select(
            Message.case_ref,
            func.count(),
            func.count().filter(open_request),
        )
        .where(Message.case_ref.in_(refs))
        .group_by(Message.case_ref)
    )
    return {ref: (int(total), int(pending)) for ref, total, pending in session.execute(stmt)}


def case_thread(session: Session, actor: Actor, ref: str) -> tuple[Case, list[Message]]:
    """The case and the messages of it ``actor`` may read, oldest first."""
    case = load_case(session, actor, ref)
    stmt = select(Message).where(Message.case_ref == ref).order_by(Message.created_at, Message.id)
    messages = [m for m in session.execute(stmt).scalars() if can_read(session, actor, m)]
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "case",
        ref,
        details={"messages": len(messages)},
    )
    return case, messages
