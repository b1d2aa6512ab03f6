"""Cases: a shared reference created by its owner that travels with every message of a thread.

A case id is owned by its node (``OWNER:case:ULID``). Only the owner shares it: this agency
threads a message into a case it owns (that shares it with the recipient) or into the
recipient's own case, never a third agency's; a partner threads into its own cases, or into
one of ours that we shared with it (we sent it a message in it). Anything else is refused with
``case_not_shared`` — the receiving side audits the refusal with the envelope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from jisr.actors import Actor
from jisr.agreements.models import Agreement
from jisr.audit import AuditAction, record
from jisr.errors import PermissionDeniedError, ValidationError
from jisr.exchange import members
from jisr.exchange.access import CaseClosedError, load_case, readable_cases, readable_messages
from jisr.exchange.case_history import note_event
from jisr.exchange.models import Case, CaseLabel, Direction, Message, MessageKind
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
    members.add_default(session, case, members.member_key(actor), actor.display)
    note_event(session, case, "opened", actor=actor.display, agency=actor.agency_code)
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
    for unit in members.ADDRESSED_UNITS:
        members.add_default(session, case, unit, owner)
    note_event(session, case, "received", actor=owner, agency=owner)
    return case


class CaseNotSharedError(PermissionDeniedError):
    code = "case_not_shared"


def require_shareable(case: Case, local: str, recipient: str) -> None:
    """This agency may thread a message to ``recipient`` into ``case`` (see the module doc),
    unless it closed the case (a partner's case closed by its owner still takes an answer)."""
    if case.status == "closed" and case.owner_agency == local:
        raise CaseClosedError(f"case {case.ref} is closed; reopen it before writing in it")
    if case.owner_agency not in {local, recipient}:
        raise CaseNotSharedError(
            f"case {case.ref} belongs to {case.owner_agency}: only its owner shares it with "
            f"{recipient}; open a new case instead"
        )


def may_thread(session: Session, ref: str, sender: str, local: str) -> bool:
    """Whether partner ``sender`` may file a message into case ``ref`` on this node."""
    owner = owner_of(ref)
    if owner == sender:
        return True
    if owner != local:
        return False  # a third agency's case: we cannot know it was shared with the sender
    shared = select(Message.id).where(
        Message.case_ref == ref,
        Message.direction == Direction.OUTBOUND.value,
        Message.recipient_agency == sender,
    )
    return session.execute(shared.limit(1)).first() is not None


def extend_retention(case: Case, until: datetime) -> None:
    case.retention_until = max(case.retention_until, until)


@dataclass(frozen=True, slots=True)
class CaseFilter:
    status: str | None = None
    # ``user:<id>``; "none" for cases assigned to nobody.
    assignee: str | None = None
    label: str | None = None
    limit: int = 100
    offset: int = 0


def _filtered(session: Session, actor: Actor, query: CaseFilter) -> Select[Case]:
    stmt = select(Case).where(readable_cases(session, actor))
    if query.status:
        stmt = stmt.where(Case.status == query.status)
    if query.assignee == "none":
        stmt = stmt.where(Case.assignee.is_(None))
    elif query.assignee:
        stmt = stmt.where(Case.assignee == query.assignee)
    if query.label:
        labelled = select(CaseLabel.case_ref).where(CaseLabel.label == query.label)
        stmt = stmt.where(Case.ref.in_(labelled))
    return stmt


def list_cases(
    session: Session,
    actor: Actor,
    *,
    limit: int = 100,
    offset: int = 0,
    query: CaseFilter | None = None,
) -> list[Case]:
    """Newest first, only those ``actor`` may read (filtered in the query, then paged)."""
    query = query or CaseFilter(limit=limit, offset=offset)
    stmt = _filtered(session, actor, query).order_by(Case.created_at.desc(), Case.ref)
    rows = list(session.execute(stmt.limit(query.limit).offset(query.offset)).scalars())
    record(session, actor, AuditAction.CONSULTATION, "case_list", details={"returned": len(rows)})
    return rows


def count_cases(session: Session, actor: Actor, query: CaseFilter) -> int:
    """How many cases the listing holds in all: those ``actor`` may read, never the others."""
    stmt = select(func.count()).select_from(_filtered(session, actor, query).subquery())
    return int(session.execute(stmt).scalar_one())


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
    stmt = select(Message).where(Message.case_ref == ref, readable_messages(session, actor))
    messages = list(session.execute(stmt.order_by(Message.created_at, Message.id)).scalars())
    record(
        session,
        actor,
        AuditAction.CONSULTATION,
        "case",
        ref,
        details={"messages": len(messages)},
    )
    return case, messages
